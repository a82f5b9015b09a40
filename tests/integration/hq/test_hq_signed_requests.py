"""HQ refuses store requests that are not properly signed, with 401, and changes nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chainpos.signing import HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_SKEW, Credentials
from hq_server.models import SYNC, Sale, SaleLine, StockLevel
from tests.factories import COLA_EAN, sale_document, signed_request

from .conftest import Hq

DOCUMENTS = "/api/v1/sync/documents"


@pytest.fixture
def store(hq: Hq) -> Credentials:
    creds = hq.add_store("S001")
    hq.add_till("S001", "S001-T01")
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    return creds


def nothing_received(hq: Hq) -> None:
    assert hq.count(Sale) == 0
    assert hq.count(SaleLine) == 0
    assert hq.count(StockLevel) == 0
    assert hq.count(SYNC.received) == 0
    assert hq.client.get("/api/v1/sync/status").get_json()["origins"] == {}


def refused(answer: Any) -> None:
    assert answer.status_code == 401, answer.get_json()
    body = answer.get_json()
    assert body["code"] == "unauthorized"
    assert set(body) == {"code", "message", "fields"}


def batch() -> dict[str, Any]:
    return {"documents": [sale_document(seq=1)]}


def test_a_properly_signed_delivery_is_accepted(hq: Hq, store: Credentials) -> None:
    # The control for the refusals below: the same request, signed right, goes through.
    answer = hq.signed_post(store, DOCUMENTS, batch())
    assert answer.status_code == 200
    assert hq.count(Sale) == 1


def test_an_unsigned_delivery_is_refused(hq: Hq, store: Credentials) -> None:
    refused(hq.client.post(DOCUMENTS, json=batch()))
    nothing_received(hq)


def test_an_unsigned_feed_request_is_refused(hq: Hq, store: Credentials) -> None:
    refused(hq.client.get("/api/v1/sync/changes?since=0"))
    refused(hq.client.get("/api/v1/sync/snapshot"))


def test_a_delivery_signed_with_a_wrong_secret_is_refused(hq: Hq, store: Credentials) -> None:
    forged = Credentials("S001", "not-the-store-secret")
    refused(hq.signed_post(forged, DOCUMENTS, batch()))
    nothing_received(hq)


def test_a_delivery_signed_by_an_unknown_store_is_refused(hq: Hq, store: Credentials) -> None:
    refused(hq.signed_post(Credentials("S404", store.secret), DOCUMENTS, batch()))
    nothing_received(hq)


def test_a_delivery_with_a_tampered_signature_header_is_refused(hq: Hq, store: Credentials) -> None:
    target, data, headers = signed_request(store, "POST", DOCUMENTS, body=batch())
    headers[HEADER_SIGNATURE] = headers[HEADER_SIGNATURE][::-1]
    refused(hq.client.post(target, data=data, headers=headers))
    nothing_received(hq)


def test_a_delivery_whose_body_was_changed_after_signing_is_refused(
    hq: Hq, store: Credentials
) -> None:
    target, _, headers = signed_request(store, "POST", DOCUMENTS, body={"documents": []})
    tampered = json.dumps(batch()).encode()
    refused(hq.client.post(target, data=tampered, headers=headers))
    nothing_received(hq)


def test_a_feed_request_whose_query_was_changed_after_signing_is_refused(
    hq: Hq, store: Credentials
) -> None:
    _, _, headers = signed_request(
        store, "GET", "/api/v1/sync/changes", params={"since": 5, "limit": 10}
    )
    refused(hq.client.get("/api/v1/sync/changes?since=0&limit=10", headers=headers))


def test_a_replayed_delivery_is_refused(hq: Hq, store: Credentials) -> None:
    target, data, headers = signed_request(store, "POST", DOCUMENTS, body=batch())
    first = hq.client.post(target, data=data, headers=headers)
    assert first.status_code == 200
    after_first = (hq.count(Sale), hq.count(SYNC.received))
    refused(hq.client.post(target, data=data, headers=headers))
    assert (hq.count(Sale), hq.count(SYNC.received)) == after_first == (1, 1)


def test_a_replayed_feed_request_is_refused(hq: Hq, store: Credentials) -> None:
    target, _, headers = signed_request(store, "GET", "/api/v1/sync/changes", params={"since": 0})
    assert hq.client.get(target, headers=headers).status_code == 200
    refused(hq.client.get(target, headers=headers))


@pytest.mark.parametrize("drift", [-(MAX_SKEW + 60), MAX_SKEW + 60])
def test_a_delivery_with_a_stale_or_future_timestamp_is_refused(
    hq: Hq, store: Credentials, drift: int
) -> None:
    target, data, headers = signed_request(
        store, "POST", DOCUMENTS, body=batch(), now=time.time() + drift
    )
    answer = hq.client.post(target, data=data, headers=headers)
    refused(answer)
    assert "window" in answer.get_json()["message"]
    nothing_received(hq)


def test_a_timestamp_edited_after_signing_is_refused(hq: Hq, store: Credentials) -> None:
    target, data, headers = signed_request(store, "POST", DOCUMENTS, body=batch())
    headers[HEADER_TIMESTAMP] = str(int(headers[HEADER_TIMESTAMP]) + 1)
    refused(hq.client.post(target, data=data, headers=headers))
    nothing_received(hq)


def test_a_closed_store_can_no_longer_sign(hq: Hq, store: Credentials) -> None:
    from hq_server.models import Store

    with hq.sessions.begin() as session:
        session.get(Store, "S001").active = False
    refused(hq.signed_post(store, DOCUMENTS, batch()))
    nothing_received(hq)
