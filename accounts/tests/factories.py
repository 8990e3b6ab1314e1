import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.client_ip import ip_hash
from accounts.models import KnownIp, KnownIpStatus, TransactionPin, User
from accounts.pin import pin_hash, pin_new_salt

DEFAULT_PASSWORD = "correct-horse-battery"
DEFAULT_PIN = "4826"  # the PIN the ledger tests send (ledger.tests.helpers.TEST_PIN)
# The address Django's test client sends from: factory users are trusted there, as after a signup.
TEST_CLIENT_IP = "127.0.0.1"


class UserFactory(DjangoModelFactory):
    """A user with a password, the transaction PIN DEFAULT_PIN and the test client's IP trusted.

    UserFactory(pin="") makes a user without a PIN; UserFactory(trusted_ip="") one with no known IP.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    # Verified, as most tests need a user who may send money; UserFactory(email_verified_at=None) is not.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def pin(obj, create, extracted, **kwargs):
        pin = DEFAULT_PIN if extracted is None else extracted
        if create and pin:
            salt = pin_new_salt()
            TransactionPin.objects.create(user=obj, salt=salt, pin_hash=pin_hash(pin, salt))

    @factory.post_generation
    def trusted_ip(obj, create, extracted, **kwargs):
        ip = TEST_CLIENT_IP if extracted is None else extracted
        if create and ip:
            now = timezone.now()
            KnownIp.objects.create(
                user=obj, ip_hash=ip_hash(ip), status=KnownIpStatus.TRUSTED, first_seen=now, last_seen=now
            )
