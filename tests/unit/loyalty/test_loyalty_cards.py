import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.cards import (
    Card,
    CardEvent,
    CardMedium,
    CardState,
    apply_event,
    cancel_card,
    ensure_usable,
    family_card_ids,
    luhn_check_digit,
    make_card_number,
    next_state,
    normalise_card_number,
    normalise_card_uid,
    replace_card,
    supplementary_card,
)
from loyalty.errors import (
    CardFrozen,
    CardNotActive,
    InvalidCardNumber,
    InvalidCardTransition,
    InvalidCardUid,
)
from loyalty.pin import PinState


def _card(state: CardState = CardState.ACTIVE, **extra: object) -> Card:
    fields: dict[str, object] = {
        "card_id": "c1",
        "number": make_card_number("8866", 1),
        "medium": CardMedium.IC,
        "account_id": "acc1",
        "state": state,
        "member_id": "m1",
    } | extra
    return Card(**fields)  # type: ignore[arg-type]


def test_luhn_check_digit_matches_the_standard_example() -> None:
    assert luhn_check_digit("7992739871") == 3


def test_card_number_carries_a_valid_luhn_digit() -> None:
    number = make_card_number("8866", 42)
    assert number == "886600000000042" + str(luhn_check_digit("886600000000042"))
    assert len(number) == 16
    assert normalise_card_number(number) == number


@given(st.integers(min_value=0, max_value=10**11 - 1), st.integers(0, 14), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(serial: int, position: int, delta: int) -> None:
    number = make_card_number("8866", serial)
    typo = str((int(number[position]) + delta) % 10)
    mistyped = number[:position] + typo + number[position + 1 :]
    with pytest.raises(InvalidCardNumber):
        normalise_card_number(mistyped)


def test_card_number_accepts_spaces_and_dashes() -> None:
    number = make_card_number("8866", 7)
    spaced = f"{number[:4]} {number[4:8]}-{number[8:12]} {number[12:]}"
    assert normalise_card_number(spaced) == number


@pytest.mark.parametrize("raw", ["", "12345", "8866abc000000001", "1" * 20])
def test_malformed_card_number_is_refused(raw: str) -> None:
    with pytest.raises(InvalidCardNumber):
        normalise_card_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("04:a2:3b:1c", "04A23B1C"), ("04 A2 3B 1C 5D 6E 7F", "04A23B1C5D6E7F")],
)
def test_ic_uid_is_normalised_to_upper_hex(raw: str, expected: str) -> None:
    assert normalise_card_uid(raw) == expected


@pytest.mark.parametrize("raw", ["04A23B", "04A23B1C5D", "ZZA23B1C"])
def test_ic_uid_of_wrong_length_is_refused(raw: str) -> None:
    with pytest.raises(InvalidCardUid):
        normalise_card_uid(raw)


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (CardState.ISSUED, CardEvent.ACTIVATE, CardState.ACTIVE),
        (CardState.ISSUED, CardEvent.CANCEL, CardState.CANCELLED),
        (CardState.ACTIVE, CardEvent.FREEZE, CardState.FROZEN),
        (CardState.ACTIVE, CardEvent.REPLACE, CardState.REPLACED),
        (CardState.ACTIVE, CardEvent.CANCEL, CardState.CANCELLED),
        (CardState.FROZEN, CardEvent.UNFREEZE, CardState.ACTIVE),
        (CardState.FROZEN, CardEvent.REPLACE, CardState.REPLACED),
        (CardState.FROZEN, CardEvent.CANCEL, CardState.CANCELLED),
    ],
)
def test_card_lifecycle_allows(state: CardState, event: CardEvent, after: CardState) -> None:
    assert next_state(state, event) is after


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (CardState.ISSUED, CardEvent.FREEZE),
        (CardState.ACTIVE, CardEvent.ACTIVATE),
        (CardState.ACTIVE, CardEvent.UNFREEZE),
        (CardState.FROZEN, CardEvent.FREEZE),
        *[(CardState.REPLACED, e) for e in CardEvent],
        *[(CardState.CANCELLED, e) for e in CardEvent],
    ],
)
def test_card_lifecycle_refuses(state: CardState, event: CardEvent) -> None:
    with pytest.raises(InvalidCardTransition):
        next_state(state, event)


@pytest.mark.parametrize(
    ("state", "hot"),
    [
        (CardState.ISSUED, False),
        (CardState.ACTIVE, False),
        (CardState.FROZEN, True),
        (CardState.REPLACED, True),
        (CardState.CANCELLED, True),
    ],
)
def test_frozen_and_dead_cards_are_hot_listed(state: CardState, hot: bool) -> None:
    assert _card(state).hot_listed is hot


def test_frozen_card_cannot_transact_until_unfrozen() -> None:
    frozen = apply_event(_card(), CardEvent.FREEZE)
    with pytest.raises(CardFrozen):
        ensure_usable(frozen)
    ensure_usable(apply_event(frozen, CardEvent.UNFREEZE))


@pytest.mark.parametrize("state", [CardState.ISSUED, CardState.REPLACED, CardState.CANCELLED])
def test_inactive_card_cannot_transact(state: CardState) -> None:
    with pytest.raises(CardNotActive):
        ensure_usable(_card(state))


def test_replacement_moves_accounts_pin_and_children_to_the_new_card() -> None:
    pin = PinState("hash", failed_tries=2)
    old = _card(CardState.FROZEN, pin=pin)
    child = _card(card_id="child", parent_card_id="c1")
    result = replace_card(old, "c2", make_card_number("8866", 2), children=[child])
    assert result.old.state is CardState.REPLACED
    assert result.old.replaced_by == "c2"
    assert result.new.state is CardState.ACTIVE
    assert result.new.account_id == old.account_id
    assert result.new.member_id == "m1"
    assert result.new.pin == pin
    assert result.children_to_repoint == ("child",)


def test_replace_is_only_through_replace_card() -> None:
    with pytest.raises(InvalidCardTransition):
        apply_event(_card(), CardEvent.REPLACE)


def test_cancelling_a_primary_card_cancels_its_children_and_closes_accounts() -> None:
    child = _card(card_id="child", parent_card_id="c1")
    other = _card(card_id="other", parent_card_id="elsewhere")
    result = cancel_card(_card(), [child, other])
    assert result.card.state is CardState.CANCELLED
    assert [c.card_id for c in result.children] == ["child"]
    assert result.children[0].state is CardState.CANCELLED
    assert result.closes_accounts


def test_cancelling_a_child_card_leaves_the_parent_accounts_open() -> None:
    result = cancel_card(_card(card_id="child", parent_card_id="c1"))
    assert not result.closes_accounts


def test_supplementary_card_shares_the_parents_accounts() -> None:
    child = supplementary_card(_card(), "c9", make_card_number("8866", 9), CardMedium.VIRTUAL)
    assert child.account_id == "acc1"
    assert child.parent_card_id == "c1"
    assert child.member_id == "m1"
    assert child.state is CardState.ISSUED


def test_supplementary_cards_do_not_nest() -> None:
    child = _card(card_id="child", parent_card_id="c1")
    with pytest.raises(InvalidCardTransition):
        supplementary_card(child, "c9", make_card_number("8866", 9), CardMedium.IC)


def test_family_is_the_primary_card_and_its_children() -> None:
    cards = [
        _card(card_id="k1", parent_card_id="c1"),
        _card(card_id="k2", parent_card_id="zz"),
        _card(card_id="k3", parent_card_id="c1"),
    ]
    assert family_card_ids(_card(), cards) == ("c1", "k1", "k3")


def test_anonymous_card_is_not_registered() -> None:
    assert not _card(member_id=None).registered
    assert _card().registered
