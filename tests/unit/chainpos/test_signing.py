"""Request signing between tiers: what a receiver accepts and what it refuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chainpos.signing import (
    HEADER_KEY,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    MAX_SKEW,
    Credentials,
    SignatureError,
    derive_secret,
    new_secret,
    sign,
    verify,
)

NOW = 1_795_000_000.0
STORE = Credentials("S001", "store-secret")
PATH = "/api/v1/sync/changes?since=0&limit=100"
BODY = b'{"documents": []}'


class NonceBook:
    """An in-memory nonce store like the tiers' sync_nonces table."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, key_id: str, nonce: str, timestamp: int) -> bool:
        if (key_id, nonce) in self.seen:
            return False
        self.seen.add((key_id, nonce))
        return True


def secrets_of(*known: Credentials) -> Callable[[str], str | None]:
    table = {c.key_id: c.secret for c in known}
    return table.get


def check(
    headers: dict[str, str],
    *,
    method: str = "POST",
    path: str = PATH,
    body: bytes = BODY,
    now: float = NOW,
    nonces: NonceBook | None = None,
) -> str:
    return verify(
        headers,
        method,
        path,
        body,
        secret_for=secrets_of(STORE),
        remember_nonce=nonces if nonces is not None else NonceBook(),
        now=now,
    )


def signed(**overrides: object) -> dict[str, str]:
    return sign(STORE, "POST", PATH, BODY, now=NOW, **overrides)  # type: ignore[arg-type]


def test_a_signed_request_verifies_and_names_its_key() -> None:
    assert check(signed()) == "S001"


def test_the_method_is_case_insensitive_in_the_signature() -> None:
    assert check(sign(STORE, "post", PATH, BODY, now=NOW), method="POST") == "S001"


def test_every_signature_carries_a_fresh_nonce() -> None:
    assert signed()[HEADER_NONCE] != signed()[HEADER_NONCE]


def test_a_tampered_body_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        check(signed(), body=b'{"documents": [1]}')


def test_a_tampered_path_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        check(signed(), path="/api/v1/sync/changes?since=0&limit=5000")


def test_another_method_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        check(signed(), method="GET")


def test_a_tampered_timestamp_is_refused() -> None:
    headers = signed()
    headers[HEADER_TIMESTAMP] = str(int(NOW) + 1)
    with pytest.raises(SignatureError, match="does not match"):
        check(headers)


def test_a_tampered_nonce_is_refused() -> None:
    headers = signed()
    headers[HEADER_NONCE] = "0" * 32
    with pytest.raises(SignatureError, match="does not match"):
        check(headers)


def test_a_signature_made_with_another_secret_is_refused() -> None:
    forged = sign(Credentials("S001", "guessed"), "POST", PATH, BODY, now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        check(forged)


def test_a_timestamp_within_the_allowed_skew_is_accepted() -> None:
    assert check(signed(), now=NOW + MAX_SKEW) == "S001"
    assert check(signed(), now=NOW - MAX_SKEW) == "S001"


@pytest.mark.parametrize("drift", [MAX_SKEW + 1, -(MAX_SKEW + 1), 3600])
def test_a_stale_or_future_timestamp_is_refused(drift: int) -> None:
    with pytest.raises(SignatureError, match="outside the allowed window"):
        check(signed(), now=NOW + drift)


def test_an_unknown_key_is_refused() -> None:
    stranger = sign(Credentials("S999", "whatever"), "POST", PATH, BODY, now=NOW)
    with pytest.raises(SignatureError, match="unknown key"):
        check(stranger)


@pytest.mark.parametrize("missing", [HEADER_KEY, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE])
def test_a_request_missing_a_signature_header_is_refused(missing: str) -> None:
    headers = signed()
    del headers[missing]
    with pytest.raises(SignatureError, match="not signed"):
        check(headers)


def test_a_non_numeric_timestamp_is_refused() -> None:
    headers = signed()
    headers[HEADER_TIMESTAMP] = "yesterday"
    with pytest.raises(SignatureError, match="malformed"):
        check(headers)


def test_a_replayed_request_is_refused() -> None:
    nonces = NonceBook()
    headers = signed()
    assert check(headers, nonces=nonces) == "S001"
    with pytest.raises(SignatureError, match="replay"):
        check(headers, nonces=nonces)


def test_a_refused_signature_does_not_burn_the_nonce() -> None:
    nonces = NonceBook()
    headers = signed()
    with pytest.raises(SignatureError):
        check(headers, body=b"tampered", nonces=nonces)
    assert nonces.seen == set()
    assert check(headers, nonces=nonces) == "S001"


def test_derive_secret_is_deterministic_per_parent_and_child() -> None:
    assert derive_secret("store-secret", "S001-T01") == derive_secret("store-secret", "S001-T01")
    assert derive_secret("store-secret", "S001-T01") != derive_secret("store-secret", "S001-T02")
    assert derive_secret("store-secret", "S001-T01") != derive_secret("other-secret", "S001-T01")


def test_a_derived_till_secret_signs_requests_its_store_can_verify() -> None:
    till = Credentials("S001-T01", derive_secret(STORE.secret, "S001-T01"))
    headers = sign(till, "POST", PATH, BODY, now=NOW)
    key = verify(
        headers,
        "POST",
        PATH,
        BODY,
        secret_for=lambda key_id: derive_secret(STORE.secret, key_id),
        remember_nonce=NonceBook(),
        now=NOW,
    )
    assert key == "S001-T01"


def test_new_secrets_are_long_and_unique() -> None:
    made = {new_secret() for _ in range(20)}
    assert len(made) == 20
    assert all(len(s) >= 40 for s in made)
