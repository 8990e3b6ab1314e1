from django.urls import path

from accounts import security_views, views

urlpatterns = [
    path("auth/signup", views.SignupView.as_view(), name="auth-signup"),
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", views.TokenRotateView.as_view(), name="auth-token-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("users/me", views.MeView.as_view(), name="users-me"),
    path("notifications", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/read-all", views.NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/<int:notification_id>/read", views.NotificationReadView.as_view(), name="notification-read"),
    path("pin", security_views.PinView.as_view(), name="pin"),
    path("pin/change", security_views.PinChangeView.as_view(), name="pin-change"),
    path("pin/reset", security_views.PinResetView.as_view(), name="pin-reset"),
    path("pin/reset/confirm", security_views.PinResetConfirmView.as_view(), name="pin-reset-confirm"),
    path("security/ips", security_views.KnownIpListView.as_view(), name="security-ips"),
    path("security/ips/confirm", security_views.KnownIpConfirmView.as_view(), name="security-ips-confirm"),
    path("security/ips/<int:known_ip_id>", security_views.KnownIpDetailView.as_view(), name="security-ip"),
    path("security/events", security_views.SecurityEventListView.as_view(), name="security-events"),
]
