"""Offline risk rules (DESIGN §5): may a store debit a card while HQ is unreachable?

Shaped like EMV/PBOC offline risk management. Checks run in a fixed order and the first
failure is the refusal reason: amount, hot list, known card, per-transaction limit, last
known balance, per-card count, per-card amount, store exposure. The same rules, in points,
govern offline points redemption. A store never checks a PIN offline (PIN hashes stay at
HQ), so `per_transaction` should sit below the amount that needs a PIN online.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from loyalty.config import JsonDict, int_from_json
from loyalty.errors import InvalidConfig


@dataclass(frozen=True, slots=True)
class OfflineLimits:
    """Limits in fen (stored value) or points (points redemption)."""

    per_transaction: int
    per_card_amount: int  # cumulative offline amount since the card last touched HQ
    per_card_count: int  # offline debits since the card last touched HQ
    store_exposure: int  # total offline debits a store holds not yet posted to HQ

    def __post_init__(self) -> None:
        if (
            min(
                self.per_transaction, self.per_card_amount, self.per_card_count, self.store_exposure
            )
            < 0
        ):
            raise InvalidConfig("offline limits must not be negative")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OfflineLimits:
        return cls(*(int_from_json(data, name) for name in _LIMIT_FIELDS))

    def to_dict(self) -> JsonDict:
        return {name: getattr(self, name) for name in _LIMIT_FIELDS}


_LIMIT_FIELDS = ("per_transaction", "per_card_amount", "per_card_count", "store_exposure")


def _default_sv_limits() -> OfflineLimits:
    return OfflineLimits(20_000, 50_000, 3, 2_000_000)


def _default_points_limits() -> OfflineLimits:
    return OfflineLimits(20_000, 50_000, 3, 2_000_000)


@dataclass(frozen=True, slots=True)
class OfflinePolicy:
    """The store's offline limits for stored value and for points."""

    stored_value: OfflineLimits = field(default_factory=_default_sv_limits)
    points: OfflineLimits = field(default_factory=_default_points_limits)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OfflinePolicy:
        return cls(
            OfflineLimits.from_dict(data["stored_value"]), OfflineLimits.from_dict(data["points"])
        )

    def to_dict(self) -> JsonDict:
        return {"stored_value": self.stored_value.to_dict(), "points": self.points.to_dict()}


@dataclass(frozen=True, slots=True)
class CardOfflineState:
    """What the store knows of one card's account since it last touched HQ."""

    card_id: str
    known_balance: int  # last balance from HQ minus offline debits since
    hot_listed: bool = False
    offline_amount: int = 0
    offline_count: int = 0


def card_synced(card_id: str, balance: int, hot_listed: bool) -> CardOfflineState:
    """Fresh state after the card touched HQ: counters restart from the HQ balance."""
    return CardOfflineState(card_id, balance, hot_listed)


@dataclass(frozen=True, slots=True)
class OfflineRiskState:
    """Inputs of one decision: limits, the card's state (None if unknown), store exposure."""

    limits: OfflineLimits
    card: CardOfflineState | None
    store_exposure: int


@dataclass(frozen=True, slots=True)
class OfflineDebitRequest:
    """A stored-value debit (fen) or points redemption (points) asked of the store."""

    card_id: str
    amount: int
    tender_id: str


class RefusalReason(Enum):
    """Stable reason codes shown to the cashier and journaled."""

    INVALID_AMOUNT = "invalid_amount"
    HOT_LISTED = "hot_listed"
    UNKNOWN_CARD = "unknown_card"
    OVER_TRANSACTION_LIMIT = "over_transaction_limit"
    BEYOND_KNOWN_BALANCE = "beyond_known_balance"
    OVER_CARD_COUNT = "over_card_count"
    OVER_CARD_AMOUNT = "over_card_amount"
    OVER_STORE_EXPOSURE = "over_store_exposure"


@dataclass(frozen=True, slots=True)
class Authorisation:
    """Approved offline; the store keeps `card` and `store_exposure` and journals this."""

    request: OfflineDebitRequest
    card: CardOfflineState
    store_exposure: int

    def to_dict(self) -> JsonDict:
        return {
            "outcome": "authorised",
            "tender_id": self.request.tender_id,
            "card_id": self.request.card_id,
            "amount": self.request.amount,
            "known_balance_after": self.card.known_balance,
            "card_offline_amount": self.card.offline_amount,
            "card_offline_count": self.card.offline_count,
            "store_exposure": self.store_exposure,
        }


@dataclass(frozen=True, slots=True)
class Refusal:
    """Refused offline, with the reason."""

    request: OfflineDebitRequest
    reason: RefusalReason

    @property
    def code(self) -> str:
        return self.reason.value

    def to_dict(self) -> JsonDict:
        return {
            "outcome": "refused",
            "tender_id": self.request.tender_id,
            "card_id": self.request.card_id,
            "amount": self.request.amount,
            "reason": self.reason.value,
        }


def _decide(state: OfflineRiskState, request: OfflineDebitRequest) -> Authorisation | Refusal:
    limits, card, amount = state.limits, state.card, request.amount
    if amount <= 0:
        return Refusal(request, RefusalReason.INVALID_AMOUNT)
    if card is not None and card.hot_listed:
        return Refusal(request, RefusalReason.HOT_LISTED)
    if card is None or card.card_id != request.card_id:
        return Refusal(request, RefusalReason.UNKNOWN_CARD)
    checks = (
        (amount > limits.per_transaction, RefusalReason.OVER_TRANSACTION_LIMIT),
        (amount > card.known_balance, RefusalReason.BEYOND_KNOWN_BALANCE),
        (card.offline_count + 1 > limits.per_card_count, RefusalReason.OVER_CARD_COUNT),
        (card.offline_amount + amount > limits.per_card_amount, RefusalReason.OVER_CARD_AMOUNT),
        (state.store_exposure + amount > limits.store_exposure, RefusalReason.OVER_STORE_EXPOSURE),
    )
    for failed, reason in checks:
        if failed:
            return Refusal(request, reason)
    after = replace(
        card,
        known_balance=card.known_balance - amount,
        offline_amount=card.offline_amount + amount,
        offline_count=card.offline_count + 1,
    )
    return Authorisation(request, after, state.store_exposure + amount)


def authorise_offline_debit(
    state: OfflineRiskState, request: OfflineDebitRequest
) -> Authorisation | Refusal:
    """Decide a stored-value debit (fen) while HQ is unreachable."""
    return _decide(state, request)


def authorise_offline_points(
    state: OfflineRiskState, request: OfflineDebitRequest
) -> Authorisation | Refusal:
    """Decide a points redemption (points) while HQ is unreachable; same rules, in points."""
    return _decide(state, request)


def exposure_after_posting(store_exposure: int, posted: int) -> int:
    """Store exposure once HQ acknowledges `posted` of its offline debits."""
    return max(store_exposure - posted, 0)


def check_below_pin_threshold(limits: OfflineLimits, pin_required_above: int) -> None:
    """Refuse stored-value offline limits that would let a debit skip a PIN HQ would ask for."""
    if limits.per_transaction > pin_required_above:
        raise InvalidConfig(
            "offline per-transaction limit must not exceed the PIN threshold", "per_transaction"
        )
