"""Helpers for the enrolment, referral and tier-review tests: member sales as stores send them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hq_server.loyalty.models import Card
from tests.factories import COLA_EAN, sale_document
from tests.integration.hq_loyalty.conftest import TODAY, Loyalty, ok


class Sales:
    """A store with a till sending sale documents, as a till journals them, up to HQ."""

    def __init__(self, loyalty: Loyalty):
        self.loyalty = loyalty
        self.hq = loyalty.hq
        self.creds = loyalty.store("S001")
        self.hq.add_till("S001", "S001-T01")
        self.hq.add_category()
        self.hq.add_product("A1", [COLA_EAN], 350)
        self.seq = 0

    def document(
        self,
        amount: int,
        member_id: str | None = None,
        *,
        card: str | None = None,
        business_day: str = TODAY,
    ) -> dict[str, Any]:
        """A sale of `amount` fen; with a member identified without a card by default."""
        self.seq += 1
        doc = sale_document(seq=self.seq, business_day=business_day, lines=[("A1", 1, amount)])
        if member_id is not None or card is not None:
            doc["body"]["member"] = {
                "card": card,
                "member_id": member_id,
                "masked_mobile": "138****8000",
                "tier": "normal",
                "points": None,
                "balance": None,
                "found": True,
                "earn_lines": [{"line_id": "1", "category": "GROC", "amount": amount}],
            }
        return doc

    def send(self, *docs: dict[str, Any]) -> list[dict[str, Any]]:
        return self.hq.send_documents(self.creds, *docs)

    def sell(self, amount: int, member_id: str | None = None, **extra: Any) -> dict[str, Any]:
        """Send one sale; returns its document (acknowledged as applied)."""
        doc = self.document(amount, member_id, **extra)
        [ack] = self.send(doc)
        assert ack["status"] == "applied", ack
        return doc


def cards_of(loyalty: Loyalty, member_id: str) -> list[Card]:
    with loyalty.hq.sessions() as session:
        return list(session.scalars(select(Card).where(Card.member_id == member_id)))


def member_with_card(loyalty: Loyalty, mobile: str, **extra: Any) -> tuple[str, str]:
    """A registered member with an active virtual card: (member id, card number)."""
    member = loyalty.register(mobile, **extra)
    if member.get("card"):
        return member["member_id"], member["card"]["number"]
    card = loyalty.issue(member["member_id"])
    return member["member_id"], card["number"]


def make_silver(loyalty: Loyalty, card: str, business_day: str = TODAY) -> None:
    """Spend 2,000 yuan on the card: the sale upgrades its member to Silver."""
    earned = ok(loyalty.earn(card, [("l1", 200_000)], business_day=business_day))
    assert earned["tier"] == "silver", earned
