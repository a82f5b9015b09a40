"""Members at HQ: registration, lookup by mobile, card and QR, duplicates and merge."""

from __future__ import annotations

from hq_server.loyalty.models import Member
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused


def test_registration_normalises_the_mobile_and_starts_at_the_entry_tier(
    loyalty: Loyalty,
) -> None:
    member = loyalty.register(
        "+86 138-0013-8000",
        "王 五",
        birthday="1990-05-01",
        gender="female",
        email="Wang.Wu@Example.COM",
        source_channel="wechat",
        marketing_consent=True,
    )
    assert member["mobile"] == "13800138000"
    assert member["email"] == "wang.wu@example.com"
    assert member["tier"] == "normal"
    assert member["qr"] == f"M:{member['member_id']}"
    assert member["possible_duplicates"] == []


def test_a_malformed_mobile_is_refused_and_nothing_is_registered(loyalty: Loyalty) -> None:
    body = refused(
        loyalty.staff("/members", {"mobile": "010-12345678", "name": "x"}), 422, "invalid_mobile"
    )
    assert "mobile" in body["fields"]
    refused(
        loyalty.staff("/members", {"mobile": MOBILE_OK, "name": "x", "email": "no-at"}),
        422,
        "invalid_email",
    )
    assert loyalty.count(Member) == 0


MOBILE_OK = "13912345678"


def test_a_mobile_registers_only_once(loyalty: Loyalty) -> None:
    first = loyalty.register()
    body = refused(
        loyalty.staff("/members", {"mobile": "138 0013 8000", "name": "另一个"}),
        409,
        "duplicate_member",
    )
    assert body["fields"]["member_id"] == first["member_id"]
    assert loyalty.count(Member) == 1


def test_a_member_is_found_by_mobile_card_number_and_qr(loyalty: Loyalty) -> None:
    member = loyalty.register()
    card = loyalty.issue(member["member_id"])["number"]
    for query in ({"mobile": "+8613800138000"}, {"card": card}, {"qr": member["qr"]}):
        found = ok(loyalty.get("/members", **query))
        assert found["member"]["member_id"] == member["member_id"], query
        assert [c["number"] for c in found["cards"]] == [card]


def test_a_store_sees_the_mobile_masked(loyalty: Loyalty) -> None:
    loyalty.register()
    answer = loyalty.hq.signed_get(
        loyalty.store(), "/api/v1/loyalty/store/members", mobile="13800138000"
    )
    assert ok(answer)["member"]["mobile"] == "138****8000"
    assert ok(answer)["member"]["email"] is None


def test_same_name_and_birthday_is_reported_as_a_possible_duplicate(loyalty: Loyalty) -> None:
    first = loyalty.register(name="张三", birthday="1988-08-08")
    second = loyalty.register("13900139000", "张 三", birthday="1988-08-08")
    assert second["possible_duplicates"] == [
        {"member_id": first["member_id"], "reason": "same_name_and_birthday"}
    ]
    listed = ok(loyalty.get(f"/members/{first['member_id']}/duplicates"))["duplicates"]
    assert listed == [{"member_id": second["member_id"], "reason": "same_name_and_birthday"}]


def test_merging_moves_cards_with_their_history_and_keeps_the_absorbed_record(
    loyalty: Loyalty,
) -> None:
    survivor = loyalty.register(name="张三", birthday="1988-08-08", marketing_consent=True)
    absorbed = loyalty.register(
        "13900139000", "张三", birthday="1988-08-08", email="z3@example.com"
    )
    card = loyalty.issue(absorbed["member_id"])["number"]
    ok(loyalty.top_up(card, 20_000))
    merged = ok(
        loyalty.staff(
            f"/members/{survivor['member_id']}/merge", {"absorbed": absorbed["member_id"]}
        )
    )
    assert merged["cards_moved"] == [card]
    assert merged["email"] == "z3@example.com"
    assert merged["marketing_consent"] is False  # a merge never widens consent
    found = ok(loyalty.get("/members", mobile="13900139000"))
    assert found["member"]["member_id"] == survivor["member_id"]
    assert loyalty.balance(card)["total"] == 20_000
    assert len(ok(loyalty.get(f"/cards/{card}/statement"))["entries"]) == 1
    refused(
        loyalty.staff(
            f"/members/{survivor['member_id']}/merge", {"absorbed": absorbed["member_id"]}
        ),
        409,
        "merge_not_allowed",
    )
