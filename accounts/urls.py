from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/signup", views.SignupView.as_view(), name="auth-signup"),
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh", views.TokenRotateView.as_view(), name="auth-token-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("users/me", views.MeView.as_view(), name="users-me"),
    path("notifications", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/read-all", views.NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/<int:notification_id>/read", views.NotificationReadView.as_view(), name="notification-read"),
]
