"""The loyalty documents stores send up: offline debits and points, queued earnings,
offline coupons, and their tills' top-ups.

Each is applied exactly once (the receiver's unique document id). An offline debit is
owed whatever the card's state now: it is posted with `post_offline_spend`, and any
overdraft is recorded on the entry (`overdraft`), flagged in the statement, not hidden.
Offline points are posted the same way; a shortfall is an entry on `POINTS_OVERDRAFT_LOT`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.errors import AppError
from chainpos.sync.receiver import DocumentRejected
from hq_server.loyalty import coupons, ledger, points, stored_value
from hq_server.loyalty.models import IdempotencyRecord, PointsEntryRow, SvEntryRow
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings
from loyalty.errors import LoyaltyError
from loyalty.points import PointsEntryKind, post_offline_redemption
from loyalty.points_earn import EarnLine
from loyalty.stored_value import SvEntryKind, post_offline_spend
from retail.documents import Document

LOYALTY_DOCUMENTS = frozenset(
    {
        "sv_offline_debit",
        "sv_release",
        "points_earn",
        "coupon_offline_redeem",
        "points_offline_redeem",
        "sv_top_up",
    }
)

#: The lot id of a points entry that books an offline redemption's shortfall (no lot had
#: the points): it keeps the account's ledger whole and is what the overdraft report finds.
POINTS_OVERDRAFT_LOT = "overdraft"


def apply_loyalty_document(
    session: Session, doc: Document, settings: LoyaltySettings | None = None
) -> None:
    """Apply one loyalty document; a refusal becomes `DocumentRejected` with its code."""
    rules = settings or LoyaltySettings.from_env()
    body = doc.body
    try:
        origin = Origin(
            str(body.get("document") or doc.id),
            date.fromisoformat(doc.business_day),
            doc.origin_store,
            body.get("till"),
            body.get("staff"),
        )
        if doc.type == "sv_offline_debit":
            _post_offline_debit(session, rules, body, origin)
        elif doc.type == "sv_release":
            released = Origin(doc.id, origin.business_day, origin.store, origin.till)
            stored_value.refund_to_card(
                session,
                rules,
                int(body["amount"]),
                str(body["original_document"]),
                released,
                number=str(body["card"]),
            )
        elif doc.type == "points_offline_redeem":
            _post_offline_points(session, body, origin)
        elif doc.type == "sv_top_up":
            _check_top_up(session, doc)
        elif doc.type == "points_earn":
            lines = [EarnLine(x["line_id"], x["category"], int(x["amount"])) for x in body["lines"]]
            points.earn(session, rules, lines, origin, number=body["card"])
        else:
            coupons.redeem(
                session,
                body["code"],
                origin,
                member_id=body.get("member_id"),
                spend=body.get("spend"),
                item_price=int(body.get("item_price") or 0),
            )
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"malformed {doc.type}: {err!r}") from None
    except LoyaltyError as err:
        raise DocumentRejected(f"{err.code}: {err.message}") from None
    except AppError as err:
        # e.g. a coupon redeemed twice while the store was cut off: reported, not dropped.
        raise DocumentRejected(f"{err.code}: {err.message}") from None


def _post_offline_debit(
    session: Session, rules: LoyaltySettings, body: dict[str, Any], origin: Origin
) -> None:
    amount = int(body["amount"])
    if amount <= 0:
        raise ValueError("amount must be positive")
    already_online = session.scalar(
        select(IdempotencyRecord.key).where(
            IdempotencyRecord.scope == f"store:{origin.store}",
            IdempotencyRecord.key == str(body["tender_id"]),
        )
    )
    if already_online is not None:
        # The store's online call did reach HQ before it gave up waiting: debited once.
        return
    card = ledger.find_card(session, number=str(body["card"]), lock=True)
    account = ledger.lock_account(session, card.account_id, open_only=False)
    entry = post_offline_spend(
        rules.stored_value,
        account.id,
        ledger.sv_balance(account),
        amount,
        store_id=origin.store or "",
        ref=origin.document,
    )
    ledger.post_sv(session, account, card.id, entry, origin)


def _answered_online(session: Session, store: str | None, tender_id: str) -> bool:
    """HQ already holds an answer for this tender: the store's online call did reach it."""
    key = session.scalar(
        select(IdempotencyRecord.key).where(
            IdempotencyRecord.scope == f"store:{store}", IdempotencyRecord.key == tender_id
        )
    )
    return key is not None


def _post_offline_points(session: Session, body: dict[str, Any], origin: Origin) -> None:
    """Post points a store let a member spend offline: soonest-expiring lots first; what no
    lot holds any more is booked as an overdraft entry (flagged by the overdraft report)."""
    owed = int(body["points"])
    if owed <= 0:
        raise ValueError("points must be positive")
    if _answered_online(session, origin.store, str(body["tender_id"])):
        return
    card = ledger.find_card(session, number=str(body["card"]), lock=True)
    account = ledger.lock_account(session, card.account_id, open_only=False)
    lots = ledger.open_lots(session, account.id)
    entries, shortfall = post_offline_redemption(
        [ledger.lot_from_row(row) for row in lots.values()],
        owed,
        origin.business_day,
        origin.document,
        origin.store,
    )
    ledger.post_points(session, account, entries, origin, lots)
    if shortfall:
        session.add(
            PointsEntryRow(
                account_id=account.id,
                lot_id=POINTS_OVERDRAFT_LOT,
                kind=PointsEntryKind.REDEEM.value,
                points=-shortfall,
                business_day=origin.business_day,
                document=origin.document,
                reason="offline overdraft",
                store_code=origin.store,
                till_code=origin.till,
                staff_code=origin.staff,
            )
        )
        account.points -= shortfall
        session.flush()


def _check_top_up(session: Session, doc: Document) -> None:
    """A till's top-up: HQ credited it online; its entry must be here, and is not posted again."""
    body = doc.body
    top_up_id, amount = str(body["top_up_id"]), int(body["amount"])
    entry = session.scalar(
        select(SvEntryRow).where(
            SvEntryRow.document == top_up_id,
            SvEntryRow.kind == SvEntryKind.TOP_UP.value,
            SvEntryRow.store_code == doc.origin_store,
        )
    )
    if entry is None or entry.principal != amount:
        raise DocumentRejected(f"HQ credited no top-up {top_up_id} of {amount} fen")
