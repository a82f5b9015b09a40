"""Stored value: top-up bonus schedules, principal/bonus spend split, caps, refunds, transfers.

Every function takes the account's current balance and returns ledger entries; a balance
is the sum of its entries. Each entry splits into `principal` (the customer's money, a
prepaid liability) and `bonus` (the chain's gift), and records the store where it
happened so cross-store settlement is a query over entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from loyalty.cards import Card, CardState, ensure_usable
from loyalty.config import JsonDict, int_from_json
from loyalty.errors import (
    InsufficientBalance,
    InvalidAmount,
    InvalidConfig,
    OverCap,
    ReturnExceedsSale,
    TransferNotAllowed,
)
from retail.money import allocate, format_minor


class SvEntryKind(Enum):
    """Why stored value moved."""

    TOP_UP = "top_up"
    BONUS = "bonus"  # a bonus credited on its own (e.g. a referral reward)
    SPEND = "spend"
    REFUND = "refund"  # a sale paid by card was returned: value goes back to the card
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    CANCEL_REFUND = "cancel_refund"  # card cancelled: principal paid back to the member
    BONUS_FORFEIT = "bonus_forfeit"  # card cancelled: bonus lapses


class SpendOrder(Enum):
    """Which part of the balance a spend uses first."""

    BONUS_FIRST = "bonus_first"
    PRINCIPAL_FIRST = "principal_first"
    PROPORTIONAL = "proportional"


@dataclass(frozen=True, slots=True)
class Balance:
    """Principal and bonus, fen."""

    principal: int = 0
    bonus: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.bonus


@dataclass(frozen=True, slots=True)
class SvEntry:
    """One stored-value ledger row; `principal` and `bonus` are signed fen."""

    account_id: str
    kind: SvEntryKind
    principal: int
    bonus: int
    store_id: str
    ref: str
    overdraft: int = 0  # offline debit posted beyond the balance: flagged, never hidden

    @property
    def amount(self) -> int:
        return self.principal + self.bonus


def balance_of(entries: Iterable[SvEntry]) -> Balance:
    """The balance is the sum of the entries."""
    principal = bonus = 0
    for entry in entries:
        principal += entry.principal
        bonus += entry.bonus
    return Balance(principal, bonus)


@dataclass(frozen=True, slots=True)
class BonusStep:
    """Top up at least `min_top_up` fen, get `bonus` fen."""

    min_top_up: int
    bonus: int


@dataclass(frozen=True, slots=True)
class StoredValuePolicy:
    """Bonus schedule, spend order and the single-purpose prepaid card caps (fen).

    The bonus is the highest step reached (not summed, not repeated per multiple).
    Caps apply to principal unless `cap_includes_bonus`.
    """

    bonus_steps: tuple[BonusStep, ...] = ()
    spend_order: SpendOrder = SpendOrder.BONUS_FIRST
    registered_cap: int = 500_000
    anonymous_cap: int = 100_000
    cap_includes_bonus: bool = False
    min_top_up: int = 100
    pin_required_above: int = 50_000  # a single debit above this needs the member's PIN

    def __post_init__(self) -> None:
        minima = [s.min_top_up for s in self.bonus_steps]
        if minima != sorted(set(minima)) or any(s.bonus < 0 for s in self.bonus_steps):
            raise InvalidConfig(
                "bonus steps must have increasing minima and bonus >= 0", "bonus_steps"
            )
        if (
            min(self.registered_cap, self.anonymous_cap, self.min_top_up, self.pin_required_above)
            <= 0
        ):
            raise InvalidConfig("caps and minimum top-up must be positive")

    def cap_for(self, card: Card) -> int:
        return self.registered_cap if card.registered else self.anonymous_cap

    def bonus_for(self, amount: int) -> int:
        """The bonus a top-up of `amount` fen earns: the highest step it reaches."""
        reached = [s.bonus for s in self.bonus_steps if amount >= s.min_top_up]
        return reached[-1] if reached else 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredValuePolicy:
        return cls(
            bonus_steps=tuple(
                BonusStep(int_from_json(s, "min_top_up"), int_from_json(s, "bonus"))
                for s in data.get("bonus_steps", ())
            ),
            spend_order=SpendOrder(data.get("spend_order", SpendOrder.BONUS_FIRST.value)),
            registered_cap=int_from_json(data, "registered_cap", 500_000),
            anonymous_cap=int_from_json(data, "anonymous_cap", 100_000),
            cap_includes_bonus=bool(data.get("cap_includes_bonus", False)),
            min_top_up=int_from_json(data, "min_top_up", 100),
            pin_required_above=int_from_json(data, "pin_required_above", 50_000),
        )

    def to_dict(self) -> JsonDict:
        return {
            "bonus_steps": [
                {"min_top_up": s.min_top_up, "bonus": s.bonus} for s in self.bonus_steps
            ],
            "spend_order": self.spend_order.value,
            "registered_cap": self.registered_cap,
            "anonymous_cap": self.anonymous_cap,
            "cap_includes_bonus": self.cap_includes_bonus,
            "min_top_up": self.min_top_up,
            "pin_required_above": self.pin_required_above,
        }

    def needs_pin(self, amount: int) -> bool:
        """Whether a debit of `amount` fen must be confirmed with the member's PIN."""
        return amount > self.pin_required_above


def _check_cap(policy: StoredValuePolicy, card: Card, after: Balance) -> None:
    held = after.total if policy.cap_includes_bonus else after.principal
    cap = policy.cap_for(card)
    if held > cap:
        kind = "registered" if card.registered else "anonymous"
        raise OverCap(f"an {kind} card holds at most {format_minor(cap)} yuan", cap)


def top_up(
    policy: StoredValuePolicy,
    card: Card,
    current: Balance,
    amount: int,
    *,
    store_id: str,
    ref: str,
) -> SvEntry:
    """Credit `amount` fen of principal plus the schedule's bonus, within the card's cap."""
    ensure_usable(card)
    if amount < policy.min_top_up:
        raise InvalidAmount(f"top-up must be at least {format_minor(policy.min_top_up)} yuan")
    bonus = policy.bonus_for(amount)
    _check_cap(policy, card, Balance(current.principal + amount, current.bonus + bonus))
    return SvEntry(card.account_id, SvEntryKind.TOP_UP, amount, bonus, store_id, ref)


def grant_bonus(account_id: str, amount: int, *, store_id: str, ref: str) -> SvEntry:
    """Credit bonus alone (referral reward, goodwill); bonus is outside the cap by default."""
    if amount <= 0:
        raise InvalidAmount("a bonus must be positive")
    return SvEntry(account_id, SvEntryKind.BONUS, 0, amount, store_id, ref)


def split_spend(current: Balance, amount: int, order: SpendOrder) -> Balance:
    """How much of `amount` comes out of principal and bonus; never more than either holds."""
    if amount <= 0:
        raise InvalidAmount("a spend must be positive")
    if amount > current.total or current.principal < 0 or current.bonus < 0:
        raise InsufficientBalance(
            f"balance {format_minor(current.total)} does not cover {format_minor(amount)}"
        )
    if order is SpendOrder.BONUS_FIRST:
        bonus = min(amount, current.bonus)
        return Balance(amount - bonus, bonus)
    if order is SpendOrder.PRINCIPAL_FIRST:
        principal = min(amount, current.principal)
        return Balance(principal, amount - principal)
    principal, bonus = allocate(amount, [current.principal, current.bonus])
    return Balance(principal, bonus)


def spend(
    policy: StoredValuePolicy,
    card: Card,
    current: Balance,
    amount: int,
    *,
    store_id: str,
    ref: str,
) -> SvEntry:
    """Debit a purchase from the card by the policy's spend order."""
    ensure_usable(card)
    part = split_spend(current, amount, policy.spend_order)
    return SvEntry(card.account_id, SvEntryKind.SPEND, -part.principal, -part.bonus, store_id, ref)


def post_offline_spend(
    policy: StoredValuePolicy,
    account_id: str,
    current: Balance,
    amount: int,
    *,
    store_id: str,
    ref: str,
) -> SvEntry:
    """Post a debit a store authorised offline: it is owed even if the card is now frozen
    or the balance moved; any shortfall goes to principal as a flagged overdraft."""
    if amount <= 0:
        raise InvalidAmount("a spend must be positive")
    covered = min(amount, max(current.principal, 0) + max(current.bonus, 0))
    part = (
        split_spend(
            Balance(max(current.principal, 0), max(current.bonus, 0)), covered, policy.spend_order
        )
        if covered
        else Balance()
    )
    overdraft = amount - covered
    return SvEntry(
        account_id,
        SvEntryKind.SPEND,
        -(part.principal + overdraft),
        -part.bonus,
        store_id,
        ref,
        overdraft=overdraft,
    )


def refund_spend(
    original: SvEntry, amount: int, *, prior_refunded: int = 0, store_id: str, ref: str
) -> SvEntry:
    """Give back (part of) a card spend in the same principal/bonus proportion.

    Cumulative: after refunds adding up to the whole spend, principal and bonus are
    restored exactly. Not cap-checked: it returns value the card already held.
    """
    spent = -original.amount
    if original.kind is not SvEntryKind.SPEND or spent <= 0:
        raise InvalidAmount("only a spend can be refunded", "ref")
    if amount <= 0 or prior_refunded < 0 or prior_refunded + amount > spent:
        raise ReturnExceedsSale(f"refund {amount} of a {spent} spend, {prior_refunded} refunded")

    def bonus_back(total: int) -> int:
        return allocate(total, [-original.principal, -original.bonus])[1] if total else 0

    bonus = bonus_back(prior_refunded + amount) - bonus_back(prior_refunded)
    return SvEntry(original.account_id, SvEntryKind.REFUND, amount - bonus, bonus, store_id, ref)


def transfer(
    policy: StoredValuePolicy,
    source: Card,
    target: Card,
    source_balance: Balance,
    target_balance: Balance,
    amount: int,
    *,
    store_id: str,
    ref: str,
) -> tuple[SvEntry, SvEntry]:
    """Move principal (only) between two active registered cards of one member.

    Bonus stays behind: it was given with the source card's top-ups.
    """
    for card in (source, target):
        ensure_usable(card)
    if source.member_id is None or source.member_id != target.member_id:
        raise TransferNotAllowed("transfers are between registered cards of one member", "target")
    if source.account_id == target.account_id:
        raise TransferNotAllowed("the cards share one account", "target")
    if amount <= 0:
        raise InvalidAmount("a transfer must be positive")
    if amount > source_balance.principal:
        raise InsufficientBalance(
            f"only {format_minor(max(source_balance.principal, 0))} yuan principal can move"
        )
    _check_cap(policy, target, Balance(target_balance.principal + amount, target_balance.bonus))
    return (
        SvEntry(source.account_id, SvEntryKind.TRANSFER_OUT, -amount, 0, store_id, ref),
        SvEntry(target.account_id, SvEntryKind.TRANSFER_IN, amount, 0, store_id, ref),
    )


@dataclass(frozen=True, slots=True)
class CancelSettlement:
    """Entries closing a cancelled card's stored value; `refund_due` is paid to the member."""

    entries: tuple[SvEntry, ...]
    refund_due: int
    bonus_forfeited: int


def cancel_balance(card: Card, current: Balance, *, store_id: str, ref: str) -> CancelSettlement:
    """Refund principal, forfeit bonus. A negative principal (overdraft) is left owing."""
    if card.state is not CardState.CANCELLED:
        raise TransferNotAllowed("cancel the card first (cards.cancel_card)", "card")
    entries: list[SvEntry] = []
    refund = max(current.principal, 0)
    if refund:
        entries.append(
            SvEntry(card.account_id, SvEntryKind.CANCEL_REFUND, -refund, 0, store_id, ref)
        )
    forfeit = max(current.bonus, 0)
    if forfeit:
        entries.append(
            SvEntry(card.account_id, SvEntryKind.BONUS_FORFEIT, 0, -forfeit, store_id, ref)
        )
    return CancelSettlement(tuple(entries), refund, forfeit)
