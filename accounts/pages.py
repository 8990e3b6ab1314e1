"""The one HTML page a user reaches from an email: confirming a new IP address.

The emailed link opens a page with a button; only the button's POST confirms. Mail scanners and link
previews fetch (GET) every link in a message, so a link that confirmed on GET would be confirmed by
the scanner, not the user.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.rate_limits import rate_limit
from accounts.services import ip_confirm
from vaultpay.errors import VaultPayError

_TEMPLATE = "accounts/ip_confirm.html"


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, _TEMPLATE, context, status=status)
    # The token is in this page's URL: never send it on to another site.
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def ip_confirm_page(request: HttpRequest) -> HttpResponse:
    """GET: the question and a button (changes nothing). POST: confirm the IP the token was sent for."""
    if request.method == "GET":
        return _page(request, {"token": request.GET.get("token", ""), "step": "ask"})
    try:
        rate_limit(request, scope="ip-confirm", key=request.client_ip, rate=settings.RATELIMIT_PIN, fail_open=False)
        ip_confirm(token=request.POST.get("token", ""))
    except VaultPayError as exc:  # invalid or used token, rate limited: said on the page, nothing changed
        return _page(request, {"step": "failed", "message": exc.message}, status=exc.status_code)
    return _page(request, {"step": "confirmed"})
