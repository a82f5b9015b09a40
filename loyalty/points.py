"""Points lots and ledger entries: redeem, adjust, reverse on return, expire.

A points account is a set of lots. Each lot remembers what earned it, when it becomes
spendable (pending during the return window) and the last day it can be used. The
functions here read lots and return `PointsEntry` rows; the HQ ledger persists them and
applies debits to the lots' `remaining` (`apply_debits`) under a row lock. Credits come
with their own new lot, created with `remaining == points`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from fractions import Fraction

from loyalty.errors import InsufficientPoints, InvalidAmount, ReturnExceedsSale
from loyalty.points_expiry import ExpiryPolicy, valid_until
from retail.money import round_half_up


class PointsEntryKind(Enum):
    """Why points moved."""

    EARN = "earn"
    REDEEM = "redeem"  # points used as a tender
    GIFT = "gift"  # points exchanged for a catalog gift
    REVERSE = "reverse"  # a return took back points its sale earned
    EXPIRE = "expire"
    ADJUST = "adjust"  # manual, with a reason
    REFERRAL = "referral"
    REFUND = "refund"  # a return gave back points its sale was paid with


class LotSource(Enum):
    """What created a lot."""

    SALE = "sale"
    ADJUSTMENT = "adjustment"
    REFERRAL = "referral"
    REFUND = "refund"  # points paid as a tender, given back by a return


@dataclass(frozen=True, slots=True)
class EarnedLine:
    """How much of a sale lot one sale line earned, to reverse it exactly on return."""

    line_id: str
    amount: int  # fen the points were earned on
    points: int


@dataclass(frozen=True, slots=True)
class PointsLot:
    """Points credited together, pending until `available_on`, usable through `valid_until`."""

    lot_id: str
    account_id: str
    source: LotSource
    points: int
    remaining: int
    earned_on: date
    available_on: date
    valid_until: date | None
    ref: str  # the sale / adjustment / referral document id
    lines: tuple[EarnedLine, ...] = ()

    def is_available(self, on: date) -> bool:
        """Spendable on `on`: out of its pending window, not expired, not used up."""
        return self.remaining > 0 and self.available_on <= on and not self.is_expired(on)

    def is_pending(self, on: date) -> bool:
        return self.remaining > 0 and on < self.available_on and not self.is_expired(on)

    def is_expired(self, on: date) -> bool:
        return self.valid_until is not None and self.valid_until < on


@dataclass(frozen=True, slots=True)
class PointsEntry:
    """One ledger row: signed points against one lot."""

    account_id: str
    kind: PointsEntryKind
    lot_id: str
    points: int
    on: date
    ref: str
    reason: str = ""
    store_id: str | None = None


@dataclass(frozen=True, slots=True)
class PointsBalance:
    """Available, pending and soon-expiring points on a day."""

    available: int
    pending: int
    expiring_within_30_days: int


def new_lot(
    *,
    lot_id: str,
    account_id: str,
    source: LotSource,
    points: int,
    earned_on: date,
    pending_days: int,
    expiry: ExpiryPolicy,
    ref: str,
    lines: tuple[EarnedLine, ...] = (),
) -> PointsLot:
    """A fresh lot with its pending window and expiry date worked out."""
    if points <= 0:
        raise InvalidAmount("a lot holds a positive number of points", "points")
    return PointsLot(
        lot_id=lot_id,
        account_id=account_id,
        source=source,
        points=points,
        remaining=points,
        earned_on=earned_on,
        available_on=earned_on + timedelta(days=pending_days),
        valid_until=valid_until(expiry, earned_on),
        ref=ref,
        lines=lines,
    )


def credit_entry(
    lot: PointsLot, kind: PointsEntryKind, reason: str = "", store_id: str | None = None
) -> PointsEntry:
    """The ledger row recording a new lot."""
    return PointsEntry(
        lot.account_id, kind, lot.lot_id, lot.points, lot.earned_on, lot.ref, reason, store_id
    )


def balance(lots: Iterable[PointsLot], on: date) -> PointsBalance:
    """What the member sees on `on`."""
    available = pending = expiring = 0
    horizon = on + timedelta(days=30)
    for lot in lots:
        if lot.is_available(on):
            available += lot.remaining
            if lot.valid_until is not None and lot.valid_until <= horizon:
                expiring += lot.remaining
        elif lot.is_pending(on):
            pending += lot.remaining
    return PointsBalance(available, pending, expiring)


def consumption_order(lots: Iterable[PointsLot], on: date) -> list[PointsLot]:
    """Available lots, soonest-expiring first; never-expiring last; then oldest first."""
    usable = [lot for lot in lots if lot.is_available(on)]
    return sorted(
        usable,
        key=lambda lot: (
            lot.valid_until is None,
            lot.valid_until or date.max,
            lot.earned_on,
            lot.lot_id,
        ),
    )


def _consume(
    lots: Iterable[PointsLot],
    points: int,
    on: date,
    kind: PointsEntryKind,
    ref: str,
    reason: str,
    store_id: str | None,
) -> list[PointsEntry]:
    if points <= 0:
        raise InvalidAmount("points to use must be positive", "points")
    entries: list[PointsEntry] = []
    still = points
    for lot in consumption_order(lots, on):
        take = min(still, lot.remaining)
        entries.append(
            PointsEntry(lot.account_id, kind, lot.lot_id, -take, on, ref, reason, store_id)
        )
        still -= take
        if still == 0:
            return entries
    raise InsufficientPoints(f"{points} points needed, {points - still} available")


def redeem_points(
    lots: Iterable[PointsLot], points: int, on: date, ref: str, store_id: str | None = None
) -> list[PointsEntry]:
    """Use points as a tender, soonest-expiring lots first."""
    return _consume(lots, points, on, PointsEntryKind.REDEEM, ref, "", store_id)


def post_offline_redemption(
    lots: Iterable[PointsLot], points: int, on: date, ref: str, store_id: str | None = None
) -> tuple[list[PointsEntry], int]:
    """Post a redemption a store authorised offline: it is owed even if the points have
    gone meanwhile. Returns the entries and the shortfall to flag and report."""
    usable = consumption_order(lots, on)
    take = min(points, sum(lot.remaining for lot in usable))
    if take == 0:
        return [], points
    entries = _consume(usable, take, on, PointsEntryKind.REDEEM, ref, "offline", store_id)
    return entries, points - take


@dataclass(frozen=True, slots=True)
class Gift:
    """A catalog gift priced in points."""

    code: str
    name: str
    points: int


def redeem_gift(
    lots: Iterable[PointsLot],
    gift: Gift,
    quantity: int,
    on: date,
    ref: str,
    store_id: str | None = None,
) -> list[PointsEntry]:
    """Exchange points for `quantity` of a catalog gift."""
    if quantity <= 0:
        raise InvalidAmount("gift quantity must be positive", "quantity")
    return _consume(
        lots, gift.points * quantity, on, PointsEntryKind.GIFT, ref, gift.code, store_id
    )


def adjust_points(
    lots: Iterable[PointsLot],
    *,
    account_id: str,
    points: int,
    reason: str,
    on: date,
    ref: str,
    lot_id: str,
    expiry: ExpiryPolicy,
) -> tuple[PointsLot | None, list[PointsEntry]]:
    """Manual adjustment: a positive one opens an available lot, a negative one consumes."""
    if not reason.strip():
        raise InvalidAmount("a manual adjustment needs a reason", "reason")
    if points == 0:
        raise InvalidAmount("an adjustment of zero points does nothing", "points")
    if points < 0:
        return None, _consume(lots, -points, on, PointsEntryKind.ADJUST, ref, reason, None)
    lot = new_lot(
        lot_id=lot_id,
        account_id=account_id,
        source=LotSource.ADJUSTMENT,
        points=points,
        earned_on=on,
        pending_days=0,
        expiry=expiry,
        ref=ref,
    )
    return lot, [credit_entry(lot, PointsEntryKind.ADJUST, reason)]


def expire_points(lots: Iterable[PointsLot], on: date) -> list[PointsEntry]:
    """The daily run: one EXPIRE entry for what is left of every lot past `valid_until`."""
    return [
        PointsEntry(
            lot.account_id,
            PointsEntryKind.EXPIRE,
            lot.lot_id,
            -lot.remaining,
            on,
            f"expiry:{on.isoformat()}",
        )
        for lot in lots
        if lot.remaining > 0 and lot.is_expired(on)
    ]


def line_points_reversed(line: EarnedLine, returned_amount: int) -> int:
    """Points a line gives back once `returned_amount` fen of it has come back in total."""
    if not 0 <= returned_amount <= line.amount:
        raise ReturnExceedsSale(
            f"line {line.line_id}: {returned_amount} returned of {line.amount}", "amount"
        )
    if line.amount == 0:
        return 0
    return round_half_up(Fraction(line.points * returned_amount, line.amount))


@dataclass(frozen=True, slots=True)
class PointsReversal:
    """Entries taking back a return's points, and what could not be recovered.

    `unrecovered` > 0 means the member had already spent them: record and report it.
    """

    entries: tuple[PointsEntry, ...]
    points: int
    unrecovered: int


def reverse_for_return(
    lots: Sequence[PointsLot],
    sale_lot_id: str,
    returned: Mapping[str, int],
    on: date,
    ref: str,
    prior_returned: Mapping[str, int] | None = None,
) -> PointsReversal:
    """Take back the points a sale earned on the returned lines, in proportion.

    `returned` and `prior_returned` map line id → fen returned now / by earlier returns.
    Each return reverses target(prior + now) − target(prior), so a series of partial
    returns adding up to the whole sale reverses exactly what the sale earned. Points
    come off the sale's own lot first; if they were spent already, off the member's
    other available lots (soonest-expiring first); the rest is reported as unrecovered.
    """
    prior = prior_returned or {}
    by_id = {lot.lot_id: lot for lot in lots}
    sale_lot = by_id.get(sale_lot_id)
    if sale_lot is None:
        return PointsReversal((), 0, 0)  # the sale earned nothing (e.g. no member)
    lines = {line.line_id: line for line in sale_lot.lines}
    points = 0
    for line_id, amount in returned.items():
        line = lines.get(line_id)
        if line is None:
            raise ReturnExceedsSale(f"line {line_id} earned no points in this sale", "line_id")
        before = prior.get(line_id, 0)
        points += line_points_reversed(line, before + amount) - line_points_reversed(line, before)
    if points == 0:
        return PointsReversal((), 0, 0)
    entries: list[PointsEntry] = []
    own = min(points, sale_lot.remaining)
    if own:
        entries.append(
            PointsEntry(sale_lot.account_id, PointsEntryKind.REVERSE, sale_lot_id, -own, on, ref)
        )
    still = points - own
    others = (lot for lot in lots if lot.lot_id != sale_lot_id)
    for lot in consumption_order(others, on):
        if still == 0:
            break
        take = min(still, lot.remaining)
        entries.append(
            PointsEntry(lot.account_id, PointsEntryKind.REVERSE, lot.lot_id, -take, on, ref)
        )
        still -= take
    return PointsReversal(tuple(entries), points, still)


def apply_debits(lots: Iterable[PointsLot], entries: Iterable[PointsEntry]) -> list[PointsLot]:
    """Lots after the negative entries are applied (what the ledger does under its lock)."""
    debits: dict[str, int] = {}
    for entry in entries:
        if entry.points < 0:
            debits[entry.lot_id] = debits.get(entry.lot_id, 0) + entry.points
    result = []
    for lot in lots:
        remaining = lot.remaining + debits.get(lot.lot_id, 0)
        if remaining < 0:
            raise InsufficientPoints(f"lot {lot.lot_id} would go below zero")
        result.append(replace(lot, remaining=remaining) if lot.lot_id in debits else lot)
    return result
