"""Envelope encryption of files at rest with AES-256-GCM: KYC documents and dispute evidence.

Each file gets a fresh 256-bit data key and a 96-bit nonce; the data key is stored only wrapped by
a master key from KYC_MASTER_KEYS ("key_id:base64_32_byte_key,...", newest first). Both layers bind
the owning object (a purpose and its id) as associated data, so a ciphertext or a wrapped key
copied onto another object fails to decrypt. Rotating master keys re-wraps the small data keys and
never touches the files.
"""

import base64
import binascii
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import status

from vaultpay.errors import VaultPayError

NONCE_BYTES = 12
KEY_BYTES = 32


class EncryptionNotConfigured(VaultPayError):
    code = "encryption_not_configured"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "File encryption keys are not configured on this server (KYC_MASTER_KEYS)."


class EncryptionKeyUnknown(VaultPayError):
    code = "encryption_key_unknown"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "The master key this file was wrapped with is not configured."


class EncryptedFileUnreadable(VaultPayError):
    """The ciphertext or its wrapped key failed authentication: tampered with, truncated or missing."""

    code = "encrypted_file_unreadable"
    status_code = status.HTTP_409_CONFLICT
    message = "The stored file failed its integrity check and cannot be shown."


@dataclass(frozen=True)
class Sealed:
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
        raise EncryptionNotConfigured()
    return dict(_parse_master_keys(settings.KYC_MASTER_KEYS))


def current_key_id() -> str:
    return next(iter(master_keys()))


def _aad(purpose: str, layer: str, object_id) -> bytes:
    return f"vaultpay:{purpose}-{layer}:{object_id}".encode()


def _wrap(data_key: bytes, *, purpose: str, object_id, key_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master_keys()[key_id]).encrypt(nonce, data_key, _aad(purpose, "data-key", object_id))


def _unwrap(wrapped_key: bytes, *, purpose: str, object_id, key_id: str) -> bytes:
    keys = master_keys()
    if key_id not in keys:
        raise EncryptionKeyUnknown(details={"key_id": key_id})
    try:
        return AESGCM(keys[key_id]).decrypt(
            wrapped_key[:NONCE_BYTES], wrapped_key[NONCE_BYTES:], _aad(purpose, "data-key", object_id)
        )
    except InvalidTag:
        raise EncryptedFileUnreadable(details={"part": "wrapped_key"}) from None


def envelope_seal(*, plaintext: bytes, purpose: str, object_id) -> Sealed:
    """Encrypt under a fresh data key wrapped by the current master key."""
    key_id = current_key_id()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plaintext, _aad(purpose, "document", object_id))
    wrapped_key = _wrap(data_key, purpose=purpose, object_id=object_id, key_id=key_id)
    return Sealed(ciphertext=ciphertext, wrapped_key=wrapped_key, key_id=key_id)


def envelope_open(*, sealed: Sealed, purpose: str, object_id) -> bytes:
    """Decrypt; raises EncryptedFileUnreadable on any tampering (GCM's InvalidTag), EncryptionKeyUnknown."""
    data_key = _unwrap(sealed.wrapped_key, purpose=purpose, object_id=object_id, key_id=sealed.key_id)
    if len(sealed.ciphertext) <= NONCE_BYTES:
        raise EncryptedFileUnreadable(details={"part": "ciphertext"})
    try:
        return AESGCM(data_key).decrypt(
            sealed.ciphertext[:NONCE_BYTES], sealed.ciphertext[NONCE_BYTES:], _aad(purpose, "document", object_id)
        )
    except InvalidTag:
        raise EncryptedFileUnreadable(details={"part": "ciphertext"}) from None


def envelope_rewrap(*, wrapped_key: bytes, key_id: str, purpose: str, object_id) -> tuple[bytes, str]:
    """The same data key wrapped under the current master key: (wrapped key, key id)."""
    data_key = _unwrap(wrapped_key, purpose=purpose, object_id=object_id, key_id=key_id)
    new_key_id = current_key_id()
    return _wrap(data_key, purpose=purpose, object_id=object_id, key_id=new_key_id), new_key_id
