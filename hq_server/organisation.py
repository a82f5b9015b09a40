"""Stores, tills and staff: who sells where, and the credentials they sign with."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chainpos.auth import check_secret, hash_secret
from chainpos.signing import derive_secret, new_secret
from chainpos.sync.feed import ChangeItem, publish
from hq_server.errors import AlreadyExists, BadCredentials, UnknownStore
from hq_server.models import SYNC, Staff, Store, Till

ROLES = ("cashier", "supervisor", "admin")


def store_payload(store: Store) -> dict[str, Any]:
    return {
        "code": store.code,
        "name": store.name,
        "timezone": store.timezone,
        "cash_rounding_step": store.cash_rounding_step,
        "region": store.region,
        "active": store.active,
    }


def add_store(
    session: Session,
    code: str,
    name: str,
    *,
    timezone: str = "Asia/Shanghai",
    cash_rounding_step: int = 1,
    region: str | None = None,
    secret: str | None = None,
) -> str:
    """Create a store and return the secret it enrols with (shown once)."""
    if session.get(Store, code) is not None:
        raise AlreadyExists(f"store {code} exists", {"code": "already exists"})
    store = Store(
        code=code,
        name=name,
        timezone=timezone,
        cash_rounding_step=cash_rounding_step,
        secret=secret or new_secret(),
        region=region,
        active=True,
    )
    session.add(store)
    session.flush()
    publish(session, SYNC, [ChangeItem("store", code, store_payload(store), scope=code)])
    return store.secret


def add_till(session: Session, store_code: str, till_code: str) -> str:
    """Register a till of a store; returns the till's secret, derived from the store's."""
    store = session.get(Store, store_code)
    if store is None:
        raise UnknownStore(f"unknown store {store_code}", {"store": "unknown"})
    if not till_code.startswith(f"{store_code}-"):
        raise AlreadyExists(
            "a till code starts with its store code, e.g. S001-T01",
            {"code": "must start with the store code"},
            code="bad_till_code",
        )
    if session.get(Till, till_code) is not None:
        raise AlreadyExists(f"till {till_code} exists", {"code": "already exists"})
    session.add(Till(code=till_code, store_code=store_code, active=True))
    session.flush()
    publish(
        session,
        SYNC,
        [
            ChangeItem(
                "till",
                till_code,
                {"code": till_code, "store": store_code, "active": True},
                scope=store_code,
            )
        ],
    )
    return derive_secret(store.secret, till_code)


def add_staff(
    session: Session,
    code: str,
    name: str,
    role: str,
    *,
    pin: str | None = None,
    password: str | None = None,
    store: str | None = None,
) -> Staff:
    if session.get(Staff, code) is not None:
        raise AlreadyExists(f"staff {code} exists", {"code": "already exists"})
    if store is not None and session.get(Store, store) is None:
        raise UnknownStore(f"unknown store {store}", {"store": "unknown"})
    staff = Staff(
        code=code,
        name=name,
        role=role,
        pin_hash=hash_secret(pin) if pin else None,
        password_hash=hash_secret(password) if password else None,
        store_code=store,
        active=True,
    )
    session.add(staff)
    session.flush()
    publish(session, SYNC, [ChangeItem("staff", code, staff_payload(staff), scope=store)])
    return staff


def staff_payload(staff: Staff) -> dict[str, Any]:
    # The password never leaves HQ; the PIN hash goes down so tills sign in offline.
    return {
        "code": staff.code,
        "name": staff.name,
        "role": staff.role,
        "pin_hash": staff.pin_hash,
        "store": staff.store_code,
        "active": staff.active,
    }


def authenticate(session: Session, code: str, password: str) -> Staff:
    staff = session.get(Staff, code)
    if staff is None or not staff.active or not check_secret(staff.password_hash, password):
        raise BadCredentials("unknown staff code or wrong password")
    return staff


def store_secret(session: Session, code: str) -> str | None:
    store = session.get(Store, code)
    return store.secret if store is not None and store.active else None
