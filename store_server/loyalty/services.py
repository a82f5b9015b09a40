"""Loyalty use cases at the store: ask HQ online; when it cannot be reached, apply DESIGN §5.

Each mutating call runs once per idempotency key (the till's tender id): the answer is kept
in `loyalty_authorisations`, so a till that retries gets the first answer and never a
second debit. HQ is called outside any database transaction (a slow HQ must not hold the
store's write lock); what it answers is then recorded in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from chainpos.sync.outbox import originate
from loyalty.errors import LoyaltyError
from loyalty.offline import Authorisation, Refusal
from retail.documents import Document, business_day_at
from store_server import services as store
from store_server.loyalty import coupons, offline
from store_server.loyalty.errors import (
    HqUnreachable,
    InvalidAmount,
    KeyReused,
    NotReleasable,
    OfflineRefused,
    TenderReleased,
)
from store_server.loyalty.hq_link import HqClientFactory, Unreachable, call
from store_server.loyalty.models import AuthorisationRow
from store_server.loyalty.settings import StoreLoyaltySettings
from store_server.models import SYNC

Answer = dict[str, Any]


@dataclass(frozen=True)
class Relay:
    """What every use case needs: the store's sessions, a way to reach HQ, the settings."""

    factory: sessionmaker[Session]
    hq: HqClientFactory
    settings: StoreLoyaltySettings


def business_day(session: Session) -> str:
    return business_day_at(utcnow(), store.store_timezone(session)).isoformat()


def _fingerprint(operation: str, request: Mapping[str, Any]) -> str:
    body = {k: v for k, v in request.items() if k not in ("idempotency_key", "pin")}
    text = json.dumps([operation, body], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(session: Session, operation: str, request: Mapping[str, Any]) -> Answer | None:
    row = session.get(AuthorisationRow, request["idempotency_key"])
    if row is None:
        return None
    if row.operation != operation or row.fingerprint != _fingerprint(operation, request):
        raise KeyReused(
            "this idempotency key was used for another request",
            {"idempotency_key": "already used"},
        )
    answer: Answer = json.loads(row.answer)
    if answer.get("released"):
        raise TenderReleased(
            "this tender was released; pay again with a new tender id",
            {"idempotency_key": "released"},
        )
    return answer


def _record(
    session: Session,
    operation: str,
    request: Mapping[str, Any],
    till: str | None,
    answer: Answer,
    doc_id: str | None = None,
) -> Answer:
    session.add(
        AuthorisationRow(
            key=request["idempotency_key"],
            operation=operation,
            till=till,
            card=request.get("card"),
            amount=int(answer.get("amount") or 0),
            points=answer.get("points_used"),
            mode=answer["mode"],
            doc_id=doc_id,
            fingerprint=_fingerprint(operation, request),
            answer=json.dumps(answer, ensure_ascii=False),
        )
    )
    return answer


#: Request fields the relay keeps for itself and does not pass to HQ.
_LOCAL_FIELDS = frozenset({"document", "staff", "pin", "tender_amount"})


def _hq_body(session: Session, request: Mapping[str, Any], till: str | None) -> dict[str, Any]:
    body = {k: v for k, v in request.items() if k not in _LOCAL_FIELDS and v is not None}
    if request.get("pin"):
        body["pin"] = request["pin"]
    body["document"] = request.get("document") or request["idempotency_key"]
    body["business_day"] = business_day(session)
    body["till"] = till
    body["staff"] = request.get("staff")
    return body


def _run(
    relay: Relay,
    operation: str,
    path: str,
    request: Mapping[str, Any],
    till: str | None,
    online_answer: Callable[[Session, Answer], Answer],
    offline: Callable[[Session], tuple[Answer, str | None]] | None = None,
) -> Answer:
    """Replay, or ask HQ and record its answer, or (HQ unreachable) decide offline."""
    with unit_of_work(relay.factory) as session:
        replayed = _replay(session, operation, request)
        if replayed is not None:
            return replayed
        body = _hq_body(session, request, till)
    try:
        hq_answer = call(relay.hq(), "POST", path, body)
    except Unreachable:
        if offline is None:
            raise HqUnreachable(
                "HQ cannot be reached; this needs HQ online", {"hq": "unreachable"}
            ) from None
        with unit_of_work(relay.factory) as session:
            replayed = _replay(session, operation, request)
            if replayed is not None:
                return replayed
            answer, doc_id = offline(session)
            return _record(session, operation, request, till, answer, doc_id)
    with unit_of_work(relay.factory) as session:
        replayed = _replay(session, operation, request)
        if replayed is not None:
            return replayed
        return _record(session, operation, request, till, online_answer(session, hq_answer))


def _sv_answer(session: Session, mode: str, request: Mapping[str, Any], hq: Answer) -> Answer:
    balance = hq.get("balance") or {}
    offline.touched_hq(session, hq["card"], balance)
    entries = hq.get("entries") or [{}]
    return {
        "mode": mode,
        "reference": f"SV:{entries[0].get('entry_id')}",
        "card": hq["card"],
        "amount": request["amount"],
        "document": request.get("document") or request["idempotency_key"],
        "balance": balance.get("total"),
        "points": balance.get("points"),
    }


def _authorised(decision: Authorisation | Refusal) -> Authorisation:
    """The offline policy's authorisation; its refusal raised with the reason."""
    if isinstance(decision, Refusal):
        raise OfflineRefused(
            f"HQ is unreachable and the offline policy refuses: {decision.code}",
            {"card": decision.code},
            code=decision.code,
        )
    return decision


def _journal_offline(
    session: Session,
    doc_type: str,
    request: Mapping[str, Any],
    till: str | None,
    decision: Authorisation,
    **extra: Any,
) -> Document:
    """Journal an offline authorisation for HQ to post when it can be reached again."""
    key = request["idempotency_key"]
    return originate(
        session,
        SYNC,
        doc_type,
        origin_store=store.store_code(session),
        origin_till=None,
        business_day=business_day(session),
        body={
            "tender_id": key,
            "card": request["card"],
            "amount": request["amount"],
            **extra,
            "document": request.get("document") or key,
            "till": till,
            "staff": request.get("staff"),
            "authorisation": decision.to_dict(),
        },
    )


def debit(relay: Relay, request: Mapping[str, Any], till: str | None) -> Answer:
    """Stored value as a tender: HQ online, else within the offline limits (journaled)."""

    def decide_offline(session: Session) -> tuple[Answer, str | None]:
        number, amount, key = request["card"], request["amount"], request["idempotency_key"]
        limits = relay.settings.offline.stored_value
        decision = _authorised(offline.decide(session, limits, number, amount, key))
        document = _journal_offline(session, "sv_offline_debit", request, till, decision)
        answer = {
            "mode": "offline",
            "reference": f"SVO:{document.id}",
            "card": number,
            "amount": amount,
            "document": request.get("document") or key,
            "balance": decision.card.known_balance,
            "points": None,
        }
        return answer, document.id

    return _run(
        relay,
        offline.SV_DEBIT,
        "/sv/debit",
        request,
        till,
        lambda session, hq: _sv_answer(session, "online", request, hq),
        decide_offline,
    )


def credit(relay: Relay, request: Mapping[str, Any], till: str | None) -> Answer:
    """A top-up (or a refund to card): online only, HQ holds the cap and the bonus rules.

    The answer adds what HQ credited (`principal`, `bonus`) and the card's balances after
    (`balances`: principal, bonus, total) for the till's top-up receipt.
    """

    def answer(session: Session, hq: Answer) -> Answer:
        entry = (hq.get("entries") or [{}])[0]
        balance = hq.get("balance") or {}
        return {
            **_sv_answer(session, "online", request, hq),
            "principal": entry.get("principal"),
            "bonus": entry.get("bonus"),
            "balances": {k: balance.get(k) for k in ("principal", "bonus", "total")},
        }

    return _run(relay, f"sv.{request['kind']}", "/sv/credit", request, till, answer)


def redeem_points(relay: Relay, request: Mapping[str, Any], till: str | None) -> Answer:
    """Points as a tender (amount in fen): HQ online, else within the offline points limits.

    Offline, the store's redemption rate turns the amount into points and
    `loyalty.offline.authorise_offline_points` decides on the last points HQ showed; a
    `points_offline_redeem` document takes the redemption to HQ, which posts it on receipt.
    """

    def answer(session: Session, hq: Answer) -> Answer:
        balance = hq.get("balance") or {}
        offline.touched_hq(session, hq["card"], balance)
        return {
            "mode": "online",
            "reference": f"PT:{request['idempotency_key']}",
            "card": hq["card"],
            "amount": request["amount"],
            "points_used": hq["points"],
            "points": balance.get("points"),
            "balance": balance.get("total"),
        }

    def decide_offline(session: Session) -> tuple[Answer, str | None]:
        number, amount, key = request["card"], request["amount"], request["idempotency_key"]
        try:
            points = relay.settings.redemption.points_for(amount)
        except LoyaltyError as err:
            raise InvalidAmount(err.message, {"amount": err.message}) from None
        limits = relay.settings.offline.points
        decision = _authorised(offline.decide_points(session, limits, number, points, key))
        document = _journal_offline(
            session, "points_offline_redeem", request, till, decision, points=points
        )
        offline_answer = {
            "mode": "offline",
            "reference": f"PTO:{document.id}",
            "card": number,
            "amount": amount,
            "points_used": points,
            "points": decision.card.known_balance,
            "balance": None,
        }
        return offline_answer, document.id

    return _run(
        relay, offline.POINTS_REDEEM, "/points/redeem", request, till, answer, decide_offline
    )


def redeem_coupon(relay: Relay, request: Mapping[str, Any], till: str | None) -> Answer:
    """Verify the code with HQ's public key here, then redeem it at HQ (or journal it)."""
    with unit_of_work(relay.factory) as session:
        verified = coupons.verify(session, request)

    def answer(_: Session, hq: Answer) -> Answer:
        return coupons.answer("online", request, hq["coupon"], int(hq["discount"]))

    def decide_offline(session: Session) -> tuple[Answer, str | None]:
        if verified is None:
            raise HqUnreachable(
                "HQ cannot be reached and this store has no coupon key to verify the code",
                {"code": "cannot verify offline"},
            )
        document = originate(
            session,
            SYNC,
            "coupon_offline_redeem",
            origin_store=store.store_code(session),
            origin_till=None,
            business_day=business_day(session),
            body={
                "tender_id": request["idempotency_key"],
                "code": request["code"],
                "coupon": verified.coupon.key,
                "member_id": request.get("member_id"),
                "spend": request.get("spend"),
                "item_price": request.get("item_price", 0),
                "discount": verified.discount,
                "document": request.get("document") or request["idempotency_key"],
                "till": till,
                "staff": request.get("staff"),
            },
        )
        offline_answer = coupons.answer("offline", request, verified.coupon.key, verified.discount)
        return offline_answer, document.id

    return _run(relay, "coupon.redeem", "/coupons/redeem", request, till, answer, decide_offline)


def earn_points(relay: Relay, request: Mapping[str, Any], till: str | None) -> Answer:
    """Points for a sale: online when HQ answers, else a `points_earn` document for later."""

    def answer(_: Session, hq: Answer) -> Answer:
        return {"mode": "online", "card": hq["card"], "points": hq["points"], "amount": 0}

    def queue(session: Session) -> tuple[Answer, str | None]:
        document = queue_earning(session, request, till)
        queued = {"mode": "queued", "card": request["card"], "points": None, "amount": 0}
        return queued, document

    return _run(relay, "points.earn", "/points/earn", request, till, answer, queue)


def queue_earning(session: Session, request: Mapping[str, Any], till: str | None) -> str:
    """Journal a `points_earn` document in the caller's transaction; HQ earns on receipt."""
    document = originate(
        session,
        SYNC,
        "points_earn",
        origin_store=store.store_code(session),
        origin_till=None,
        business_day=business_day(session),
        body={
            "card": request["card"],
            "lines": list(request["lines"]),
            "document": request.get("document") or request["idempotency_key"],
            "till": till,
            "staff": request.get("staff"),
        },
    )
    return document.id


def lookup_member(relay: Relay, query: Mapping[str, str]) -> Answer:
    """A member and their cards with balances, from HQ (online only); cards touch HQ here."""
    try:
        found = call(relay.hq(), "GET", "/members", dict(query))
    except Unreachable:
        raise HqUnreachable(
            "HQ cannot be reached to look the member up", {"hq": "unreachable"}
        ) from None
    with unit_of_work(relay.factory) as session:
        for card in found.get("cards", []):
            if card.get("state") == "active":
                offline.touched_hq(session, card["number"], card.get("balance") or {})
    return found


def release(relay: Relay, key: str, till: str | None) -> Answer:
    """Give back a stored-value debit whose sale did not complete (a later tender was refused).

    Always journaled (`sv_release`): HQ refunds the spend when the document arrives, whether
    the debit was booked online or is itself still on its way. The key stays used: a retry
    of the released tender is refused, so a new payment needs a new tender id.
    """
    with unit_of_work(relay.factory) as session:
        row = session.get(AuthorisationRow, key)
        if row is None:
            return {"released": False, "idempotency_key": key}
        answer: Answer = json.loads(row.answer)
        if answer.get("released"):
            return answer
        if row.operation != offline.SV_DEBIT or row.card is None:
            raise NotReleasable(
                f"a {row.operation} authorisation cannot be released",
                {"idempotency_key": row.operation},
            )
        document = originate(
            session,
            SYNC,
            "sv_release",
            origin_store=store.store_code(session),
            origin_till=None,
            business_day=business_day(session),
            body={
                "tender_id": key,
                "card": row.card,
                "amount": row.amount,
                "original_document": answer.get("document") or key,
                "till": till,
            },
        )
        offline.released(session, row.card, row.amount, offline_debit=row.mode == "offline")
        answer = {**answer, "released": True, "release_document": document.id}
        row.answer = json.dumps(answer, ensure_ascii=False)
        return answer


POINTS_GIFT = "points.gift"


def redeem_gift(relay: Relay, request: Mapping[str, Any], till: str | None) -> Answer:
    """Points for a catalog gift: online only, the price and the lots are HQ's.

    The answer keeps the gift (code, names, sku, points per unit) and the quantity: the
    till's `points_gift` document is checked against it (`store_server.loyalty.gifts`).
    """

    def answer(session: Session, hq: Answer) -> Answer:
        balance = hq.get("balance") or {}
        offline.touched_hq(session, hq["card"], balance)
        return {
            "mode": "online",
            "reference": f"PG:{request['idempotency_key']}",
            "card": hq["card"],
            "amount": 0,
            "points_used": hq["points"],
            "points": balance.get("points"),
            "balance": balance.get("total"),
            "gift": hq["gift"],
            "quantity": hq["quantity"],
        }

    return _run(relay, POINTS_GIFT, "/points/gift", request, till, answer)


def list_gifts(relay: Relay) -> Answer:
    """The gifts HQ lets members redeem on this store's business day (online only)."""
    with unit_of_work(relay.factory) as session:
        day = business_day(session)
    try:
        return call(relay.hq(), "GET", "/gifts", {"business_day": day})
    except Unreachable:
        raise HqUnreachable(
            "HQ cannot be reached to list the gifts", {"hq": "unreachable"}
        ) from None
