import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty.offline import (
    Authorisation,
    CardOfflineState,
    OfflineDebitRequest,
    OfflineLimits,
    OfflinePolicy,
    OfflineRiskState,
    Refusal,
    RefusalReason,
    authorise_offline_debit,
    authorise_offline_points,
    card_synced,
    exposure_after_posting,
)

LIMITS = OfflineLimits(
    per_transaction=20_000, per_card_amount=50_000, per_card_count=3, store_exposure=1_000_000
)
CARD = CardOfflineState("c1", known_balance=100_000)


def _decide(
    card: CardOfflineState | None = CARD, amount: int = 10_000, exposure: int = 0
) -> Authorisation | Refusal:
    return authorise_offline_debit(
        OfflineRiskState(LIMITS, card, exposure), OfflineDebitRequest("c1", amount, "tender-1")
    )


def test_offline_debit_within_limits_is_authorised_and_counted() -> None:
    result = _decide()
    assert isinstance(result, Authorisation)
    assert result.card == CardOfflineState("c1", 90_000, False, 10_000, 1)
    assert result.store_exposure == 10_000


@pytest.mark.parametrize(
    ("card", "amount", "exposure", "reason"),
    [
        (CARD, 0, 0, RefusalReason.INVALID_AMOUNT),
        (CardOfflineState("c1", 100_000, hot_listed=True), 100, 0, RefusalReason.HOT_LISTED),
        (None, 100, 0, RefusalReason.UNKNOWN_CARD),
        (CardOfflineState("other", 100_000), 100, 0, RefusalReason.UNKNOWN_CARD),
        (CARD, 20_001, 0, RefusalReason.OVER_TRANSACTION_LIMIT),
        (CardOfflineState("c1", 5_000), 5_001, 0, RefusalReason.BEYOND_KNOWN_BALANCE),
        (CardOfflineState("c1", 100_000, False, 30_000, 3), 100, 0, RefusalReason.OVER_CARD_COUNT),
        (
            CardOfflineState("c1", 100_000, False, 40_000, 2),
            10_001,
            0,
            RefusalReason.OVER_CARD_AMOUNT,
        ),
        (CARD, 10_000, 990_001, RefusalReason.OVER_STORE_EXPOSURE),
    ],
)
def test_offline_debit_refused(
    card: CardOfflineState | None, amount: int, exposure: int, reason: RefusalReason
) -> None:
    result = _decide(card, amount, exposure)
    assert isinstance(result, Refusal)
    assert result.reason is reason
    assert result.code == reason.value


def test_hot_listed_card_is_refused_even_for_one_fen() -> None:
    result = _decide(CardOfflineState("c1", 100_000, hot_listed=True), 1)
    assert isinstance(result, Refusal) and result.reason is RefusalReason.HOT_LISTED


def test_limits_are_inclusive() -> None:
    card = CardOfflineState("c1", 20_000, False, 30_000, 2)
    assert isinstance(_decide(card, 20_000, 980_000), Authorisation)


def test_card_touching_hq_restarts_its_offline_counters() -> None:
    assert card_synced("c1", 70_000, hot_listed=False) == CardOfflineState("c1", 70_000)


def test_posting_to_hq_lowers_store_exposure() -> None:
    assert exposure_after_posting(30_000, 20_000) == 10_000
    assert exposure_after_posting(10_000, 20_000) == 0


def test_points_redemption_follows_the_same_rules_in_points() -> None:
    state = OfflineRiskState(LIMITS, CardOfflineState("c1", 500), 0)
    result = authorise_offline_points(state, OfflineDebitRequest("c1", 600, "tender-2"))
    assert isinstance(result, Refusal) and result.reason is RefusalReason.BEYOND_KNOWN_BALANCE


def test_decisions_serialise_as_journal_documents() -> None:
    authorised = _decide()
    refused = _decide(amount=30_000)
    assert json.loads(json.dumps(authorised.to_dict()))["outcome"] == "authorised"
    assert json.loads(json.dumps(refused.to_dict()))["reason"] == "over_transaction_limit"


def test_offline_policy_round_trips() -> None:
    policy = OfflinePolicy(LIMITS, OfflineLimits(5_000, 10_000, 2, 100_000))
    assert OfflinePolicy.from_dict(json.loads(json.dumps(policy.to_dict()))) == policy


@given(st.lists(st.integers(1, 30_000), max_size=20), st.integers(0, 200_000))
def test_a_run_of_offline_debits_never_breaches_any_limit(amounts: list[int], balance: int) -> None:
    card = CardOfflineState("c1", balance)
    exposure = 0
    for n, amount in enumerate(amounts):
        result = authorise_offline_debit(
            OfflineRiskState(LIMITS, card, exposure), OfflineDebitRequest("c1", amount, f"t{n}")
        )
        if isinstance(result, Authorisation):
            card, exposure = result.card, result.store_exposure
    assert card.known_balance >= 0
    assert card.offline_amount <= LIMITS.per_card_amount
    assert card.offline_count <= LIMITS.per_card_count
    assert card.offline_amount == balance - card.known_balance
    assert exposure <= LIMITS.store_exposure
