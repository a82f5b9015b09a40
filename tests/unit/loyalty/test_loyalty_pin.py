import pytest
from argon2 import PasswordHasher

from loyalty.errors import PinLocked, PinNotSet, WeakPin
from loyalty.pin import (
    Argon2PinHasher,
    PinPolicy,
    PinState,
    change_pin,
    check_pin_strength,
    reset_pin,
    set_pin,
    verify_pin,
)

# Cheap argon2 parameters: the tests exercise the policy, not the hash's cost.
HASHER = Argon2PinHasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
POLICY = PinPolicy(max_tries=5)


@pytest.fixture(scope="module")
def pin_state() -> PinState:
    return set_pin("246810", HASHER)


def test_pin_is_stored_as_an_argon2_hash(pin_state: PinState) -> None:
    assert pin_state.pin_hash is not None
    assert pin_state.pin_hash.startswith("$argon2id$")
    assert "246810" not in pin_state.pin_hash


def test_right_pin_is_accepted_and_clears_failed_tries(pin_state: PinState) -> None:
    state = verify_pin(pin_state, "000001", HASHER, POLICY).state
    result = verify_pin(state, "246810", HASHER, POLICY)
    assert result.accepted
    assert result.state.failed_tries == 0


def test_five_wrong_tries_lock_the_pin_even_against_the_right_one(pin_state: PinState) -> None:
    state = pin_state
    tries_left = []
    for _ in range(5):
        result = verify_pin(state, "999990", HASHER, POLICY)
        assert not result.accepted
        tries_left.append(result.tries_left)
        state = result.state
    assert tries_left == [4, 3, 2, 1, 0]
    assert state.locked
    with pytest.raises(PinLocked) as error:
        verify_pin(state, "246810", HASHER, POLICY)
    assert error.value.code == "pin_locked"


def test_reset_unlocks_a_locked_pin(pin_state: PinState) -> None:
    locked = PinState(pin_state.pin_hash, failed_tries=5, locked=True)
    state = reset_pin("135790", HASHER)
    assert not state.locked and state.failed_tries == 0
    assert locked.locked
    assert verify_pin(state, "135790", HASHER, POLICY).accepted


def test_change_pin_needs_the_old_pin(pin_state: PinState) -> None:
    wrong = change_pin(pin_state, "000001", "135790", HASHER, POLICY)
    assert not wrong.accepted
    assert wrong.state.failed_tries == 1
    right = change_pin(pin_state, "246810", "135790", HASHER, POLICY)
    assert right.accepted
    assert verify_pin(right.state, "135790", HASHER, POLICY).accepted


def test_checking_a_card_without_pin_is_refused() -> None:
    with pytest.raises(PinNotSet):
        verify_pin(PinState(), "246810", HASHER, POLICY)


@pytest.mark.parametrize(
    "pin", ["12345", "1234567", "12345a", "111111", "123456", "987654", "１２３４５７"]
)
def test_weak_or_malformed_pin_is_refused(pin: str) -> None:
    with pytest.raises(WeakPin):
        check_pin_strength(pin)


@pytest.mark.parametrize("pin", ["246810", "135790", "112233", "000001"])
def test_ordinary_pin_is_strong_enough(pin: str) -> None:
    check_pin_strength(pin)


def test_pin_policy_round_trips() -> None:
    assert PinPolicy.from_dict(PinPolicy(3).to_dict()) == PinPolicy(3)
