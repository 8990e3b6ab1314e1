"""KYC documents at rest: sealed with the shared AES-256-GCM envelope (vaultpay.envelope), and
their keyed fingerprint for spotting the same document on two accounts."""

import hashlib
import hmac
from contextlib import contextmanager

from django.conf import settings

from kyc.exceptions import KycDocumentUnreadable, KycKeyUnknown, KycNotConfigured
from vaultpay.envelope import (
    EncryptedFileUnreadable,
    EncryptionKeyUnknown,
    EncryptionNotConfigured,
    Sealed,
    envelope_open,
    envelope_rewrap,
    envelope_seal,
)
from vaultpay.envelope import current_key_id as envelope_current_key_id

# A KYC document is sealed with the shared envelope; its submission id is the bound object.
SealedDocument = Sealed
_PURPOSE = "kyc"


@contextmanager
def _kyc_errors():
    """Report the envelope's failures with KYC's own error codes."""
    try:
        yield
    except EncryptionNotConfigured:
        raise KycNotConfigured() from None
    except EncryptionKeyUnknown as exc:
        raise KycKeyUnknown(details=exc.details) from None
    except EncryptedFileUnreadable as exc:
        raise KycDocumentUnreadable(details=exc.details) from None


def current_key_id() -> str:
    with _kyc_errors():
        return envelope_current_key_id()


def document_seal(*, plaintext: bytes, submission_id) -> SealedDocument:
    """Encrypt a document under a fresh data key wrapped by the current master key."""
    with _kyc_errors():
        return envelope_seal(plaintext=plaintext, purpose=_PURPOSE, object_id=submission_id)


def document_open(*, sealed: SealedDocument, submission_id) -> bytes:
    """Decrypt; raises KycDocumentUnreadable on any tampering (GCM's InvalidTag), KycKeyUnknown."""
    with _kyc_errors():
        return envelope_open(sealed=sealed, purpose=_PURPOSE, object_id=submission_id)


def data_key_rewrap(*, wrapped_key: bytes, key_id: str, submission_id) -> tuple[bytes, str]:
    """The same data key wrapped under the current master key: (wrapped key, key id)."""
    with _kyc_errors():
        return envelope_rewrap(wrapped_key=wrapped_key, key_id=key_id, purpose=_PURPOSE, object_id=submission_id)


def document_fingerprint(plaintext: bytes) -> str:
    """HMAC-SHA256 under a secret pepper: equal documents match, and nobody can test a guess offline."""
    if settings.KYC_USING_DEV_SECRETS and settings.SECURE:
        raise KycNotConfigured()
    return hmac.new(settings.KYC_FINGERPRINT_PEPPER.encode(), plaintext, hashlib.sha256).hexdigest()
