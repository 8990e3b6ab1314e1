"""Dispute evidence at rest: received in memory only (vaultpay.uploads, the pipeline KYC documents
use too), checked by content, size-capped, sealed with the shared AES-256-GCM envelope
(vaultpay.envelope) under the same master keys as KYC documents.

The storage name is the object the envelope binds, so a file swapped for another fails to decrypt.
"""

import base64
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from ledger.exceptions import EvidenceTooLarge, EvidenceTypeUnsupported
from vaultpay.envelope import Sealed, envelope_open, envelope_rewrap, envelope_seal
from vaultpay.file_types import ACCEPTED_DOCUMENT_TYPES, document_type_sniff

_STORAGE_DIR = "dispute_evidence"
_PURPOSE = "dispute-evidence"


@dataclass(frozen=True)
class StoredEvidence:
    name: str
    content_type: str
    size: int
    key_id: str
    wrapped_key: str  # base64, as kept on the dispute row


def evidence_store(*, upload: UploadedFile) -> StoredEvidence:
    """Check, encrypt and save an uploaded evidence file. Raises EvidenceTooLarge, EvidenceTypeUnsupported."""
    limit = settings.DISPUTE_EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise EvidenceTooLarge(details={"max_bytes": limit})
    upload.seek(0)
    plaintext = upload.read(limit + 1)
    if len(plaintext) > limit:
        raise EvidenceTooLarge(details={"max_bytes": limit})
    content_type = document_type_sniff(plaintext)
    if content_type is None:
        raise EvidenceTypeUnsupported(details={"accepted": ACCEPTED_DOCUMENT_TYPES})

    name = f"{_STORAGE_DIR}/{uuid.uuid4().hex}.bin"
    sealed = envelope_seal(plaintext=plaintext, purpose=_PURPOSE, object_id=name)
    saved_name = default_storage.save(name, ContentFile(sealed.ciphertext))
    if saved_name != name:  # pragma: no cover - uuid4 names do not collide
        raise RuntimeError("evidence storage renamed the file")
    return StoredEvidence(
        name=name,
        content_type=content_type,
        size=len(plaintext),
        key_id=sealed.key_id,
        wrapped_key=base64.b64encode(sealed.wrapped_key).decode(),
    )


def evidence_read(*, name: str, key_id: str, wrapped_key: str) -> bytes:
    """Decrypt a stored evidence file. Raises EncryptedFileUnreadable (tampered), EncryptionKeyUnknown."""
    with default_storage.open(name, "rb") as handle:
        ciphertext = handle.read()
    sealed = Sealed(ciphertext=ciphertext, wrapped_key=base64.b64decode(wrapped_key), key_id=key_id)
    return envelope_open(sealed=sealed, purpose=_PURPOSE, object_id=name)


def evidence_rewrap(*, name: str, key_id: str, wrapped_key: str) -> tuple[str, str]:
    """The same data key wrapped under the current master key: (base64 wrapped key, key id).

    Raises EncryptionKeyUnknown, EncryptedFileUnreadable (the wrapped key was tampered with).
    """
    rewrapped, new_key_id = envelope_rewrap(
        wrapped_key=base64.b64decode(wrapped_key), key_id=key_id, purpose=_PURPOSE, object_id=name
    )
    return base64.b64encode(rewrapped).decode(), new_key_id


def evidence_discard(*, name: str) -> None:
    default_storage.delete(name)
