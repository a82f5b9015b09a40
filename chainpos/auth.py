"""Who is calling: staff bearer tokens, argon2 password/PIN hashes, and signed tier requests."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session, sessionmaker

from chainpos.errors import Forbidden, Unauthorized
from chainpos.signing import SignatureError, verify
from chainpos.sync.models import SyncTables
from chainpos.sync.state import remember_nonce

F = TypeVar("F", bound=Callable[..., Any])

#: argon2id with RFC 9106's low-memory profile: a PIN check stays well under a second
#: on a till's small CPU while brute force stays expensive.
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)

TOKEN_MAX_AGE = 12 * 3600


def hash_secret(plain: str) -> str:
    return _hasher.hash(plain)


def check_secret(hashed: str | None, plain: str) -> bool:
    if not hashed:
        return False
    try:
        return _hasher.verify(hashed, plain)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(staff_code: str, role: str) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff")
    return serializer.dumps({"staff": staff_code, "role": role})


def require_staff(*roles: str) -> Callable[[F], F]:
    """The view needs a signed-in staff member, with one of `roles` when given."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                raise Unauthorized("sign in first: Authorization: Bearer <token> is missing")
            serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff")
            try:
                claims = serializer.loads(header[7:], max_age=TOKEN_MAX_AGE)
            except SignatureExpired:
                raise Unauthorized("session expired: sign in again") from None
            except BadSignature:
                raise Unauthorized("invalid token") from None
            if roles and claims.get("role") not in roles:
                raise Forbidden(f"this needs the role {' or '.join(roles)}")
            g.staff_code = claims["staff"]
            g.staff_role = claims["role"]
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


class SignedRequests:
    """Verifies requests signed by the tier below; remembers nonces in this tier's database."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        tables: SyncTables,
        secret_for: Callable[[str], str | None],
    ):
        self.factory = factory
        self.tables = tables
        self.secret_for = secret_for

    def check(self) -> str:
        """The verified key id of the current request, or 401."""
        query = request.query_string.decode("latin-1")
        path = f"{request.path}?{query}" if query else request.path
        try:
            return verify(
                dict(request.headers),
                request.method,
                path,
                request.get_data(cache=True),
                secret_for=self.secret_for,
                remember_nonce=lambda key, nonce, ts: remember_nonce(
                    self.factory, self.tables, key, nonce, ts
                ),
            )
        except SignatureError as err:
            raise Unauthorized(f"signed request refused: {err}") from None

    def required(self, view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.caller = self.check()
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
