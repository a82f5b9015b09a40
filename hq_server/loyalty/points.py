"""Points use cases at HQ: earn from a sale, redeem as tender, reverse on return, adjust.

Lots and entries come from the pure rules in `loyalty.points*`; this module persists them
under the account's row lock. The daily expiry run is `expiry.py`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.ids import new_id
from hq_server.loyalty import ledger, referrals, tiers
from hq_server.loyalty.models import Member, PointsLotRow, PointsReversalRow, SpendRecordRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings
from hq_server.models import AuditEntry
from loyalty.cards import ensure_usable
from loyalty.points import adjust_points, balance, redeem_points, reverse_for_return
from loyalty.points_earn import EarnLine, earn_points


def points_payload(session: Session, account_id: str, on: date) -> dict[str, int]:
    """Available, pending and soon-expiring points of an account on a day."""
    lots = [ledger.lot_from_row(r) for r in ledger.open_lots(session, account_id).values()]
    seen = balance(lots, on)
    return {
        "available": seen.available,
        "pending": seen.pending,
        "expiring_within_30_days": seen.expiring_within_30_days,
    }


def earn(
    session: Session,
    settings: LoyaltySettings,
    lines: Sequence[EarnLine],
    origin: Origin,
    *,
    number: str | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    """Points for a sale (one pending lot), its spend toward the tier, and any upgrade.

    Earning is allowed on a frozen card: the sale happened (DESIGN.md §5).
    """
    card = ledger.find_card(session, number=number, uid=uid)
    # The member row before the account: the order the tier review and enrolment use too,
    # and two sales of one member then see each other's spend for the upgrade.
    member = session.get(Member, card.member_id, with_for_update=True) if card.member_id else None
    account = ledger.lock_account(session, card.account_id)
    earning = earn_points(
        settings.earn,
        lines,
        tier_multiplier=tiers.multiplier(settings, member),
        on=origin.business_day,
        account_id=account.id,
        lot_id=new_id(),
        ref=origin.document,
        store_id=origin.store,
    )
    if earning.lot is not None and earning.entry is not None:
        ledger.add_lot(session, earning.lot, origin.store)
        ledger.post_points(session, account, [earning.entry], origin)
    sale_amount = sum(line.amount for line in lines)
    change = None
    if member is not None:
        change = tiers.upgrade_for_sale(session, settings, member, origin, sale_amount)
    session.add(
        SpendRecordRow(
            account_id=account.id,
            card_id=card.id,
            business_day=origin.business_day,
            amount=sale_amount,
            document=origin.document,
        )
    )
    session.flush()
    if member is not None:
        referrals.after_spend(session, settings, member, origin)
    return {
        "card": card.number,
        "points": earning.points,
        "lot_id": earning.lot.lot_id if earning.lot else None,
        "available_on": earning.lot.available_on.isoformat() if earning.lot else None,
        "tier": member.tier_code if member else None,
        "upgraded_from": change.from_code if change else None,
        "balance": ledger.balance_payload(account),
    }


def redeem(
    session: Session,
    settings: LoyaltySettings,
    amount: int,
    origin: Origin,
    *,
    number: str | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    """Pay `amount` fen with points at the redemption rate, soonest-expiring lots first."""
    found = ledger.find_card(session, number=number, uid=uid)
    card = ledger.lock_cards(session, [found.id])[found.id]
    ensure_usable(ledger.to_domain(card))
    points = settings.redemption.points_for(amount)
    account = ledger.lock_account(session, card.account_id)
    lots = ledger.open_lots(session, account.id)
    entries = redeem_points(
        [ledger.lot_from_row(r) for r in lots.values()],
        points,
        origin.business_day,
        origin.document,
        origin.store,
    )
    ledger.post_points(session, account, entries, origin, lots)
    return {
        "card": card.number,
        "points": points,
        "amount": amount,
        "lots": [{"lot_id": e.lot_id, "points": -e.points} for e in entries],
        "balance": ledger.balance_payload(account),
    }


def reverse_on_return(
    session: Session, sale_document: str, returned: Mapping[str, int], origin: Origin
) -> dict[str, Any]:
    """Take back what the sale's lot earned on the returned lines, in proportion."""
    sale_lot = session.scalar(
        select(PointsLotRow).where(
            PointsLotRow.document == sale_document, PointsLotRow.source == "sale"
        )
    )
    if sale_lot is None:
        return {"points": 0, "unrecovered": 0, "entries": 0}
    account = ledger.lock_account(session, sale_lot.account_id, open_only=False)
    lots = ledger.open_lots(session, account.id)
    lots[sale_lot.id] = sale_lot
    prior: dict[str, int] = {}
    for done in session.scalars(
        select(PointsReversalRow.lines).where(PointsReversalRow.lot_id == sale_lot.id)
    ):
        for line_id, fen in json.loads(done).items():
            prior[line_id] = prior.get(line_id, 0) + int(fen)
    reversal = reverse_for_return(
        [ledger.lot_from_row(r) for r in lots.values()],
        sale_lot.id,
        dict(returned),
        origin.business_day,
        origin.document,
        prior,
    )
    ledger.post_points(session, account, list(reversal.entries), origin, lots)
    session.add(
        PointsReversalRow(
            lot_id=sale_lot.id,
            document=origin.document,
            lines=json.dumps(dict(returned)),
            points=reversal.points,
            unrecovered=reversal.unrecovered,
        )
    )
    session.flush()
    return {
        "points": reversal.points,
        "unrecovered": reversal.unrecovered,
        "entries": len(reversal.entries),
        "balance": ledger.balance_payload(account),
    }


def adjust(
    session: Session,
    settings: LoyaltySettings,
    number: str,
    points: int,
    reason: str,
    origin: Origin,
) -> dict[str, Any]:
    """A manual adjustment with a reason, audited under the staff member who made it."""
    found = ledger.find_card(session, number=number)
    card = ledger.lock_cards(session, [found.id])[found.id]
    account = ledger.lock_account(session, card.account_id)
    lots = ledger.open_lots(session, account.id)
    lot, entries = adjust_points(
        [ledger.lot_from_row(r) for r in lots.values()],
        account_id=account.id,
        points=points,
        reason=reason,
        on=origin.business_day,
        ref=origin.document,
        lot_id=new_id(),
        expiry=settings.adjustment_expiry,
    )
    if lot is not None:
        ledger.add_lot(session, lot, origin.store)
    ledger.post_points(session, account, entries, origin, lots)
    session.add(
        AuditEntry(
            staff_code=origin.staff,
            action="loyalty.points.adjust",
            detail=json.dumps(
                {
                    "card": card.number,
                    "points": points,
                    "reason": reason,
                    "document": origin.document,
                },
                ensure_ascii=False,
            ),
        )
    )
    session.flush()
    return {"card": card.number, "points": points, "balance": ledger.balance_payload(account)}
