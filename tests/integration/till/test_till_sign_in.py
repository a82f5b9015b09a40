"""A cashier signs in at the till with a staff code and PIN, offline, from the local copy."""

from __future__ import annotations

from tests.factories import CASHIER, CASHIER_PIN

from .conftest import Till

SIGN_IN = "/api/v1/auth/sign-in"


def test_a_cashier_signs_in_with_the_right_pin_and_the_token_works(till: Till) -> None:
    answer = till.client.post(SIGN_IN, json={"staff_code": CASHIER, "pin": CASHIER_PIN})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["staff_code"] == CASHIER
    assert body["role"] == "cashier"
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert till.client.get("/api/v1/products?q=Cola", headers=headers).status_code == 200


def test_a_wrong_pin_is_refused_with_401(till: Till) -> None:
    answer = till.client.post(SIGN_IN, json={"staff_code": CASHIER, "pin": "9999"})
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "bad_credentials"
    assert "token" not in answer.get_json()


def test_an_unknown_staff_code_is_refused_with_401(till: Till) -> None:
    answer = till.client.post(SIGN_IN, json={"staff_code": "NOBODY", "pin": CASHIER_PIN})
    assert answer.status_code == 401
    assert answer.get_json()["code"] == "bad_credentials"


def test_staff_of_another_store_cannot_sign_in_here(till: Till) -> None:
    answer = till.client.post(SIGN_IN, json={"staff_code": "C900", "pin": CASHIER_PIN})
    assert answer.status_code == 401


def test_a_deactivated_cashier_cannot_sign_in(till: Till) -> None:
    answer = till.client.post(SIGN_IN, json={"staff_code": "C901", "pin": CASHIER_PIN})
    assert answer.status_code == 401


def test_a_pin_that_is_not_four_to_eight_digits_is_a_validation_error(till: Till) -> None:
    answer = till.client.post(SIGN_IN, json={"staff_code": CASHIER, "pin": "12ab"})
    assert answer.status_code == 422
    assert "pin" in answer.get_json()["fields"]
