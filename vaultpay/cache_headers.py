"""Cache-Control: no-store on every response to a request that carried credentials.

Balances, history and tokens must never sit in a shared proxy's or a browser's cache. The JWT is
checked inside the DRF view, which then sets `request.user` on the Django request as well, so the
middleware sees the caller after the view has run; a request that sent an Authorization header
is treated as authenticated even when the token was refused (its 401 is no one else's to cache).
"""

from django.utils.cache import add_never_cache_headers


class NoStoreForAuthenticatedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
