from django.urls import path
from rest_framework.routers import SimpleRouter

from ledger import hold_viewsets, statement_views, views, viewsets

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("transactions", viewsets.TransactionViewSet, basename="transaction")
router.register("disputes", viewsets.DisputeViewSet, basename="dispute")
router.register("holds", hold_viewsets.HoldViewSet, basename="hold")

# The money actions come first: "transactions/deposit" is an action, not a transaction id.
urlpatterns = [
    path("transactions/deposit", views.DepositView.as_view(), name="transaction-deposit"),
    path("transactions/withdraw", views.WithdrawView.as_view(), name="transaction-withdraw"),
    path("transactions/transfer", views.TransferView.as_view(), name="transaction-transfer"),
    path("wallet/balance", statement_views.WalletBalanceAtView.as_view(), name="wallet-balance-at"),
    path("wallet/statement", statement_views.WalletStatementView.as_view(), name="wallet-statement"),
    *router.urls,
]
