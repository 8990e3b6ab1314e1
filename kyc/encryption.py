"""Envelope encryption of KYC documents with AES-256-GCM, and their keyed fingerprint.

Each document gets a fresh 256-bit data key and a 96-bit nonce; the data key is stored only
wrapped by a master key from KYC_MASTER_KEYS ("key_id:base64_32_byte_key,...", newest first).
Both layers bind the submission id as associated data, so a ciphertext or a wrapped key copied
onto another submission fails to decrypt. Rotating master keys re-wraps the small data keys and
never touches the files.
"""

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kyc.exceptions import KycDocumentUnreadable, KycKeyUnknown, KycNotConfigured

NONCE_BYTES = 12
KEY_BYTES = 32


@dataclass(frozen=True)
class SealedDocument:
    ciphertext: bytes  # nonce || AES-GCM ciphertext and tag: what goes to storage
    wrapped_key: bytes  # nonce || AES-GCM(master key, data key)
    key_id: str


@cache
def _parse_master_keys(raw: str) -> tuple[tuple[str, bytes], ...]:
    keys = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key_id, sep, encoded = item.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            key = b""
        if not sep or not key_id or len(key) != KEY_BYTES:
            raise ImproperlyConfigured("KYC_MASTER_KEYS entries must be key_id:base64 of exactly 32 bytes")
        keys.append((key_id.strip(), key))
    if not keys or len({key_id for key_id, _ in keys}) != len(keys):
        raise ImproperlyConfigured("KYC_MASTER_KEYS needs at least one key and unique key ids")
    return tuple(keys)


def master_keys() -> dict[str, bytes]:
    """Key id -> key, current (first) key first. Refuses the development keys on a secure deployment."""
    if settings.KYC_USING_DEV_SECRETS and settings.SECURE:
        raise KycNotConfigured()
    return dict(_parse_master_keys(settings.KYC_MASTER_KEYS))


def current_key_id() -> str:
    return next(iter(master_keys()))


def _document_aad(submission_id) -> bytes:
    return b"vaultpay:kyc-document:" + str(submission_id).encode()


def _data_key_aad(submission_id) -> bytes:
    return b"vaultpay:kyc-data-key:" + str(submission_id).encode()


def _wrap(data_key: bytes, submission_id, key_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master_keys()[key_id]).encrypt(nonce, data_key, _data_key_aad(submission_id))


def _unwrap(wrapped_key: bytes, submission_id, key_id: str) -> bytes:
    keys = master_keys()
    if key_id not in keys:
        raise KycKeyUnknown(details={"key_id": key_id})
    try:
        return AESGCM(keys[key_id]).decrypt(
            wrapped_key[:NONCE_BYTES], wrapped_key[NONCE_BYTES:], _data_key_aad(submission_id)
        )
    except InvalidTag:
        raise KycDocumentUnreadable(details={"part": "wrapped_key"}) from None


def document_seal(*, plaintext: bytes, submission_id) -> SealedDocument:
    """Encrypt a document under a fresh data key wrapped by the current master key."""
    key_id = current_key_id()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plaintext, _document_aad(submission_id))
    return SealedDocument(ciphertext=ciphertext, wrapped_key=_wrap(data_key, submission_id, key_id), key_id=key_id)


def document_open(*, sealed: SealedDocument, submission_id) -> bytes:
    """Decrypt; raises KycDocumentUnreadable on any tampering (GCM's InvalidTag), KycKeyUnknown."""
    data_key = _unwrap(sealed.wrapped_key, submission_id, sealed.key_id)
    if len(sealed.ciphertext) <= NONCE_BYTES:
        raise KycDocumentUnreadable(details={"part": "ciphertext"})
    try:
        return AESGCM(data_key).decrypt(
            sealed.ciphertext[:NONCE_BYTES], sealed.ciphertext[NONCE_BYTES:], _document_aad(submission_id)
        )
    except InvalidTag:
        raise KycDocumentUnreadable(details={"part": "ciphertext"}) from None


def data_key_rewrap(*, wrapped_key: bytes, key_id: str, submission_id) -> tuple[bytes, str]:
    """The same data key wrapped under the current master key: (wrapped key, key id)."""
    new_key_id = current_key_id()
    return _wrap(_unwrap(wrapped_key, submission_id, key_id), submission_id, new_key_id), new_key_id


def document_fingerprint(plaintext: bytes) -> str:
    """HMAC-SHA256 under a secret pepper: equal documents match, and nobody can test a guess offline."""
    if settings.KYC_USING_DEV_SECRETS and settings.SECURE:
        raise KycNotConfigured()
    return hmac.new(settings.KYC_FINGERPRINT_PEPPER.encode(), plaintext, hashlib.sha256).hexdigest()
