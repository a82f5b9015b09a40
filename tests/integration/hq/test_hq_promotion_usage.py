"""HQ counts promotion uses as sales arrive and sends the counts of limited ones down the feed.

Runs on SQLite and PostgreSQL (the `hq` fixture), through both ingestion paths: one
document at a time, and the batch fast path.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from chainpos.signing import Credentials
from hq_server.promotions.models import PromotionMemberUsage, PromotionUsage
from tests.factories import COLA_EAN, sale_document
from tests.integration.hq.conftest import Hq
from tests.integration.hq_loyalty.conftest import Loyalty

MEMBER = "0190f1c2-0000-7000-8000-000000000001"


@pytest.fixture
def chain(hq: Hq) -> dict[str, Credentials]:
    """Two stores with a till each, cola, and four promotions on it, one per kind of limit."""
    creds = {"S001": hq.add_store("S001"), "S002": hq.add_store("S002")}
    hq.add_till("S001", "S001-T01")
    hq.add_till("S002", "S002-T01")
    hq.add_category()
    hq.add_product("A1", [COLA_EAN], 350)
    for promotion_id, limits in (
        ("P-CHAIN", {"chain": 5}),
        ("P-STORE", {"store": 3}),
        ("P-FREE", {}),
        ("P-MEMBER", {"member": 1}),
    ):
        hq.ok(
            hq.post(
                "/api/v1/promotions",
                {
                    "id": promotion_id,
                    "name": promotion_id,
                    "kind": "item_discount",
                    "stacking": "stackable",
                    "limits": limits,
                    "target": {"product_ids": ["A1"]},
                    "rule": {"mode": "percent", "percent": "10"},
                },
            )
        )
    return creds


def sale(
    seq: int,
    uses: Any,
    *,
    store: str = "S001",
    member_id: str | None = None,
) -> dict[str, Any]:
    document = sale_document(store=store, till=f"{store}-T01", seq=seq)
    document["body"]["promotion_uses"] = uses
    if member_id is not None:
        document["body"]["member"] = {"card": "9000000000000001", "member_id": member_id}
    return document


def counts(hq: Hq) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    with hq.sessions() as session:
        stores = [
            (u.promotion_id, u.store_code, u.times)
            for u in session.scalars(
                select(PromotionUsage).order_by(
                    PromotionUsage.promotion_id, PromotionUsage.store_code
                )
            )
        ]
        members = [
            (u.member_id, u.promotion_id, u.times)
            for u in session.scalars(select(PromotionMemberUsage))
        ]
    return stores, members


def usage_changes(hq: Hq, creds: Credentials, since: int = 0) -> list[dict[str, Any]]:
    return [c for c in hq.changes(creds, since)["changes"] if c["entity"] == "promotion_usage"]


def test_a_sale_counts_every_promotion_per_store_and_publishes_the_limited_ones(
    hq: Hq, chain: dict[str, Credentials]
) -> None:
    [ack] = hq.send_documents(chain["S001"], sale(1, {"P-CHAIN": 2, "P-FREE": 1, "P-STORE": 1}))
    assert ack["status"] == "applied"
    assert counts(hq) == (
        [("P-CHAIN", "S001", 2), ("P-FREE", "S001", 1), ("P-STORE", "S001", 1)],
        [],
    )
    changes = usage_changes(hq, chain["S002"])
    assert [(c["key"], c["payload"]) for c in changes] == [
        ("P-CHAIN", {"promotion_id": "P-CHAIN", "chain": 2, "stores": {"S001": 2}}),
        ("P-STORE", {"promotion_id": "P-STORE", "chain": 1, "stores": {"S001": 1}}),
    ]
    assert all(c.get("scope") is None for c in changes)  # every store and till needs them


def test_a_batch_adds_up_its_sales_and_publishes_one_change_per_promotion(
    hq: Hq, chain: dict[str, Credentials]
) -> None:
    hq.send_documents(chain["S002"], sale(1, {"P-CHAIN": 1}, store="S002"))
    head = hq.changes(chain["S001"])["head"]
    acks = hq.send_documents(
        chain["S001"],
        sale(1, {"P-CHAIN": 1}),
        sale(2, {"P-CHAIN": 2, "P-FREE": 4}),
        sale(3, {}),
        sale(4, {"P-CHAIN": 1}),
    )
    assert [a["status"] for a in acks] == ["applied"] * 4
    assert counts(hq)[0] == [("P-CHAIN", "S001", 4), ("P-CHAIN", "S002", 1), ("P-FREE", "S001", 4)]
    # One change for the whole batch: the fast path, not one document at a time.
    [change] = usage_changes(hq, chain["S002"], since=head)
    assert change["payload"] == {
        "promotion_id": "P-CHAIN",
        "chain": 5,
        "stores": {"S001": 4, "S002": 1},
    }


def test_a_members_uses_are_counted_for_member_limited_promotions_only(
    hq: Hq, chain: dict[str, Credentials]
) -> None:
    hq.send_documents(
        chain["S001"],
        sale(1, {"P-MEMBER": 1, "P-CHAIN": 1}, member_id=MEMBER),
        sale(2, {"P-MEMBER": 1}, member_id=MEMBER),
    )
    hq.send_documents(chain["S002"], sale(1, {"P-MEMBER": 1}, store="S002", member_id=MEMBER))
    hq.send_documents(chain["S002"], sale(2, {"P-MEMBER": 1}, store="S002"))  # no member known
    stores, members = counts(hq)
    assert members == [(MEMBER, "P-MEMBER", 3)]
    assert ("P-MEMBER", "S002", 2) in stores
    # A per-member limit alone is not the feed's business: the member lookup carries it.
    assert [c["key"] for c in usage_changes(hq, chain["S001"])] == ["P-CHAIN"]


def test_a_re_sent_sale_is_counted_once(hq: Hq, chain: dict[str, Credentials]) -> None:
    document = sale(1, {"P-CHAIN": 2})
    hq.send_documents(chain["S001"], document)
    assert hq.send_documents(chain["S001"], document, document)[0]["status"] == "duplicate"
    assert counts(hq)[0] == [("P-CHAIN", "S001", 2)]
    assert len(usage_changes(hq, chain["S001"])) == 1


@pytest.mark.parametrize(
    "uses",
    [
        ["P-CHAIN"],
        {"P-CHAIN": 0},
        {"P-CHAIN": -1},
        {"P-CHAIN": "2"},
        {"P-CHAIN": True},
        {"P-CHAIN": 1.5},
        {"X" * 65: 1},
    ],
)
def test_malformed_promotion_uses_reject_the_sale_and_count_nothing(
    hq: Hq, chain: dict[str, Credentials], uses: Any
) -> None:
    # In a batch with a good sale: the fast path fails, each is applied on its own.
    good, bad = sale(1, {"P-CHAIN": 1}), sale(2, uses)
    acks = hq.send_documents(chain["S001"], good, bad)
    assert [a["status"] for a in acks] == ["applied", "rejected"]
    assert "promotion_uses" in acks[1]["reason"]
    assert counts(hq)[0] == [("P-CHAIN", "S001", 1)]
    [ack] = hq.send_documents(chain["S001"], sale(3, uses))
    assert ack["status"] == "rejected"
    assert counts(hq)[0] == [("P-CHAIN", "S001", 1)]


def test_a_sale_without_promotion_uses_is_applied_and_counts_nothing(
    hq: Hq, chain: dict[str, Credentials]
) -> None:
    # Sales journaled before tills recorded uses carry none.
    [ack] = hq.send_documents(chain["S001"], sale_document(seq=1))
    assert ack["status"] == "applied"
    assert counts(hq) == ([], [])


def test_the_snapshot_carries_the_counts_of_every_chain_or_store_limited_promotion(
    hq: Hq, chain: dict[str, Credentials]
) -> None:
    hq.send_documents(chain["S001"], sale(1, {"P-CHAIN": 2, "P-FREE": 1}))
    items: list[dict[str, Any]] = []
    after: str | None = None
    while True:  # one item a page: paging must not skip or repeat a promotion
        params: dict[str, Any] = {"limit": 1, **({"after": after} if after else {})}
        page = hq.signed_get(chain["S002"], "/api/v1/sync/snapshot", **params).get_json()
        items += page["items"]
        after = page["next"]
        if after is None:
            break
    usage = [(i["key"], i["payload"]) for i in items if i["entity"] == "promotion_usage"]
    assert usage == [
        ("P-CHAIN", {"promotion_id": "P-CHAIN", "chain": 2, "stores": {"S001": 2}}),
        ("P-STORE", {"promotion_id": "P-STORE", "chain": 0, "stores": {}}),
    ]


def test_the_member_lookup_returns_the_members_uses_of_live_member_limited_promotions(
    hq: Hq, chain: dict[str, Credentials]
) -> None:
    loyalty = Loyalty(hq)
    member = loyalty.register("13800138000")
    other = loyalty.register("13900139000", name="李四")
    hq.send_documents(
        chain["S001"],
        sale(1, {"P-MEMBER": 1, "P-CHAIN": 1}, member_id=member["member_id"]),
        sale(2, {"P-MEMBER": 1}, member_id=other["member_id"]),
    )
    found = hq.signed_get(chain["S002"], "/api/v1/loyalty/store/members", mobile="13800138000")
    assert found.status_code == 200, found.get_json()
    assert found.get_json()["promotion_uses"] == {"P-MEMBER": 1}
    # Uses made under a member later merged into this one still count.
    merged = loyalty.staff(
        f"/members/{member['member_id']}/merge", {"absorbed": other["member_id"]}
    )
    assert merged.status_code == 200, merged.get_json()
    found = hq.signed_get(chain["S002"], "/api/v1/loyalty/store/members", mobile="13800138000")
    assert found.get_json()["promotion_uses"] == {"P-MEMBER": 2}
    # An ended promotion is nobody's concern any more.
    hq.ok(hq.post("/api/v1/promotions/P-MEMBER/end", {}), 200)
    found = hq.signed_get(chain["S002"], "/api/v1/loyalty/store/members", mobile="13800138000")
    assert found.get_json()["promotion_uses"] == {}


@pytest.mark.parametrize("hq_db_url", ["postgres"], indirect=True)
def test_concurrent_batches_of_two_stores_never_publish_an_older_count_last(
    hq: Hq, chain: dict[str, Credentials]
) -> None:
    """Each batch reads the counts after taking the feed's head lock, so the newest change
    always holds every batch committed before it."""
    import threading

    rounds = 8
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def deliver(store: str) -> None:
        try:
            for n in range(rounds):
                barrier.wait(timeout=30)
                acks = hq.send_documents(
                    chain[store],
                    sale(2 * n + 1, {"P-CHAIN": 1}, store=store),
                    sale(2 * n + 2, {"P-CHAIN": 1}, store=store),
                )
                assert [a["status"] for a in acks] == ["applied", "applied"]
        except BaseException as err:  # reported by the main thread
            failures.append(err)

    threads = [threading.Thread(target=deliver, args=(s,)) for s in ("S001", "S002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    changes = usage_changes(hq, chain["S001"])
    assert changes[-1]["payload"] == {
        "promotion_id": "P-CHAIN",
        "chain": 4 * rounds,
        "stores": {"S001": 2 * rounds, "S002": 2 * rounds},
    }
    chains = [c["payload"]["chain"] for c in changes]
    assert chains == sorted(chains)  # versions in commit order: counts only ever grow
