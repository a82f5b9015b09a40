import itertools
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.cards import Card, CardMedium, CardState
from loyalty.errors import (
    CardFrozen,
    InsufficientBalance,
    InvalidAmount,
    InvalidConfig,
    OverCap,
    ReturnExceedsSale,
    TransferNotAllowed,
)
from loyalty.stored_value import (
    Balance,
    BonusStep,
    SpendOrder,
    StoredValuePolicy,
    SvEntry,
    SvEntryKind,
    balance_of,
    cancel_balance,
    grant_bonus,
    post_offline_spend,
    refund_spend,
    spend,
    split_spend,
    top_up,
    transfer,
)

POLICY = StoredValuePolicy(
    bonus_steps=(BonusStep(50_000, 5_000), BonusStep(100_000, 20_000), BonusStep(200_000, 50_000)),
    spend_order=SpendOrder.BONUS_FIRST,
)
CARD = Card("c1", "8866000000000014", CardMedium.IC, "acc1", CardState.ACTIVE, member_id="m1")
ANONYMOUS = replace(CARD, card_id="c2", account_id="acc2", member_id=None)


@pytest.mark.parametrize(
    ("amount", "bonus"),
    [
        (49_999, 0),
        (50_000, 5_000),
        (99_999, 5_000),
        (100_000, 20_000),
        (150_000, 20_000),
        (200_000, 50_000),
        (400_000, 50_000),
    ],
)
def test_top_up_bonus_is_the_highest_step_reached(amount: int, bonus: int) -> None:
    entry = top_up(POLICY, CARD, Balance(), amount, store_id="S001", ref="t1")
    assert (entry.kind, entry.principal, entry.bonus, entry.store_id) == (
        SvEntryKind.TOP_UP,
        amount,
        bonus,
        "S001",
    )


@pytest.mark.parametrize(
    ("card", "current", "amount", "allowed"),
    [
        (CARD, Balance(400_000, 90_000), 100_000, True),  # 5,000 principal exactly; bonus aside
        (CARD, Balance(400_001, 0), 100_000, False),
        (ANONYMOUS, Balance(0, 0), 100_000, True),
        (ANONYMOUS, Balance(50_000, 0), 50_100, False),
    ],
)
def test_top_up_respects_the_registered_and_anonymous_caps(
    card: Card, current: Balance, amount: int, allowed: bool
) -> None:
    if allowed:
        top_up(POLICY, card, current, amount, store_id="S001", ref="t")
    else:
        with pytest.raises(OverCap) as error:
            top_up(POLICY, card, current, amount, store_id="S001", ref="t")
        assert error.value.limit == (500_000 if card.registered else 100_000)
        assert error.value.code == "over_cap"


def test_cap_can_be_configured_to_include_bonus() -> None:
    policy = replace(POLICY, cap_includes_bonus=True)
    with pytest.raises(OverCap):
        top_up(policy, CARD, Balance(400_000, 90_000), 10_001, store_id="S001", ref="t")


def test_top_up_below_minimum_or_on_frozen_card_is_refused() -> None:
    with pytest.raises(InvalidAmount):
        top_up(POLICY, CARD, Balance(), 99, store_id="S001", ref="t")
    with pytest.raises(CardFrozen):
        top_up(
            POLICY,
            replace(CARD, state=CardState.FROZEN),
            Balance(),
            10_000,
            store_id="S001",
            ref="t",
        )


@pytest.mark.parametrize(
    ("order", "current", "amount", "principal", "bonus"),
    [
        (SpendOrder.BONUS_FIRST, Balance(10_000, 2_000), 3_000, 1_000, 2_000),
        (SpendOrder.BONUS_FIRST, Balance(10_000, 2_000), 1_500, 0, 1_500),
        (SpendOrder.PRINCIPAL_FIRST, Balance(10_000, 2_000), 11_000, 10_000, 1_000),
        (SpendOrder.PRINCIPAL_FIRST, Balance(10_000, 2_000), 500, 500, 0),
        (SpendOrder.PROPORTIONAL, Balance(10_000, 2_000), 6_000, 5_000, 1_000),
        (SpendOrder.PROPORTIONAL, Balance(100_000, 20_000), 1, 1, 0),
        (SpendOrder.PROPORTIONAL, Balance(2, 1), 3, 2, 1),
    ],
)
def test_spend_splits_by_the_configured_order(
    order: SpendOrder, current: Balance, amount: int, principal: int, bonus: int
) -> None:
    assert split_spend(current, amount, order) == Balance(principal, bonus)


def test_spend_beyond_balance_is_refused() -> None:
    with pytest.raises(InsufficientBalance):
        spend(POLICY, CARD, Balance(1_000, 500), 1_501, store_id="S001", ref="s")


def test_spend_entry_is_negative_and_records_the_store() -> None:
    entry = spend(POLICY, CARD, Balance(10_000, 2_000), 3_000, store_id="S002", ref="s1")
    assert (entry.kind, entry.principal, entry.bonus, entry.store_id, entry.amount) == (
        SvEntryKind.SPEND,
        -1_000,
        -2_000,
        "S002",
        -3_000,
    )


def test_balance_is_the_sum_of_entries() -> None:
    entries = [
        top_up(POLICY, CARD, Balance(), 100_000, store_id="S001", ref="t"),
        spend(POLICY, CARD, Balance(100_000, 20_000), 30_000, store_id="S002", ref="s"),
    ]
    assert balance_of(entries) == Balance(90_000, 0)


def test_refunds_restore_principal_and_bonus_in_the_spends_proportion() -> None:
    original = SvEntry("acc1", SvEntryKind.SPEND, -7_000, -3_000, "S001", "s1")
    first = refund_spend(original, 4_000, store_id="S001", ref="r1")
    second = refund_spend(original, 6_000, prior_refunded=4_000, store_id="S001", ref="r2")
    assert (first.principal, first.bonus) == (2_800, 1_200)
    assert (first.principal + second.principal, first.bonus + second.bonus) == (7_000, 3_000)
    with pytest.raises(ReturnExceedsSale):
        refund_spend(original, 1, prior_refunded=10_000, store_id="S001", ref="r3")


def test_transfer_moves_principal_only_between_one_members_cards() -> None:
    target = replace(CARD, card_id="c3", account_id="acc3")
    out, into = transfer(
        POLICY, CARD, target, Balance(10_000, 5_000), Balance(), 10_000, store_id="S001", ref="x1"
    )
    assert (out.account_id, out.principal, out.bonus, out.kind) == (
        "acc1",
        -10_000,
        0,
        SvEntryKind.TRANSFER_OUT,
    )
    assert (into.account_id, into.principal, into.bonus, into.kind) == (
        "acc3",
        10_000,
        0,
        SvEntryKind.TRANSFER_IN,
    )
    with pytest.raises(InsufficientBalance):
        transfer(
            POLICY,
            CARD,
            target,
            Balance(10_000, 5_000),
            Balance(),
            10_001,
            store_id="S001",
            ref="x2",
        )


@pytest.mark.parametrize(
    "target",
    [
        replace(CARD, card_id="c3", account_id="acc3", member_id="someone-else"),
        replace(CARD, card_id="c3", account_id="acc3", member_id=None),
        replace(CARD, card_id="child", parent_card_id="c1"),  # shares the account
    ],
)
def test_transfer_to_another_members_card_or_shared_account_is_refused(target: Card) -> None:
    with pytest.raises(TransferNotAllowed):
        transfer(POLICY, CARD, target, Balance(10_000), Balance(), 100, store_id="S", ref="x")


def test_transfer_respects_the_target_cap() -> None:
    target = replace(CARD, card_id="c3", account_id="acc3")
    with pytest.raises(OverCap):
        transfer(
            POLICY, CARD, target, Balance(10_000), Balance(495_000), 10_000, store_id="S", ref="x"
        )


def test_cancelled_card_refunds_principal_and_forfeits_bonus() -> None:
    cancelled = replace(CARD, state=CardState.CANCELLED)
    result = cancel_balance(cancelled, Balance(12_345, 2_000), store_id="S001", ref="cx")
    assert result.refund_due == 12_345
    assert result.bonus_forfeited == 2_000
    assert [(e.kind, e.principal, e.bonus) for e in result.entries] == [
        (SvEntryKind.CANCEL_REFUND, -12_345, 0),
        (SvEntryKind.BONUS_FORFEIT, 0, -2_000),
    ]
    assert balance_of(result.entries) == Balance(-12_345, -2_000)
    with pytest.raises(TransferNotAllowed):
        cancel_balance(CARD, Balance(1), store_id="S001", ref="cx")


def test_offline_spend_posted_beyond_the_balance_is_flagged_as_overdraft() -> None:
    entry = post_offline_spend(POLICY, "acc1", Balance(1_000, 500), 2_000, store_id="S", ref="o")
    assert (entry.principal, entry.bonus, entry.overdraft) == (-1_500, -500, 500)


def test_debits_above_the_threshold_need_the_members_pin() -> None:
    assert not POLICY.needs_pin(50_000)
    assert POLICY.needs_pin(50_001)


def test_bonus_can_be_granted_on_its_own() -> None:
    entry = grant_bonus("acc1", 1_000, store_id="HQ", ref="referral:r1:m2")
    assert (entry.kind, entry.principal, entry.bonus) == (SvEntryKind.BONUS, 0, 1_000)


def test_stored_value_policy_round_trips_and_refuses_unsorted_steps() -> None:
    assert StoredValuePolicy.from_dict(POLICY.to_dict()) == POLICY
    with pytest.raises(InvalidConfig):
        StoredValuePolicy(bonus_steps=(BonusStep(100, 1), BonusStep(50, 1)))


# --- properties ---------------------------------------------------------------

balances = st.builds(Balance, st.integers(0, 500_000), st.integers(0, 200_000))


@given(balances, st.sampled_from(list(SpendOrder)), st.data())
def test_spending_never_makes_principal_or_bonus_negative(
    current: Balance, order: SpendOrder, data: st.DataObject
) -> None:
    if current.total == 0:
        return
    amount = data.draw(st.integers(1, current.total))
    part = split_spend(current, amount, order)
    assert part.principal + part.bonus == amount
    assert 0 <= part.principal <= current.principal
    assert 0 <= part.bonus <= current.bonus


@given(st.integers(0, 100_000), st.integers(0, 100_000), st.data())
def test_refunds_in_any_slices_restore_the_spend_exactly(
    principal: int, bonus: int, data: st.DataObject
) -> None:
    if principal + bonus == 0:
        return
    original = SvEntry("a", SvEntryKind.SPEND, -principal, -bonus, "S", "s")
    cuts = (
        sorted(data.draw(st.lists(st.integers(1, principal + bonus - 1), max_size=3)))
        if principal + bonus > 1
        else []
    )
    bounds = sorted({0, *cuts, principal + bonus})
    refunds = [
        refund_spend(original, b - a, prior_refunded=a, store_id="S", ref="r")
        for a, b in itertools.pairwise(bounds)
    ]
    assert balance_of(refunds) == Balance(principal, bonus)
    assert all(r.principal >= 0 and r.bonus >= 0 for r in refunds)
