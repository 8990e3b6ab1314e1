from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import security_views, views, viewsets

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("notifications", viewsets.NotificationViewSet, basename="notification")
router.register("security/ips", viewsets.KnownIpViewSet, basename="security-ip")

urlpatterns = [
    path("auth/signup", views.SignupView.as_view(), name="auth-signup"),
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", views.TokenRotateView.as_view(), name="auth-token-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("users/me", views.MeView.as_view(), name="users-me"),
    path("pin", security_views.PinView.as_view(), name="pin"),
    path("pin/change", security_views.PinChangeView.as_view(), name="pin-change"),
    path("pin/reset", security_views.PinResetView.as_view(), name="pin-reset"),
    path("pin/reset/confirm", security_views.PinResetConfirmView.as_view(), name="pin-reset-confirm"),
    path("security/events", security_views.SecurityEventListView.as_view(), name="security-events"),
    *router.urls,
]
