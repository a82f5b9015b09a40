"""Request signing between tiers: HMAC-SHA256 over the request, a timestamp and a nonce.

The canonical string is ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nSHA256(BODY)``. A
receiver refuses a request whose key is unknown, whose signature does not match,
whose timestamp is more than `MAX_SKEW` seconds away from its clock, or whose nonce
it has already seen for that key (a replay). Nonces are remembered for twice the
skew window, so a replay is refused for as long as its timestamp would be accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_SKEW = 300  # seconds

HEADER_KEY = "X-Chainpos-Key"
HEADER_TIMESTAMP = "X-Chainpos-Timestamp"
HEADER_NONCE = "X-Chainpos-Nonce"
HEADER_SIGNATURE = "X-Chainpos-Signature"


class SignatureError(Exception):
    """A signed request was refused; the message says why (never the secret)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    key_id: str
    secret: str


def new_secret() -> str:
    """A fresh 256-bit secret, URL-safe."""
    return secrets.token_urlsafe(32)


def derive_secret(parent_secret: str, child_key_id: str) -> str:
    """A child's secret derived from its parent's: how a store knows its tills' secrets.

    HQ issues a till's credentials from the store's secret; the store derives the same
    secret locally, so no till secret ever travels down the change feed.
    """
    digest = hmac.new(parent_secret.encode(), f"till:{child_key_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    body_hash = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{body_hash}".encode()


def _mac(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def sign(
    credentials: Credentials, method: str, path: str, body: bytes, *, now: float | None = None
) -> dict[str, str]:
    """Headers that sign a request for `path` (including its query string)."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = uuid.uuid4().hex
    return {
        HEADER_KEY: credentials.key_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: _mac(
            credentials.secret, _canonical(method, path, timestamp, nonce, body)
        ),
    }


def verify(
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    *,
    secret_for: Callable[[str], str | None],
    remember_nonce: Callable[[str, str, int], bool],
    now: float | None = None,
) -> str:
    """Check a signed request and return its key id, or raise `SignatureError`.

    `secret_for(key_id)` gives the key's secret or None if unknown.
    `remember_nonce(key_id, nonce, timestamp)` stores the nonce and returns False if
    it was already there (a replay). It is called only once the signature is good.
    """
    key_id = headers.get(HEADER_KEY)
    timestamp = headers.get(HEADER_TIMESTAMP)
    nonce = headers.get(HEADER_NONCE)
    signature = headers.get(HEADER_SIGNATURE)
    if not (key_id and timestamp and nonce and signature):
        raise SignatureError("request is not signed")
    if not timestamp.isdigit() or len(nonce) > 64:
        raise SignatureError("malformed signature headers")
    current = now if now is not None else time.time()
    if abs(current - int(timestamp)) > MAX_SKEW:
        raise SignatureError("request timestamp is outside the allowed window (check clocks)")
    secret = secret_for(key_id)
    if secret is None:
        raise SignatureError(f"unknown key {key_id!r}")
    expected = _mac(secret, _canonical(method, path, timestamp, nonce, body))
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("signature does not match")
    if not remember_nonce(key_id, nonce, int(timestamp)):
        raise SignatureError("request was already seen (replay)")
    return key_id
