from django.urls import path

from wallets import views

urlpatterns = [
    path("wallet", views.WalletView.as_view(), name="wallet"),
    path("wallet/limits", views.WalletLimitsView.as_view(), name="wallet-limits"),
]
