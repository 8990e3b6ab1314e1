from django.urls import path

from wallets import views

urlpatterns = [
    path("wallet", views.WalletView.as_view(), name="wallet"),
]
