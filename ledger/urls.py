from django.urls import path

from ledger import views

urlpatterns = [
    path("transactions", views.TransactionListView.as_view(), name="transaction-list"),
    path("transactions/deposit", views.DepositView.as_view(), name="transaction-deposit"),
    path("transactions/withdraw", views.WithdrawView.as_view(), name="transaction-withdraw"),
    path("transactions/transfer", views.TransferView.as_view(), name="transaction-transfer"),
    path("transactions/<uuid:transaction_id>", views.TransactionDetailView.as_view(), name="transaction-detail"),
    path(
        "transactions/<uuid:transaction_id>/entries",
        views.TransactionEntriesView.as_view(),
        name="transaction-entries",
    ),
    path(
        "transactions/<uuid:transaction_id>/disputes",
        views.TransactionDisputeView.as_view(),
        name="transaction-disputes",
    ),
    path("disputes", views.DisputeListView.as_view(), name="dispute-list"),
    path("disputes/<uuid:dispute_id>", views.DisputeDetailView.as_view(), name="dispute-detail"),
]
