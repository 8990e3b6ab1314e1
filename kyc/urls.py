from django.urls import path

from kyc import views

urlpatterns = [
    path("kyc/submissions", views.KycSubmissionView.as_view(), name="kyc-submissions"),
    path("kyc/status", views.KycStatusView.as_view(), name="kyc-status"),
]
