"""Request context that every audit row carries without each service passing it along.

The client-IP middleware (accounts.client_ip) sets the keyed hash of the caller's IP here, the same
way vaultpay.request_id carries the request id.
"""

from contextvars import ContextVar

_current_ip_hash: ContextVar[str] = ContextVar("audit_ip_hash", default="")


def current_ip_hash() -> str:
    return _current_ip_hash.get()


def set_current_ip_hash(value: str):
    """Set the IP hash for this request; returns the token to reset it with."""
    return _current_ip_hash.set(value)


def reset_current_ip_hash(token) -> None:
    _current_ip_hash.reset(token)
