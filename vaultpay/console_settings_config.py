"""django-constance's settings, imported by vaultpay.settings: what super admins may change in the console.

Each value left empty means the environment's (vaultpay.settings); vaultpay.console_settings validates
and reads them.
"""

CONSTANCE_BACKEND = "constance.backends.database.DatabaseBackend"
CONSTANCE_SUPERUSER_ONLY = True
CONSTANCE_ADDITIONAL_FIELDS = {
    "limit_tiers": ["vaultpay.console_settings.LimitTiersField", {"required": False}],
    "step_up": ["vaultpay.console_settings.StepUpAboveField", {"required": False}],
    "days": ["django.forms.IntegerField", {"min_value": 0, "max_value": 3650}],
}
CONSTANCE_CONFIG = {
    "WALLET_LIMIT_TIERS": (
        {},
        "Spending limits per tier and currency, JSON in major units, e.g. "
        '{"unverified": {"USD": {"daily": "500", "monthly": "2000"}, ...}, "verified": {...}}; '
        "every tier and currency. Empty: WALLET_LIMIT_TIERS from the environment.",
        "limit_tiers",
    ),
    "DISPUTE_WINDOW_DAYS": (
        0,
        "Days after a transaction during which it can be disputed. 0: the environment's.",
        "days",
    ),
    "DISPUTE_REVIEW_DAYS": (0, "Days moderators have to decide a dispute. 0: the environment's.", "days"),
    "STEP_UP_ABOVE": (
        {},
        'Per currency, the amount above which a payment needs a two-factor code, e.g. {"USD": "1000.00"}. '
        "Empty: STEP_UP_ABOVE from the environment.",
        "step_up",
    ),
}
CONSTANCE_CONFIG_FIELDSETS = {
    "Spending limits": ["WALLET_LIMIT_TIERS"],
    "Disputes": ["DISPUTE_WINDOW_DAYS", "DISPUTE_REVIEW_DAYS"],
    "Two-factor step-up": ["STEP_UP_ABOVE"],
}
