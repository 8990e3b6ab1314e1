import copy

from wallets.checks import check_limit_tiers


def test_shipped_limit_table_covers_every_tier_and_currency():
    assert check_limit_tiers() == []


def test_a_missing_currency_or_bad_amount_is_a_startup_error(settings):
    table = copy.deepcopy(settings.WALLET_LIMIT_TIERS)
    del table["verified"]["JPY"]
    table["unverified"]["USD"]["daily"] = "-5"
    settings.WALLET_LIMIT_TIERS = table
    errors = check_limit_tiers()
    assert {e.id for e in errors} == {"wallets.E001"}
    assert len(errors) == 3  # JPY daily and monthly, USD daily
