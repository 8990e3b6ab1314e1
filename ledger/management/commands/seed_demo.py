import uuid

from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.services import pin_set, user_signup
from ledger.idempotency import idempotency_request_build
from ledger.services import wallet_deposit, wallet_transfer
from vaultpay.money import Money, currency_for, format_minor
from wallets.selectors import wallet_get_open_for_user
from wallets.services import wallet_create

# Demo users may move money from this machine (their "signup" address) with this transaction PIN.
DEMO_IP = "127.0.0.1"
DEMO_PIN = "2468"
DEMO_USERS = [
    ("alice@vaultpay.local", "alice-demo-pass", "Alice", "Anders"),
    ("bob@vaultpay.local", "bob-demo-pass", "Bob", "Brown"),
]


def _key(user, operation: str, payload: dict):
    return idempotency_request_build(user=user, key=str(uuid.uuid4()), operation=operation, payload=payload)


class Command(BaseCommand):
    help = "Load demo users with funded USD wallets and a few transfers, once (a second run only prints them)."

    def handle(self, *args, **options):
        if not User.objects.filter(email=DEMO_USERS[0][0]).exists():
            self._load()
        self.stdout.write(self.style.WARNING("Demo users (development only):"))
        for email, password, *_ in DEMO_USERS:
            wallet = wallet_get_open_for_user(user=User.objects.get(email=email))
            balance = format_minor(wallet.balance, wallet.currency)
            money = f"wallet {wallet.public_id}  balance {balance} {wallet.currency}"
            self.stdout.write(f"  {email} / {password}  PIN {DEMO_PIN}  {money}")

    def _load(self) -> None:
        usd = currency_for("USD")
        users = []
        for email, password, first_name, last_name in DEMO_USERS:
            user = user_signup(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                ip=DEMO_IP,
                email_verified=True,
            )
            pin_set(user=user, pin=DEMO_PIN)
            wallet_create(owner=user, currency=usd)
            wallet_deposit(user=user, amount=Money(100_000, usd), idempotency=_key(user, "deposit", {"seed": email}))
            users.append(user)
        alice, bob = users
        bob_wallet = wallet_get_open_for_user(user=bob).public_id
        alice_wallet = wallet_get_open_for_user(user=alice).public_id
        for sender, recipient, cents, note in [
            (alice, bob_wallet, 2_500, "Lunch"),
            (bob, alice_wallet, 1_250, "Coffee"),
            (alice, bob_wallet, 4_000, "Concert tickets"),
        ]:
            wallet_transfer(
                sender=sender,
                to_wallet_id=recipient,
                amount=Money(cents, usd),
                description=note,
                idempotency=_key(sender, "transfer", {"note": note}),
            )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
