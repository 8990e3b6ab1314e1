"""Dispute evidence at rest: checked by content, size-capped, encrypted with AES-256-GCM.

Each file gets a fresh 256-bit data key; the data key is wrapped (AES-GCM again) by the newest
master key of KYC_MASTER_KEYS and stored beside its key id, so master keys can rotate: older keys
stay listed and still unwrap older files. Without KYC_MASTER_KEYS (the embedded default) a key
derived from DJANGO_SECRET_KEY is used.
"""

import base64
import hashlib
import os
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from ledger.exceptions import EvidenceTooLarge, EvidenceTypeUnsupported

# Magic bytes, not the client's Content-Type or file name: those are whatever the client says.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_NONCE_BYTES = 12
_STORAGE_DIR = "dispute_evidence"
_DERIVED_KEY_ID = "secret-key-derived"


@dataclass(frozen=True)
class StoredEvidence:
    name: str
    content_type: str
    size: int
    key_id: str
    wrapped_key: str


def _master_keys() -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in settings.KYC_MASTER_KEYS:
        key_id, _, encoded = item.partition(":")
        keys[key_id.strip()] = base64.b64decode(encoded.strip())
    if not keys:
        keys[_DERIVED_KEY_ID] = hashlib.sha256(b"vaultpay-evidence-master:" + settings.SECRET_KEY.encode()).digest()
    return keys


def _newest_master_key() -> tuple[str, bytes]:
    return next(iter(_master_keys().items()))


def _sniff(head: bytes) -> str:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise EvidenceTypeUnsupported()


def evidence_store(*, upload: UploadedFile) -> StoredEvidence:
    """Check, encrypt and save an uploaded evidence file. Raises EvidenceTooLarge, EvidenceTypeUnsupported."""
    limit = settings.DISPUTE_EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise EvidenceTooLarge(details={"max_bytes": limit})
    upload.seek(0)
    plaintext = upload.read(limit + 1)
    if len(plaintext) > limit:
        raise EvidenceTooLarge(details={"max_bytes": limit})
    content_type = _sniff(plaintext[:16])

    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE_BYTES)
    name = f"{_STORAGE_DIR}/{uuid.uuid4().hex}.bin"
    # The storage name is bound into the ciphertext, so a file swapped for another fails to decrypt.
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, name.encode())
    key_id, master = _newest_master_key()
    wrap_nonce = os.urandom(_NONCE_BYTES)
    wrapped = wrap_nonce + AESGCM(master).encrypt(wrap_nonce, data_key, key_id.encode())
    saved_name = default_storage.save(name, ContentFile(nonce + ciphertext))
    if saved_name != name:  # pragma: no cover - uuid4 names do not collide
        raise RuntimeError("evidence storage renamed the file")
    return StoredEvidence(
        name=name,
        content_type=content_type,
        size=len(plaintext),
        key_id=key_id,
        wrapped_key=base64.b64encode(wrapped).decode(),
    )


def evidence_read(*, name: str, key_id: str, wrapped_key: str) -> bytes:
    """Decrypt a stored evidence file (raises cryptography's InvalidTag if it was tampered with)."""
    wrapped = base64.b64decode(wrapped_key)
    master = _master_keys()[key_id]
    data_key = AESGCM(master).decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], key_id.encode())
    with default_storage.open(name, "rb") as handle:
        blob = handle.read()
    return AESGCM(data_key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], name.encode())


def evidence_discard(*, name: str) -> None:
    default_storage.delete(name)
