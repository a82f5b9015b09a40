"""Loyalty at the till: identify the member, and have the store authorise loyalty tenders.

The till never reaches HQ: it asks its store (`/api/v1/loyalty`, signed with the till's
credentials), which asks HQ or applies the offline policy. Each tender is authorised with
its tender id as the idempotency key, before the sale is journaled.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from chainpos.errors import AppError, UpstreamUnavailable
from chainpos.sync.client import UpstreamError
from pos_terminal.models import MASTER
from retail.receipt import ReceiptMember
from retail.sale import LOYALTY_METHODS, Quote, Tender

API = "/api/v1/loyalty"


class StoreClient(Protocol):
    """What the till needs of `chainpos.sync.client.SignedClient` (tests pass a fake)."""

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any: ...

    def post(self, path: str, body: Any) -> Any: ...


StoreClientFactory = Callable[[], StoreClient]


class StoreUnreachable(UpstreamUnavailable):
    code = "store_unreachable"


class TenderRefused(AppError):
    """The store (or HQ behind it) refused a loyalty tender; its code is passed on."""

    status = 409
    code = "tender_refused"


def _ask(client: StoreClient, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    return ask_store(client, method, API + path, payload)


def ask_store(
    client: StoreClient, method: str, path: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Call the store at `path`.

    A refusal raises `TenderRefused` with its code; no answer raises `StoreUnreachable`.
    """
    try:
        answer = client.get(path, payload) if method == "GET" else client.post(path, payload)
    except UpstreamError as err:
        if err.status is None or (err.status >= 500 and not _coded(err.body)):
            raise StoreUnreachable(
                "the store server cannot be reached", {"store": "unreachable"}
            ) from None
        body = err.body if isinstance(err.body, dict) else {}
        refusal = TenderRefused(str(body.get("message") or err), code=body.get("code"))
        refusal.status = err.status if 400 <= err.status < 500 else 409
        refusal.fields = body.get("fields") or {}
        raise refusal from None
    if not isinstance(answer, dict):
        raise StoreUnreachable("the store answered with no JSON", {"store": "bad answer"})
    return answer


def _coded(body: Any) -> bool:
    return isinstance(body, dict) and body.get("code") not in (None, "internal_error")


@dataclass(frozen=True, slots=True)
class MemberOnSale:
    """The member a sale is for, as the store found them (or as typed when it could not)."""

    card: str | None
    member_id: str | None = None
    masked_mobile: str = ""
    tier: str | None = None
    points: int | None = None
    balance: int | None = None
    found: bool = False
    #: For birthday offers only; never written to the sale document or a receipt.
    birthday: date | None = None
    #: The member's uses of member-limited promotions as HQ counted them, for pricing only.
    promotion_uses: Mapping[str, int] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "card": self.card,
            "member_id": self.member_id,
            "masked_mobile": self.masked_mobile,
            "tier": self.tier,
            "points": self.points,
            "balance": self.balance,
            "found": self.found,
        }

    def receipt(self) -> ReceiptMember:
        card = f"****{self.card[-4:]}" if self.card else None
        return ReceiptMember(self.masked_mobile, card, self.points, self.balance)


def find_member(client: StoreClient, query: Mapping[str, str]) -> MemberOnSale:
    """Identify the member by card number or mobile through the store (HQ online)."""
    found = _ask(client, "GET", "/members", dict(query))
    cards: list[dict[str, Any]] = found.get("cards") or []
    chosen = next((c for c in cards if c.get("number") == query.get("card")), None)
    if chosen is None:
        active = [c for c in cards if c.get("state") == "active"]
        chosen = next((c for c in active if not c.get("parent_card")), None) or (
            active[0] if active else None
        )
    member = found.get("member") or {}
    balance = (chosen or {}).get("balance") or {}
    return MemberOnSale(
        card=chosen["number"] if chosen else query.get("card"),
        member_id=member.get("member_id"),
        masked_mobile=member.get("mobile") or "",
        tier=member.get("tier"),
        points=balance.get("points"),
        balance=balance.get("total"),
        found=True,
        birthday=date.fromisoformat(member["birthday"]) if member.get("birthday") else None,
        promotion_uses=_promotion_uses(found.get("promotion_uses")),
    )


def _promotion_uses(raw: Any) -> dict[str, int]:
    """HQ's counts of the member's promotion uses; anything unreadable counts as unused."""
    if not isinstance(raw, dict):
        return {}
    return {
        str(promotion_id): times
        for promotion_id, times in raw.items()
        if isinstance(times, int) and not isinstance(times, bool) and times > 0
    }


def member_for_sale(client: StoreClient, query: Mapping[str, str] | None) -> MemberOnSale | None:
    """The member on a sale; when the store cannot be reached, a typed card still earns."""
    if not query:
        return None
    try:
        return find_member(client, query)
    except StoreUnreachable:
        return MemberOnSale(card=query.get("card"))
    except TenderRefused as err:
        if err.code != "hq_unreachable":
            raise
        return MemberOnSale(card=query.get("card"))


def tender_ids(sale_id: str, tenders: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each tender's id: given by the page, or derived from the sale id (a retry reuses it)."""
    return [
        str(t.get("tender_id") or uuid.uuid5(uuid.UUID(sale_id), f"tender:{i}"))
        for i, t in enumerate(tenders)
    ]


#: Given back if a later tender of the sale is refused (points and coupons cannot be).
RELEASABLE = frozenset({"stored_value"})


def authorise_tenders(
    client: StoreClient,
    *,
    sale_id: str,
    cashier: str,
    quote: Quote,
    tenders: Sequence[Tender],
    given: Sequence[Mapping[str, Any]],
    member: MemberOnSale | None,
) -> tuple[list[Tender], list[dict[str, Any]]]:
    """Ask the store to authorise each loyalty tender; the authorised ones carry a reference.

    Stored value goes first and the one points or coupon tender (which cannot be given
    back) last, so when any is refused the stored-value debits already made are released.
    A refusal raises `TenderRefused` naming the tender (`tenders.<i>`); nothing is journaled.
    """
    final = [i for i, t in enumerate(tenders) if t.method in LOYALTY_METHODS - RELEASABLE]
    if len(final) > 1:
        refusal = TenderRefused(
            "one points or coupon tender per sale",
            {f"tenders.{final[1]}.method": "only one points or coupon tender"},
            code="too_many_loyalty_tenders",
        )
        refusal.status = 422
        raise refusal
    ids = tender_ids(sale_id, given)
    order = [i for i, t in enumerate(tenders) if t.method in RELEASABLE] + final
    out = list(tenders)
    records: dict[int, dict[str, Any]] = {}
    for index in order:
        tender, raw = tenders[index], given[index]
        body = _tender_body(tender, raw, ids[index], sale_id, cashier, quote, member)
        path = {"stored_value": "/sv/debit", "points": "/points/redeem"}.get(
            tender.method, "/coupons/redeem"
        )
        try:
            answer = _ask(client, "POST", path, body)
        except (TenderRefused, StoreUnreachable) as err:
            err.fields = {
                f"tenders.{index}": err.message,
                **err.fields,
                **_release(client, [ids[i] for i in records]),
            }
            raise
        out[index] = replace(tender, reference=str(answer.get("reference")))
        records[index] = {"tender_id": ids[index], "method": tender.method, **answer}
    return out, [records[i] for i in sorted(records)]


def _release(client: StoreClient, keys: Sequence[str]) -> dict[str, Any]:
    """Give back the debits of a sale that will not complete; say which could not be."""
    if not keys:
        return {}
    unreleased = []
    for key in keys:
        try:
            _ask(client, "POST", "/tenders/release", {"idempotency_key": key})
        except (TenderRefused, StoreUnreachable):
            unreleased.append(key)
    return {"released": [k for k in keys if k not in unreleased], "unreleased": unreleased}


def _tender_body(
    tender: Tender,
    raw: Mapping[str, Any],
    key: str,
    sale_id: str,
    cashier: str,
    quote: Quote,
    member: MemberOnSale | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"idempotency_key": key, "document": sale_id, "staff": cashier}
    if tender.method == "coupon":
        return {
            **body,
            "code": raw["code"],
            "member_id": member.member_id if member else None,
            "spend": quote.total,
            "tender_amount": tender.amount,
        }
    card = raw.get("card") or (member.card if member else None)
    body.update(card=card, amount=tender.amount)
    if tender.method == "stored_value" and raw.get("pin"):
        body["pin"] = raw["pin"]
    return body


def after_tenders(member: MemberOnSale | None, records: Sequence[Mapping[str, Any]]) -> Any:
    """The member's balances as the last authorisation left them (shown on the receipt)."""
    if member is None:
        return None
    points, balance = member.points, member.balance
    for record in records:
        if record.get("card") != member.card:
            continue
        if record.get("balance") is not None:
            balance = int(record["balance"])
        if record.get("points") is not None:
            points = int(record["points"])
    return replace(member, points=points, balance=balance)


def earn_lines(session: Session, quote: Quote) -> list[dict[str, Any]]:
    """The sale's lines as HQ earns on them: id, category, amount paid."""
    skus = {line.sku for line in quote.lines}
    products = MASTER.products
    category: dict[str, str] = {
        sku: code
        for sku, code in session.execute(
            select(products.sku, products.category_code).where(products.sku.in_(skus))
        )
    }
    return [
        {
            "line_id": str(line.line_no),
            "category": category.get(line.sku, "-"),
            "amount": line.amount,
        }
        for line in quote.lines
        if line.amount > 0
    ]
