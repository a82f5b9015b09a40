"""Card lifecycle at HQ: issue, activate, lost and found on the hot list, replace, cancel, PIN."""

from __future__ import annotations

from hq_server.loyalty.models import PinRecord
from loyalty.cards import normalise_card_number
from tests.integration.hq_loyalty.conftest import Loyalty, ok, refused


def test_an_issued_card_has_a_luhn_number_and_must_be_activated_before_use(
    loyalty: Loyalty,
) -> None:
    card = loyalty.issue(loyalty.register()["member_id"], activate=False)
    assert normalise_card_number(card["number"]) == card["number"]
    assert card["state"] == "issued"
    refused(loyalty.top_up(card["number"], 10_000), 409, "card_not_active")
    assert ok(loyalty.staff(f"/cards/{card['number']}/activate"))["state"] == "active"
    ok(loyalty.top_up(card["number"], 10_000))


def test_an_ic_card_is_found_by_its_uid_and_a_uid_is_issued_once(loyalty: Loyalty) -> None:
    member = loyalty.register()["member_id"]
    card = loyalty.issue(member, medium="ic", uid="04:a2:2b:1a")
    assert card["uid"] == "04A22B1A"
    ok(loyalty.signed("/sv/credit", {"card_uid": "04a22b1a", "kind": "top_up", "amount": 500}))
    assert loyalty.balance(card["number"])["principal"] == 500
    refused(loyalty.staff("/cards", {"medium": "ic", "uid": "04A22B1A"}), 409, "card_taken")


def test_reporting_a_card_lost_freezes_it_and_puts_it_on_the_hot_list_feed(
    loyalty: Loyalty,
) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 10_000))
    assert ok(loyalty.staff(f"/cards/{card}/freeze"))["state"] == "frozen"
    [hot] = loyalty.feed("hot_card")
    assert hot["key"] == card
    assert hot["payload"]["hot"] is True
    assert hot["payload"]["state"] == "frozen"
    refused(loyalty.debit(card, 100), 409, "card_frozen")
    assert loyalty.balance(card)["total"] == 10_000


def test_unfreezing_publishes_the_cards_removal_from_the_hot_list(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 10_000))
    ok(loyalty.staff(f"/cards/{card}/freeze"))
    ok(loyalty.staff(f"/cards/{card}/unfreeze"))
    hot, cleared = loyalty.feed("hot_card")
    assert cleared["version"] > hot["version"]
    assert cleared["payload"] == {**hot["payload"], "hot": False, "state": "active"}
    ok(loyalty.debit(card, 100))


def test_replacing_a_card_moves_balance_points_and_history_and_kills_the_old_one(
    loyalty: Loyalty,
) -> None:
    old = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(old, 30_000))
    ok(loyalty.earn(old, [("l1", 10_000)]))
    ok(loyalty.staff(f"/cards/{old}/freeze"))
    swap = ok(loyalty.staff(f"/cards/{old}/replace", {"medium": "printed"}))
    new = swap["new"]["number"]
    assert swap["old"]["state"] == "replaced"
    assert swap["old"]["replaced_by"] == swap["new"]["card_id"]
    assert loyalty.balance(new) == {"principal": 30_000, "bonus": 0, "total": 30_000, "points": 100}
    assert len(ok(loyalty.get(f"/cards/{new}/statement"))["entries"]) == 1
    refused(loyalty.debit(old, 100), 409, "card_not_active")
    assert loyalty.feed("hot_card")[-1]["payload"] == {
        "card_id": swap["old"]["card_id"],
        "number": old,
        "uid": None,
        "state": "replaced",
        "hot": True,
    }
    ok(loyalty.debit(new, 100))


def test_cancelling_refunds_principal_forfeits_bonus_and_records_both(
    loyalty: Loyalty,
) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.top_up(card, 100_000))  # + 20,000 bonus
    ok(loyalty.debit(card, 5_000))  # bonus first: bonus 15,000 left
    answer = ok(loyalty.staff(f"/cards/{card}/cancel", {"store": "S001"}))
    assert (answer["refund_due"], answer["bonus_forfeited"]) == (100_000, 15_000)
    assert loyalty.balance(card)["total"] == 0
    kinds = [e["kind"] for e in ok(loyalty.get(f"/cards/{card}/statement"))["entries"]]
    assert kinds[:2] == ["bonus_forfeit", "cancel_refund"]
    assert loyalty.feed("hot_card")[-1]["payload"]["state"] == "cancelled"
    refused(loyalty.top_up(card, 100), 409, "card_not_active")


def test_a_child_card_spends_and_earns_on_its_parents_accounts(loyalty: Loyalty) -> None:
    member = loyalty.register()["member_id"]
    parent = loyalty.issue(member)
    child = loyalty.issue(None, parent_card=parent["number"])
    assert child["account_id"] == parent["account_id"]
    assert child["member_id"] == member
    ok(loyalty.top_up(parent["number"], 10_000))
    ok(loyalty.debit(child["number"], 4_000))
    ok(loyalty.earn(child["number"], [("l1", 5_000)]))
    assert loyalty.balance(parent["number"])["total"] == 6_000
    assert loyalty.balance(parent["number"])["points"] == 50
    refused(loyalty.issue_raw(parent_card=child["number"]), 409, "invalid_card_transition")


def test_five_wrong_pins_lock_the_card_until_staff_reset_it(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.staff(f"/cards/{card}/pin", {"pin": "135790"}))
    ok(loyalty.top_up(card, 100_000))
    big = 60_000  # above the 500-yuan PIN threshold
    refused(loyalty.debit(card, big), 403, "pin_required")
    for left in (4, 3, 2, 1):
        body = refused(loyalty.debit(card, big, pin="000000"), 403, "wrong_pin")
        assert body["fields"]["tries_left"] == left
    refused(loyalty.debit(card, big, pin="000000"), 403, "wrong_pin")
    with loyalty.hq.sessions() as session:
        record = session.get(PinRecord, loyalty.card(card)["card_id"])
        assert record is not None and record.locked and record.failed_tries == 5
    refused(loyalty.debit(card, big, pin="135790"), 403, "pin_locked")
    assert loyalty.balance(card)["total"] == 120_000
    ok(loyalty.staff(f"/cards/{card}/pin", {"pin": "246813"}))
    ok(loyalty.debit(card, big, pin="246813"))
    assert loyalty.balance(card)["total"] == 60_000


def test_a_right_pin_clears_the_wrong_try_counter(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.staff(f"/cards/{card}/pin", {"pin": "135790"}))
    ok(loyalty.top_up(card, 100_000))
    refused(loyalty.debit(card, 60_000, pin="000000"), 403, "wrong_pin")
    ok(loyalty.debit(card, 60_000, pin="135790"))
    assert loyalty.card(card)["pin"] == {"set": True, "locked": False, "failed_tries": 0}


def test_changing_a_pin_needs_the_old_one_and_a_strong_new_one(loyalty: Loyalty) -> None:
    card = loyalty.issue(loyalty.register()["member_id"])["number"]
    ok(loyalty.staff(f"/cards/{card}/pin", {"pin": "135790"}))
    refused(
        loyalty.staff(f"/cards/{card}/pin/change", {"old_pin": "135790", "new_pin": "123456"}),
        422,
        "weak_pin",
    )
    refused(
        loyalty.staff(f"/cards/{card}/pin/change", {"old_pin": "999999", "new_pin": "246813"}),
        403,
        "wrong_pin",
    )
    assert loyalty.card(card)["pin"]["failed_tries"] == 1
    ok(loyalty.staff(f"/cards/{card}/pin/change", {"old_pin": "135790", "new_pin": "246813"}))
    assert loyalty.card(card)["pin"]["failed_tries"] == 0
