"""Single-use secrets on their way to a Celery worker, sealed so the broker never holds them in clear.

A PIN-reset code or an IP-confirmation token must reach the worker that emails it, and the database
keeps only its hash. The task argument is therefore AES-256-GCM ciphertext under a key derived from
DJANGO_SECRET_KEY (HKDF-SHA256), bound to its purpose and the row it belongs to: a message read off
the broker (Redis keeps it until a worker acknowledges it) reveals nothing, and cannot be replayed
for another row. Changing the secret key makes messages still queued unreadable: the user asks again.
"""

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_NONCE_BYTES = 12


class TaskSecretUnreadable(Exception):
    """The sealed argument was tampered with, belongs to another row, or the secret key changed."""


def _key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"vaultpay:task-secret").derive(
        settings.SECRET_KEY.encode()
    )


def _aad(purpose: str, object_id) -> bytes:
    return f"vaultpay:task-secret:{purpose}:{object_id}".encode()


def task_secret_seal(values: dict[str, str], *, purpose: str, object_id) -> str:
    """Seal `values` (JSON-serialisable) for a task argument: url-safe base64 of nonce || ciphertext."""
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(_key()).encrypt(nonce, json.dumps(values).encode(), _aad(purpose, object_id))
    return base64.urlsafe_b64encode(nonce + ciphertext).decode()


def task_secret_open(sealed: str, *, purpose: str, object_id) -> dict[str, str]:
    """The values sealed by task_secret_seal for the same purpose and object. Raises TaskSecretUnreadable."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        plaintext = AESGCM(_key()).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(purpose, object_id))
    except (InvalidTag, ValueError) as exc:
        raise TaskSecretUnreadable() from exc
    return json.loads(plaintext)
