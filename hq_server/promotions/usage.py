"""Promotion uses counted at HQ as sales arrive, and sent down the change feed.

Each sale document says how many times each promotion applied (`promotion_uses`).
HQ adds them up per store (every promotion) and per member (promotions with a member
limit), in the transaction that applies the sales, and publishes the new counts of the
promotions with a chain or store limit as `promotion_usage` changes, so stores and
tills price with them. Returns give no uses back: a used offer stays used.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chainpos.sync.feed import ChangeItem, publish
from chainpos.upsert import add_to
from hq_server.loyalty.models import Member
from hq_server.models import SYNC
from hq_server.promotions.models import PromotionMemberUsage, PromotionRecord, PromotionUsage
from retail.promotions.definitions import Limits
from retail.promotions.usage import (
    UsageCounts,
    counted_across_stores,
    counted_per_member,
    limits_of,
)

ENTITY = "promotion_usage"
#: Merges are followed this many levels back when a member's uses are added up.
_MERGE_DEPTH = 10


@dataclass(frozen=True, slots=True)
class SaleUses:
    """What one sale used: where, for which member (if identified), how many times each."""

    store_code: str
    member_id: str | None = None
    uses: dict[str, int] = field(default_factory=dict)


def count_sales(session: Session, sales: Sequence[SaleUses]) -> None:
    """Add the sales' uses to the counters and publish the new counts, in the caller's
    transaction: one statement per counter table for the whole batch."""
    per_store: dict[tuple[str, str], int] = {}
    per_member: dict[tuple[str, str], int] = {}
    for sale in sales:
        for promotion_id, times in sale.uses.items():
            key = (promotion_id, sale.store_code)
            per_store[key] = per_store.get(key, 0) + times
            if sale.member_id is not None:
                member_key = (sale.member_id, promotion_id)
                per_member[member_key] = per_member.get(member_key, 0) + times
    if not per_store:
        return
    limits = _limits(session, {promotion_id for promotion_id, _ in per_store})
    # Rows in key order, so concurrent batches lock them in the same order.
    add_to(
        session,
        PromotionUsage,
        [
            {"promotion_id": promotion_id, "store_code": store, "times": times}
            for (promotion_id, store), times in sorted(per_store.items())
        ],
        ["promotion_id", "store_code"],
        "times",
    )
    add_to(
        session,
        PromotionMemberUsage,
        [
            {"member_id": member_id, "promotion_id": promotion_id, "times": times}
            for (member_id, promotion_id), times in sorted(per_member.items())
            if promotion_id in limits and counted_per_member(limits[promotion_id])
        ],
        ["member_id", "promotion_id"],
        "times",
    )
    shared = sorted(
        promotion_id
        for promotion_id in {p for p, _ in per_store}
        if promotion_id in limits and counted_across_stores(limits[promotion_id])
    )
    if shared:
        # Take the feed's head lock before reading the counts: a batch from another store
        # that published first is then committed and seen, so a later version never
        # carries an older count (READ COMMITTED reads each statement afresh).
        session.get(SYNC.feed_head, 1, with_for_update=True)
        publish(session, SYNC, usage_changes(session, shared))


def _limits(session: Session, promotion_ids: Collection[str]) -> dict[str, Limits]:
    rows = session.execute(
        select(PromotionRecord.id, PromotionRecord.definition).where(
            PromotionRecord.id.in_(sorted(promotion_ids))
        )
    )
    return {promotion_id: limits_of(json.loads(definition)) for promotion_id, definition in rows}


def usage_changes(session: Session, promotion_ids: Sequence[str]) -> list[ChangeItem]:
    """The current counts of these promotions as feed changes (full state, every store)."""
    if not promotion_ids:
        return []
    stores: dict[str, dict[str, int]] = {promotion_id: {} for promotion_id in promotion_ids}
    for promotion_id, store, times in session.execute(
        select(PromotionUsage.promotion_id, PromotionUsage.store_code, PromotionUsage.times).where(
            PromotionUsage.promotion_id.in_(list(promotion_ids))
        )
    ):
        stores[promotion_id][store] = int(times)
    return [
        ChangeItem(ENTITY, promotion_id, UsageCounts(promotion_id, stores[promotion_id]).to_dict())
        for promotion_id in promotion_ids
    ]


def snapshot_items(session: Session, after: str, limit: int) -> list[ChangeItem]:
    """Up to `limit` promotions with a chain or store limit after `after`, with their counts.

    Every such promotion is served, used or not, so a page is only short at the end.
    """
    promotion_ids: list[str] = []
    for promotion_id, definition in session.execute(
        select(PromotionRecord.id, PromotionRecord.definition)
        .where(PromotionRecord.id > after)
        .order_by(PromotionRecord.id)
    ):
        if counted_across_stores(limits_of(json.loads(definition))):
            promotion_ids.append(promotion_id)
            if len(promotion_ids) >= limit:
                break
    return usage_changes(session, promotion_ids)


def member_uses(session: Session, member_id: str) -> dict[str, int]:
    """A member's uses of promotions with a per-member limit that have not ended.

    Uses recorded under members later merged into this one count too.
    """
    ids, frontier = {member_id}, [member_id]
    for _ in range(_MERGE_DEPTH):
        frontier = [
            absorbed
            for absorbed in session.scalars(
                select(Member.id).where(Member.merged_into.in_(frontier))
            )
            if absorbed not in ids
        ]
        if not frontier:
            break
        ids.update(frontier)
    rows = session.execute(
        select(PromotionMemberUsage.promotion_id, func.sum(PromotionMemberUsage.times))
        .join(PromotionRecord, PromotionRecord.id == PromotionMemberUsage.promotion_id)
        .where(PromotionMemberUsage.member_id.in_(sorted(ids)), PromotionRecord.status != "ended")
        .group_by(PromotionMemberUsage.promotion_id)
        .order_by(PromotionMemberUsage.promotion_id)
    )
    return {promotion_id: int(times) for promotion_id, times in rows}
