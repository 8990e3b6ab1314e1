"""The console's login form: the API login's throttle, audit and second factor, on the admin login page."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts.login_throttle import login_failure_count, login_throttle_check
from accounts.models import User
from accounts.services.auth import auth_login_failed
from accounts.services.console_login import console_login_allow
from vaultpay.errors import VaultPayError

RATE_LIMITED_CODE = "rate_limited"


class ConsoleLoginForm(AdminAuthenticationForm):
    otp = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        email = User.objects.normalize_email(self.cleaned_data.get("username"))
        ip = self.request.client_ip
        try:
            login_throttle_check(self.request, email=email, ip=ip)
        except VaultPayError as exc:  # RateLimited, or the cache is down (fail closed)
            raise ValidationError(exc.message, code=RATE_LIMITED_CODE) from exc
        try:
            super().clean()  # the password, then is_active and is_staff
        except ValidationError:
            login_failure_count(self.request, email=email, ip=ip)
            auth_login_failed(email=email, channel="console")
            raise
        try:
            console_login_allow(user=self.get_user(), ip=ip, otp=self.cleaned_data.get("otp"))
        except VaultPayError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return self.cleaned_data
