"""Every mutating call runs once per idempotency key: a retry replays the first answer.

The key's record is inserted *before* the work, in the same transaction. A concurrent
twin blocks on that insert (PostgreSQL waits for the first transaction) and then fails
with a unique violation, after which it replays the committed answer. A refused request
commits nothing, so a retry of it runs afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work
from chainpos.errors import Conflict
from hq_server.loyalty.errors import IdempotencyConflict, WrongPinTry
from hq_server.loyalty.models import IdempotencyRecord
from hq_server.loyalty.pins import record_failed_try

#: Request fields left out of the fingerprint: secrets are never stored, not even hashed.
_UNHASHED = frozenset({"idempotency_key", "pin", "old_pin", "new_pin"})


def fingerprint(operation: str, request: Mapping[str, Any]) -> str:
    """A stable hash of what was asked, to tell a retry from a different request."""
    body = {k: v for k, v in request.items() if k not in _UNHASHED}
    text = json.dumps([operation, body], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def run_once(
    factory: sessionmaker[Session],
    *,
    scope: str,
    key: str,
    operation: str,
    request: Mapping[str, Any],
    work: Callable[[Session], dict[str, Any]],
    status: int = 200,
) -> tuple[dict[str, Any], int]:
    """Run `work` in one transaction unless `key` already has an answer; return the answer."""
    digest = fingerprint(operation, request)
    try:
        with unit_of_work(factory) as session:
            # Insert straight away: a used key fails here and is replayed below, which saves
            # a read on the common path of a first attempt.
            record = IdempotencyRecord(
                scope=scope,
                key=key,
                operation=operation,
                fingerprint=digest,
                status=status,
                response="{}",
            )
            session.add(record)
            session.flush()
            result = work(session)
            record.response = json.dumps(result, ensure_ascii=False, default=str)
        return result, status
    except WrongPinTry as refused:
        record_failed_try(factory, refused)
        raise
    except IntegrityError:
        with unit_of_work(factory) as session:
            found = session.get(IdempotencyRecord, (scope, key))
            if found is None:
                raise Conflict(
                    "a concurrent change conflicted with this request; retry it",
                    code="concurrent_change",
                ) from None
            return _replay(found, operation, digest)


def _replay(record: IdempotencyRecord, operation: str, digest: str) -> tuple[dict[str, Any], int]:
    if record.operation != operation or record.fingerprint != digest:
        raise IdempotencyConflict(
            "this idempotency key was used for a different request",
            {"idempotency_key": "already used for another request"},
        )
    answer: dict[str, Any] = json.loads(record.response)
    return answer, record.status
