"""Master-key rotation over every kind of sealed object (vaultpay.envelope).

Each app that seals files registers its kind here from its AppConfig.ready(); `manage.py
rotate_kyc_keys` re-wraps all of them, so no sealed object is left under a key about to be removed.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SealedObjectKind:
    label: str  # how the command's report names it: "KYC document", "dispute evidence"
    on_old_keys: Callable[..., Iterator[Any]]  # (batch_size=...) -> ids not under the current master key
    rewrap: Callable[[Any], bool]  # (id) -> True if re-wrapped now, False if already current


_KINDS: dict[str, SealedObjectKind] = {}


def sealed_object_kind_register(kind: SealedObjectKind) -> None:
    _KINDS[kind.label] = kind


def sealed_object_kinds() -> list[SealedObjectKind]:
    return list(_KINDS.values())
