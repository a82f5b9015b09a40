"""Card PIN policy: six digits, not trivial, locked after too many wrong tries.

Hashing lives here (argon2 through argon2-cffi) because it is pure computation and HQ is
the only place PINs are checked: a store offline never verifies a PIN, so offline debits
must stay below the amount that needs one (see `offline.py`). The hasher is a small
protocol so tests can use cheap parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from loyalty.config import JsonDict, int_from_json
from loyalty.errors import InvalidConfig, PinLocked, PinNotSet, WeakPin

PIN_LENGTH = 6


class PinHasher(Protocol):
    """Hashes and verifies PINs."""

    def hash(self, pin: str) -> str: ...

    def verify(self, pin_hash: str, pin: str) -> bool: ...


class Argon2PinHasher:
    """argon2id with argon2-cffi's defaults (or the parameters given)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    def hash(self, pin: str) -> str:
        return self._hasher.hash(pin)

    def verify(self, pin_hash: str, pin: str) -> bool:
        try:
            return self._hasher.verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):
            return False


@dataclass(frozen=True, slots=True)
class PinPolicy:
    """How many consecutive wrong tries lock the PIN."""

    max_tries: int = 5

    def __post_init__(self) -> None:
        if self.max_tries < 1:
            raise InvalidConfig("max_tries must be at least 1", "max_tries")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PinPolicy:
        return cls(max_tries=int_from_json(data, "max_tries", 5))

    def to_dict(self) -> JsonDict:
        return {"max_tries": self.max_tries}


@dataclass(frozen=True, slots=True)
class PinState:
    """What the card row stores about its PIN."""

    pin_hash: str | None = None
    failed_tries: int = 0
    locked: bool = False


@dataclass(frozen=True, slots=True)
class PinCheck:
    """Outcome of a PIN try; persist `state` whether or not it was accepted."""

    state: PinState
    accepted: bool
    tries_left: int


def check_pin_strength(pin: str) -> None:
    """Refuse PINs that are not six ASCII digits, all one digit, or a straight run."""
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise WeakPin(f"PIN must be {PIN_LENGTH} digits")
    if len(set(pin)) == 1:
        raise WeakPin("PIN must not be one repeated digit")
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if steps in ({1}, {-1}):
        raise WeakPin("PIN must not be a run like 123456")


def set_pin(pin: str, hasher: PinHasher) -> PinState:
    """A fresh PIN state (first set, or reset by staff after identity checks)."""
    check_pin_strength(pin)
    return PinState(pin_hash=hasher.hash(pin))


reset_pin = set_pin


def verify_pin(state: PinState, pin: str, hasher: PinHasher, policy: PinPolicy) -> PinCheck:
    """Try a PIN: success clears the counter; the `max_tries`-th failure locks it."""
    if state.pin_hash is None:
        raise PinNotSet("no PIN has been set on this card")
    if state.locked:
        raise PinLocked("PIN is locked after too many wrong tries; it must be reset")
    if hasher.verify(state.pin_hash, pin):
        return PinCheck(replace(state, failed_tries=0), accepted=True, tries_left=policy.max_tries)
    failed = state.failed_tries + 1
    locked = failed >= policy.max_tries
    return PinCheck(
        PinState(state.pin_hash, failed, locked),
        accepted=False,
        tries_left=max(policy.max_tries - failed, 0),
    )


def change_pin(
    state: PinState, old_pin: str, new_pin: str, hasher: PinHasher, policy: PinPolicy
) -> PinCheck:
    """Change the PIN after checking the old one; a wrong old PIN counts as a failed try."""
    check_pin_strength(new_pin)
    result = verify_pin(state, old_pin, hasher, policy)
    if not result.accepted:
        return result
    return PinCheck(set_pin(new_pin, hasher), accepted=True, tries_left=policy.max_tries)
