import secrets
import string

from django.conf import settings
from django.db import models
from django.db.models import Q

from vaultpay.money import CURRENCY_CHOICES, WALLET_BALANCE_CAP

PUBLIC_ID_PREFIX = "VPY-"
PUBLIC_ID_ALPHABET = string.ascii_uppercase + string.digits
PUBLIC_ID_REGEX = r"^VPY-[A-Z0-9]{6}$"


def new_public_id() -> str:
    # secrets, not random: wallet ids are handed out to strangers and must not be predictable.
    return PUBLIC_ID_PREFIX + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(6))


class WalletKind(models.TextChoices):
    USER = "user", "User"
    SYSTEM = "system", "System"


class SystemWalletPurpose(models.TextChoices):
    WORLD = "world", "@world (money entering and leaving VaultPay)"
    FEES = "fees", "@fees"
    SUSPENSE = "suspense", "@suspense (platform losses and unallocated funds)"
    HOLDS = "holds", "@holds (money authorized on holds, not yet captured or released)"


class WalletStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FROZEN = "frozen", "Frozen"
    CLOSED = "closed", "Closed"


class LimitTier(models.TextChoices):
    """Spending-limit tiers; the amounts live in settings.WALLET_LIMIT_TIERS (see wallets.limits)."""

    UNVERIFIED = "unverified", "Unverified"
    VERIFIED = "verified", "Verified (KYC approved)"


# The one place that says which status changes are allowed. Closed is final.
WALLET_STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    WalletStatus.ACTIVE: frozenset({WalletStatus.FROZEN, WalletStatus.CLOSED}),
    WalletStatus.FROZEN: frozenset({WalletStatus.ACTIVE, WalletStatus.CLOSED}),
    WalletStatus.CLOSED: frozenset(),
}


class Wallet(models.Model):
    public_id = models.CharField(max_length=10, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="wallets"
    )
    kind = models.CharField(max_length=8, choices=WalletKind.choices, default=WalletKind.USER)
    system_purpose = models.CharField(max_length=16, choices=SystemWalletPurpose.choices, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # Cached balance in minor units of a user wallet; the ledger's entries are the truth (manage.py
    # reconcile). System wallets keep no cached balance (it stays 0): every deposit and withdrawal
    # would otherwise lock and rewrite the one @world row of its currency. Theirs is the sum of their
    # entries (ledger.selectors.wallet_balance_from_entries).
    balance = models.BigIntegerField(default=0, editable=False)
    # What the owner's authorized holds set aside (moved to @holds, so no longer in `balance`): the
    # wallet's total is balance + on_hold. Written by ledger.holds under this row's lock.
    on_hold = models.BigIntegerField(default=0, editable=False, help_text="Minor units.")
    status = models.CharField(max_length=8, choices=WalletStatus.choices, default=WalletStatus.ACTIVE)
    # Why the console last froze or unfroze the wallet; the audit log keeps every earlier reason.
    status_reason = models.CharField(max_length=500, blank=True, editable=False)
    # True while the wallet is frozen by its owner (POST /wallet/freeze), who may then lift the freeze
    # themselves; a freeze made in the console is the moderators' to lift.
    frozen_by_owner = models.BooleanField(default=False, editable=False)
    # On the wallet row (not the user) so the limit check reads it from the row it has just locked.
    # A user's new wallet inherits the tier of their previous one (wallet_create).
    limit_tier = models.CharField(max_length=16, choices=LimitTier.choices, default=LimitTier.UNVERIFIED)
    # An admin's override of the tier's limits for this one wallet (wallets.limit_overrides), on the
    # row itself so the limit check (wallets/sql/wallet_move.sql) reads it from the row it has locked.
    # Null: the tier's limit holds.
    limit_override_daily = models.BigIntegerField(null=True, blank=True, editable=False, help_text="Minor units.")
    limit_override_monthly = models.BigIntegerField(null=True, blank=True, editable=False, help_text="Minor units.")
    limit_override_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    limit_override_reason = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(kind=WalletKind.SYSTEM),
                name="wallet_user_balance_non_negative",
            ),
            models.CheckConstraint(condition=Q(on_hold__gte=0), name="wallet_on_hold_non_negative"),
            # The backstop of wallet_move()'s cap: the bigint column can never overflow.
            models.CheckConstraint(condition=Q(balance__lte=WALLET_BALANCE_CAP), name="wallet_balance_within_cap"),
            models.CheckConstraint(
                condition=(Q(kind=WalletKind.USER, owner__isnull=False, system_purpose=""))
                | (Q(kind=WalletKind.SYSTEM, owner__isnull=True) & ~Q(system_purpose="")),
                name="wallet_kind_matches_owner",
            ),
            # One open wallet per user; a closed wallet stays for the history and frees the slot.
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(kind=WalletKind.USER) & ~Q(status=WalletStatus.CLOSED),
                name="wallet_one_open_per_owner",
            ),
            models.UniqueConstraint(
                fields=["currency", "system_purpose"],
                condition=Q(kind=WalletKind.SYSTEM),
                name="wallet_one_system_wallet_per_purpose",
            ),
        ]
        permissions = [
            ("freeze_wallet", "Can freeze and unfreeze wallets"),
            ("close_wallet", "Can close wallets"),
            ("override_wallet_limits", "Can override a wallet's spending limits"),
        ]

    def __str__(self) -> str:
        if self.kind == WalletKind.SYSTEM:
            return f"@{self.system_purpose} {self.currency}"
        return self.public_id

    @property
    def label(self) -> str:
        return str(self)


class WalletUsage(models.Model):
    """What an owner has sent (withdrawals and transfers) in one currency, in one UTC day and one UTC month.

    Kept per owner and currency, not per wallet row: closing a wallet and opening a new one must not
    start the spending limits afresh. Advanced by every outgoing posting under the sending wallet's
    lock (wallets/sql/wallet_move.sql); a period that is not the current one counts as nothing sent.
    `reconcile` checks both totals against the ledger.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    day = models.DateField()
    day_total = models.BigIntegerField(default=0)
    month = models.DateField(help_text="First day of that month.")
    month_total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "currency"], name="wallet_usage_one_per_owner_currency"),
            models.CheckConstraint(condition=Q(day_total__gte=0, month_total__gte=0), name="wallet_usage_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.currency}: {self.day_total} on {self.day}, {self.month_total} in {self.month}"


class PersonalLimit(models.Model):
    """An owner's own, lower spending limit for one period of one wallet, from `effective_at` on.

    The one in force is the newest whose `effective_at` has come; a newer change replaces one still
    pending. Lowering takes effect at once; raising (or going back to the tier: `amount` null) only
    after a cooling-off, so a stolen session cannot lift the limit and empty the wallet the same day.
    """

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="personal_limits")
    period = models.CharField(max_length=8, choices=[("daily", "Daily"), ("monthly", "Monthly")])
    amount = models.BigIntegerField(null=True, blank=True, help_text="Minor units; null: the tier's limit again.")
    effective_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["wallet", "period", "-effective_at"], name="personal_limit_in_force_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="personal_limit_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wallet_id} {self.period}: {self.amount} from {self.effective_at:%Y-%m-%d %H:%M}"
