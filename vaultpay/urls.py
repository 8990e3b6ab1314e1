from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.pages import ip_confirm_page
from vaultpay.api_root import ApiRootView
from vaultpay.health import healthz

# The ledger's routes first: Django tries patterns in order, and the money requests are the hot path
# (no two apps' paths overlap, so the order changes nothing else).
api_v1 = [
    path("", include("ledger.urls")),
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("accounts.urls")),
    path("", include("wallets.urls")),
    path("", include("kyc.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("healthz", healthz, name="healthz"),
    # The page the new-IP email links to (a button that POSTs; see accounts.pages).
    path("security/ips/confirm", ip_confirm_page, name="ip-confirm-page"),
    # Browsers ask for /favicon.ico whatever the page says; the console's <link rel="icon"> names the SVG
    # (WhiteNoise serves it under its plain name as well as the hashed one).
    path("favicon.ico", RedirectView.as_view(url=f"/{settings.STATIC_URL}vaultpay/favicon.svg", permanent=True)),
]

handler400 = "vaultpay.errors.bad_request_view"
handler403 = "vaultpay.errors.permission_denied_view"
handler404 = "vaultpay.errors.not_found_view"
handler500 = "vaultpay.errors.server_error_view"
