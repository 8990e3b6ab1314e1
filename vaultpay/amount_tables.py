"""The per-currency amount tables VaultPay's settings default to, in major units (decimal strings).

Kept apart from the settings module, which reads them from the environment or falls back to these.
Amounts are set per currency, not converted: each currency has its own round amounts of about the
same purchasing power. No Django import: the settings module loads this before Django is set up.
"""

# Outgoing withdrawals and transfers per UTC day and UTC month, per tier (WALLET_LIMIT_TIERS).
LIMIT_TIERS = {
    "unverified": {
        "USD": {"daily": "500", "monthly": "2000"},
        "EUR": {"daily": "500", "monthly": "2000"},
        "GBP": {"daily": "400", "monthly": "1600"},
        "INR": {"daily": "40000", "monthly": "160000"},
        "NGN": {"daily": "750000", "monthly": "3000000"},
        "JPY": {"daily": "75000", "monthly": "300000"},
        "KWD": {"daily": "150", "monthly": "600"},
    },
    "verified": {
        "USD": {"daily": "10000", "monthly": "50000"},
        "EUR": {"daily": "10000", "monthly": "50000"},
        "GBP": {"daily": "8000", "monthly": "40000"},
        "INR": {"daily": "800000", "monthly": "4000000"},
        "NGN": {"daily": "15000000", "monthly": "75000000"},
        "JPY": {"daily": "1500000", "monthly": "7500000"},
        "KWD": {"daily": "3000", "monthly": "15000"},
    },
}

# A large payment: above it a reversal needs a second moderator (DISPUTE_DUAL_CONTROL_ABOVE) and a
# withdrawal or transfer of a user with two-factor on needs a one-time code (STEP_UP_ABOVE).
LARGE_PAYMENT = {
    "USD": "1000",
    "EUR": "1000",
    "GBP": "800",
    "INR": "80000",
    "NGN": "1500000",
    "JPY": "150000",
    "KWD": "300",
}
