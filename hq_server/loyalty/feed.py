"""The loyalty part of HQ's snapshot for a store's initial load: hot cards and coupon keys.

Later changes travel on the change feed as they happen; a store that enrols after a card
was hot-listed learns it from this snapshot.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.sync.feed import ChangeItem
from hq_server.loyalty.cards import hot_card_change
from hq_server.loyalty.coupons import coupon_key_payload
from hq_server.loyalty.models import Card, CouponKey
from loyalty.cards import CardState

SNAPSHOT_ENTITIES = ("hot_card", "coupon_key")
_HOT_STATES = [CardState.FROZEN.value, CardState.REPLACED.value, CardState.CANCELLED.value]


def snapshot_items(session: Session, entity: str, after: str, limit: int) -> list[ChangeItem]:
    """Up to `limit` items of a loyalty entity with keys after `after`, in key order."""
    if entity == "hot_card":
        cards = session.scalars(
            select(Card)
            .where(Card.state.in_(_HOT_STATES), Card.number > after)
            .order_by(Card.number)
            .limit(limit)
        )
        return [hot_card_change(card) for card in cards]
    keys = sorted(
        (str(k.key_id), k) for k in session.scalars(select(CouponKey)) if str(k.key_id) > after
    )
    return [ChangeItem("coupon_key", name, coupon_key_payload(k)) for name, k in keys[:limit]]
