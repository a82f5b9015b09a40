"""The member side of a return: points taken back, card tenders given back.

Applied with the `sale_return` document, in its transaction, so the ledgers move
exactly once per return and never without the document that explains them:

- points the returned lines earned are reversed in proportion to what they refund
  (`points.reverse_on_return`; a shortfall is recorded as unrecovered, not hidden);
- a stored-value tender's share of the refund goes back to its card in the
  principal/bonus proportion the spend took (`stored_value.refund_to_card`);
- the refund stops counting toward the member's tier and enrolment spend;
- a points tender's share comes back as points, at the rate the sale paid, in a new
  lot (source `refund`) that expires like an adjustment; never more than the sale used.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainpos.ids import new_id
from chainpos.sync.receiver import DocumentRejected
from hq_server.loyalty import ledger, points, stored_value
from hq_server.loyalty.models import (
    MemberSpendRow,
    PointsEntryRow,
    PointsLotRow,
    SpendRecordRow,
)
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings
from loyalty.errors import LoyaltyError
from loyalty.points import LotSource, PointsEntryKind, credit_entry, new_lot
from retail.documents import Document
from retail.money import round_half_up


def settle_member_return(session: Session, doc: Document, settings: LoyaltySettings) -> None:
    body = doc.body
    origin = Origin(
        doc.id,
        date.fromisoformat(doc.business_day),
        doc.origin_store,
        doc.origin_till,
        body.get("cashier"),
    )
    sale_doc_id, sale_id = str(body["sale_doc_id"]), str(body.get("sale_id") or "")
    take_back_spend(session, sale_doc_id, int(body["refund"]), origin)
    try:
        member = body.get("member")
        if isinstance(member, dict) and member.get("card"):
            returned = {
                str(line["line_no"]): int(line["refund"])
                for line in body["lines"]
                if int(line["refund"]) > 0
            }
            if returned:
                points.reverse_on_return(session, sale_doc_id, returned, origin)
        for part in body.get("refund_tenders") or ():
            amount, card = int(part["amount"]), part.get("card")
            if part["method"] not in ("stored_value", "points") or amount <= 0:
                continue
            if not card:
                raise DocumentRejected(f"refund tender {part['index']} names no card")
            if part["method"] == "stored_value":
                stored_value.refund_to_card(
                    session, settings, amount, sale_id, origin, number=str(card)
                )
            else:
                refund_points_tender(session, settings, amount, sale_id, origin, str(card))
    except LoyaltyError as err:
        raise DocumentRejected(f"{err.code}: {err.message}") from None


def take_back_spend(session: Session, sale_doc_id: str, refund: int, origin: Origin) -> None:
    """The refund no longer counts toward the member's tier or enrolment spend.

    Recorded as negative spend on the sale's own business day, so the rolling window
    nets it exactly; a tier reached with the sale is kept until the period-end review.
    """
    on_card = session.scalar(select(SpendRecordRow).where(SpendRecordRow.document == sale_doc_id))
    if on_card is not None and refund > 0:
        session.add(
            SpendRecordRow(
                account_id=on_card.account_id,
                card_id=on_card.card_id,
                business_day=on_card.business_day,
                amount=-min(refund, on_card.amount),
                document=origin.document,
            )
        )
    cardless = session.get(MemberSpendRow, sale_doc_id)
    if cardless is not None and refund > 0:
        session.add(
            MemberSpendRow(
                document=origin.document,
                member_id=cardless.member_id,
                store_code=origin.store,
                business_day=cardless.business_day,
                amount=-min(refund, cardless.amount),
            )
        )


def refund_points_tender(
    session: Session,
    settings: LoyaltySettings,
    amount: int,
    sale_id: str,
    origin: Origin,
    number: str,
) -> dict[str, Any]:
    """Give back the points that paid `amount` fen of sale `sale_id`, as a new lot."""
    card = ledger.find_card(session, number=number, lock=True)
    account = ledger.lock_account(session, card.account_id, open_only=False)
    used = _redeemed(session, account.id, sale_id)
    if used <= 0:
        raise DocumentRejected(f"sale {sale_id} used no points of card {number}")
    before = int(
        session.scalar(
            select(func.coalesce(func.sum(PointsLotRow.points), 0)).where(
                PointsLotRow.account_id == account.id,
                PointsLotRow.source == LotSource.REFUND.value,
                PointsLotRow.document == sale_id,
            )
        )
        or 0
    )
    rate = settings.redemption
    back = min(round_half_up(Fraction(amount * rate.points, rate.fen)), used - before)
    if back <= 0:
        return {"card": card.number, "points": 0}
    lot = new_lot(
        lot_id=new_id(),
        account_id=account.id,
        source=LotSource.REFUND,
        points=back,
        earned_on=origin.business_day,
        pending_days=0,
        expiry=settings.adjustment_expiry,
        ref=sale_id,
    )
    ledger.add_lot(session, lot, origin.store)
    entry = credit_entry(lot, PointsEntryKind.REFUND, f"return {origin.document}", origin.store)
    ledger.post_points(session, account, [entry], origin)
    return {"card": card.number, "points": back, "balance": ledger.balance_payload(account)}


def _redeemed(session: Session, account_id: str, sale_id: str) -> int:
    """Points the sale used as a tender."""
    used = -int(
        session.scalar(
            select(func.coalesce(func.sum(PointsEntryRow.points), 0)).where(
                PointsEntryRow.account_id == account_id,
                PointsEntryRow.document == sale_id,
                PointsEntryRow.kind == PointsEntryKind.REDEEM.value,
            )
        )
        or 0
    )
    return used
