"""A member known only by mobile buys 300 yuan at a till: the sale travels till → store → HQ
with the member's id, and HQ issues their virtual card under the single-purchase rule.

HQ, two stores and a till each run as real processes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from chainpos.ids import new_id
from tests.e2e.chain import Chain, running, wait_for

pytestmark = pytest.mark.e2e

MOBILE = "13900139030"


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    yield from running(tmp_path, products=20)


def test_a_cardless_members_300_yuan_sale_at_a_till_earns_a_card_at_hq(chain: Chain) -> None:
    member = chain.hq_post(
        "/api/v1/loyalty/members", {"idempotency_key": new_id(), "mobile": MOBILE, "name": "周芷若"}
    )
    assert member.status_code == 201, member.text
    member_id = member.json()["member_id"]
    till = "S001-T01"
    [code] = chain.barcodes(1)
    price = chain.till_post(till, "/api/v1/sales/quote", {"lines": [{"barcode": code, "qty": 1}]})
    lines = [{"barcode": code, "qty": math.ceil(30_000 / price.json()["total"])}]
    total = chain.till_post(till, "/api/v1/sales/quote", {"lines": lines}).json()["total"]
    assert total >= 30_000
    sale = chain.till_post(
        till,
        "/api/v1/sales",
        {
            "sale_id": new_id(),
            "lines": lines,
            "tenders": [{"method": "cash", "amount": total + 100}],
            "member": {"mobile": MOBILE},
        },
    )
    assert sale.status_code == 201, sale.text
    assert sale.json()["member"]["member_id"] == member_id and sale.json()["member"]["card"] is None

    wait_for(
        "HQ to issue the member's card",
        lambda: chain.hq_get("/api/v1/loyalty/members", mobile=MOBILE)["cards"] != [],
        timeout=60,
    )
    [card] = chain.hq_get("/api/v1/loyalty/members", mobile=MOBILE)["cards"]
    assert (card["medium"], card["state"]) == ("virtual", "active")
    enrolment = chain.hq_get(f"/api/v1/loyalty/members/{member_id}/enrolment")
    assert enrolment["rule"] == "single_purchase"
    assert enrolment["document"] == sale.json()["doc_id"]
    assert enrolment["card_id"] == card["card_id"] and enrolment["store"] == "S001"
