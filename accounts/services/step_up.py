"""What the sender's own account demands before money leaves it (withdrawals and transfers).

1. A verified email address: until then, 403 `email_not_verified`.
2. With two-factor on, a one-time code in `otp` for a payment above STEP_UP_ABOVE (per currency) or
   to a recipient the sender has never paid: missing, 403 `otp_required`; wrong, 403 `otp_invalid`.

Both read the user row authentication has already loaded; only a sender with two-factor on and a
payment below the threshold costs one query (whether the recipient was paid before).
"""

from collections.abc import Callable

from accounts.exceptions import EmailNotVerified, OtpRequired
from accounts.models import User
from accounts.services.two_factor import two_factor_verify
from vaultpay.console_settings import step_up_above
from vaultpay.money import Money, parse_amount


def step_up_threshold(currency) -> int:
    """STEP_UP_ABOVE for `currency` in minor units; a currency without one always steps up."""
    raw = step_up_above().get(currency.code)  # the console's table, or settings.STEP_UP_ABOVE
    return parse_amount(raw, currency) if raw else 0


def money_sender_check(
    *, user: User, money: Money, otp: str | None, recipient_is_new: Callable[[], bool] = lambda: False
) -> None:
    """Raises EmailNotVerified, OtpRequired, OtpInvalid, OtpLocked.

    `recipient_is_new` is called only when its answer matters (two-factor on, amount not above the threshold).
    """
    if user.email_verified_at is None:
        raise EmailNotVerified()
    if not user.two_factor_enabled:
        return
    if money.minor_units > step_up_threshold(money.currency):
        reason = "amount_above_threshold"
    elif recipient_is_new():
        reason = "new_recipient"
    else:
        return
    if not otp:
        raise OtpRequired(details={"reason": reason})
    two_factor_verify(user=user, code=otp, allow_recovery=False)
