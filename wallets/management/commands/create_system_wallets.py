from django.core.management.base import BaseCommand

from vaultpay.money import CURRENCIES
from wallets.models import SystemWalletPurpose
from wallets.services import wallet_system_get


class Command(BaseCommand):
    help = "Create the @world, @fees and @suspense wallets of every supported currency (idempotent)."

    def handle(self, *args, **options):
        for currency in CURRENCIES:
            for purpose in SystemWalletPurpose:
                wallet_system_get(currency=currency, purpose=purpose)
        self.stdout.write(f"System wallets ready for {len(CURRENCIES)} currencies.")
