"""A store enrolled after cards were hot-listed learns them from the snapshot."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.integration.hq_loyalty.conftest import Loyalty, ok


def _snapshot(loyalty: Loyalty, store: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(50):
        params: dict[str, Any] = {"limit": limit}
        if after:
            params["after"] = after
        page = ok(loyalty.hq.signed_get(loyalty.store(store), "/api/v1/sync/snapshot", **params))
        items += page["items"]
        after = page["next"]
        if after is None:
            return items
    raise AssertionError("snapshot paging does not end")


def test_the_snapshot_carries_every_hot_card_and_the_coupon_key_but_no_usable_card(
    loyalty: Loyalty,
) -> None:
    member = loyalty.register()["member_id"]
    lost = [loyalty.issue(member)["number"] for _ in range(3)]
    usable = loyalty.issue(member)["number"]
    for number in lost:
        ok(loyalty.staff(f"/cards/{number}/freeze"))
    today = date.today()
    ok(
        loyalty.staff(
            "/coupons/batches",
            {
                "kind": "amount_off",
                "value": 500,
                "valid_from": today.isoformat(),
                "valid_until": (today + timedelta(days=1)).isoformat(),
                "count": 1,
            },
        ),
        201,
    )
    items = _snapshot(loyalty, "S009", limit=2)
    hot = [i for i in items if i["entity"] == "hot_card"]
    assert sorted(i["key"] for i in hot) == sorted(lost)
    assert all(i["payload"]["hot"] for i in hot)
    assert usable not in {i["key"] for i in hot}
    [key] = [i for i in items if i["entity"] == "coupon_key"]
    assert "private_key" not in key["payload"]
    assert len(bytes.fromhex(key["payload"]["public_key"])) == 32
