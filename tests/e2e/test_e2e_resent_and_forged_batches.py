"""Batches re-sent by hand change nothing; forged or replayed requests are refused."""

from __future__ import annotations

import json

import pytest
from requests import Response

from chainpos.signing import Credentials, sign
from tests.e2e.chain import Chain, http, outbox_payloads, wait_for

pytestmark = pytest.mark.e2e


def _till_credentials(chain: Chain) -> Credentials:
    code, secret = chain.query("S001-T01", "SELECT code, secret FROM sync_enrolment")[0]
    return Credentials(code, secret)


def _post_signed(chain: Chain, body: bytes, headers: dict[str, str]) -> Response:
    return http.post(
        chain.url("S001") + "/api/v1/sync/documents",
        data=body,
        timeout=10,
        headers={**headers, "Content-Type": "application/json"},
    )


def test_resent_batch_is_acknowledged_as_duplicates_and_changes_nothing(chain: Chain) -> None:
    barcode = chain.barcodes(1)[0]
    for _ in range(3):
        chain.sell("S001-T01", [{"barcode": barcode, "qty": 1}])
    wait_for(
        "delivery to HQ",
        lambda: (
            chain.status("S001")["outbox_depth"] == 0
            and chain.status("S001-T01")["outbox_depth"] == 0
        ),
    )
    wait_for(
        "HQ to hold the sales", lambda: chain.query("hq", "SELECT count(*) FROM sales")[0][0] == 3
    )
    stock_before = chain.query("S001", "SELECT sku, on_hand FROM stock_on_hand ORDER BY sku")
    documents = [d for d in outbox_payloads(chain, "S001-T01") if d["type"] == "sale"]
    body = json.dumps({"documents": documents}).encode()
    path = "/api/v1/sync/documents"
    answer = _post_signed(chain, body, sign(_till_credentials(chain), "POST", path, body))
    assert answer.status_code == 200, answer.text
    assert [a["status"] for a in answer.json()["acks"]] == ["duplicate"] * 3
    assert (
        chain.query("S001", "SELECT sku, on_hand FROM stock_on_hand ORDER BY sku") == stock_before
    )
    assert chain.query("hq", "SELECT count(*) FROM sales")[0][0] == 3


def test_tampered_and_replayed_requests_are_refused(chain: Chain) -> None:
    barcode = chain.barcodes(1)[0]
    chain.sell("S001-T01", [{"barcode": barcode, "qty": 1}])
    wait_for("delivery", lambda: chain.status("S001-T01")["outbox_depth"] == 0)
    document = outbox_payloads(chain, "S001-T01")[0]
    document["body"]["lines"][0]["stock_qty"] = 500  # tampered after signing
    genuine = json.dumps({"documents": [outbox_payloads(chain, "S001-T01")[0]]}).encode()
    headers = sign(_till_credentials(chain), "POST", "/api/v1/sync/documents", genuine)
    tampered = json.dumps({"documents": [document]}).encode()
    stock_before = chain.query("S001", "SELECT sku, on_hand FROM stock_on_hand ORDER BY sku")

    refused = _post_signed(chain, tampered, headers)
    assert refused.status_code == 401
    assert "signature" in refused.json()["message"]
    first = _post_signed(chain, genuine, headers)
    assert first.status_code == 200
    replay = _post_signed(chain, genuine, headers)
    assert replay.status_code == 401
    assert "replay" in replay.json()["message"]
    unsigned = http.post(
        chain.url("S001") + "/api/v1/sync/documents",
        data=genuine,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert unsigned.status_code == 401
    assert (
        chain.query("S001", "SELECT sku, on_hand FROM stock_on_hand ORDER BY sku") == stock_before
    )
