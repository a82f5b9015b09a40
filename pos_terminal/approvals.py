"""A supervisor's approval at the till: the signed-in staff's role, or a supervisor's code + PIN."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from chainpos.auth import check_secret
from chainpos.errors import Forbidden
from pos_terminal.models import MASTER

#: Roles that may approve what a cashier cannot do alone (discounts, returns).
SUPERVISOR_ROLES = ("supervisor", "admin")


def approver(
    session: Session,
    *,
    staff_code: str,
    staff_role: str,
    supervisor: dict[str, str] | None,
    permission: str,
    roles: Sequence[str] = SUPERVISOR_ROLES,
) -> str:
    """Who approves: the signed-in staff if their role may, else the supervisor named.

    Raises `Forbidden` naming the permission when neither may.
    """
    if staff_role in roles:
        return staff_code
    if supervisor is not None:
        record = session.get(MASTER.staff, supervisor["staff_code"])
        if (
            record is not None
            and record.active
            and record.role in roles
            and check_secret(record.pin_hash, supervisor["pin"])
        ):
            return str(record.code)
    raise Forbidden(
        f"this needs a supervisor: sign in as one or give their code and PIN ({permission})",
        {"supervisor": f"permission {permission} required"},
        code="permission_denied",
    )
