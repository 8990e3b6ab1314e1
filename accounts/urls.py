from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import lifecycle_views, security_views, views, viewsets
from accounts.webhooks.viewsets import WebhookEndpointViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("notifications", viewsets.NotificationViewSet, basename="notification")
router.register("security/ips", viewsets.KnownIpViewSet, basename="security-ip")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("auth/signup", views.SignupView.as_view(), name="auth-signup"),
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", views.TokenRotateView.as_view(), name="auth-token-refresh"),
    path("auth/token/mfa", lifecycle_views.TokenMfaView.as_view(), name="auth-token-mfa"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all", lifecycle_views.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/password/reset", lifecycle_views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm",
        lifecycle_views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/password/change", lifecycle_views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/email/verify", lifecycle_views.EmailVerifyView.as_view(), name="auth-email-verify"),
    path("auth/email/verify/resend", lifecycle_views.EmailVerifyResendView.as_view(), name="auth-email-verify-resend"),
    path("auth/sessions", lifecycle_views.SessionListView.as_view(), name="auth-sessions"),
    path("auth/sessions/<uuid:session_id>", lifecycle_views.SessionDetailView.as_view(), name="auth-session"),
    path("auth/2fa/setup", lifecycle_views.TwoFactorSetupView.as_view(), name="auth-2fa-setup"),
    path("auth/2fa/confirm", lifecycle_views.TwoFactorConfirmView.as_view(), name="auth-2fa-confirm"),
    path("auth/2fa/disable", lifecycle_views.TwoFactorDisableView.as_view(), name="auth-2fa-disable"),
    path("users/me", views.MeView.as_view(), name="users-me"),
    path("pin", security_views.PinView.as_view(), name="pin"),
    path("pin/change", security_views.PinChangeView.as_view(), name="pin-change"),
    path("pin/reset", security_views.PinResetView.as_view(), name="pin-reset"),
    path("pin/reset/confirm", security_views.PinResetConfirmView.as_view(), name="pin-reset-confirm"),
    path("security/events", security_views.SecurityEventListView.as_view(), name="security-events"),
    *router.urls,
]
