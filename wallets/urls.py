from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from wallets import views, viewsets

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("wallets", viewsets.WalletRecipientViewSet, basename="wallet-recipient")

urlpatterns = [
    path("wallet", views.WalletView.as_view(), name="wallet"),
    path("wallet/limits", views.WalletLimitsView.as_view(), name="wallet-limits"),
    re_path(
        r"^wallet/limits/(?P<period>daily|monthly)$",
        views.WalletPersonalLimitView.as_view(),
        name="wallet-personal-limit",
    ),
    path("wallet/freeze", views.WalletFreezeView.as_view(), name="wallet-freeze"),
    path("wallet/unfreeze", views.WalletUnfreezeView.as_view(), name="wallet-unfreeze"),
    *router.urls,
]
