"""A supervisor's onsite discount at the till: permission, reason, and the record kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from chainpos.auth import check_secret
from chainpos.errors import AppError, Forbidden
from pos_terminal.models import MASTER
from retail.promotions.onsite import (
    OnsiteAdjustment,
    OnsiteDiscountRefused,
    OnsiteDiscountRequest,
    authorize_onsite_discount,
)

#: Roles that hold the onsite-discount permission.
DISCOUNT_ROLES = ("supervisor", "admin")


class DiscountRefused(AppError):
    status = 422
    code = "discount_refused"


def authorise(
    session: Session,
    discounts: Sequence[dict[str, Any]],
    *,
    staff_code: str,
    staff_role: str,
    supervisor: dict[str, str] | None,
) -> list[OnsiteAdjustment]:
    """Check each requested discount; a cashier needs a supervisor's code and PIN."""
    if not discounts:
        return []
    approver, has_permission = staff_code, staff_role in DISCOUNT_ROLES
    if not has_permission and supervisor is not None:
        approver = supervisor["staff_code"]
        record = session.get(MASTER.staff, approver)
        has_permission = (
            record is not None
            and record.active
            and record.role in DISCOUNT_ROLES
            and check_secret(record.pin_hash, supervisor["pin"])
        )
    if not has_permission:
        raise Forbidden(
            "an onsite discount needs a supervisor: sign in as one or give their code and PIN",
            {"supervisor": "permission discount.onsite required"},
            code="permission_denied",
        )
    adjustments = []
    for index, discount in enumerate(discounts):
        request = OnsiteDiscountRequest(
            scope=discount["scope"],
            reason=discount["reason"],
            supervisor_id=approver,
            line_no=None if discount.get("line") is None else discount["line"] + 1,
            percent=discount.get("percent"),
            amount=discount.get("amount"),
        )
        try:
            adjustments.append(
                authorize_onsite_discount(request, f"ONSITE-{index + 1}", has_permission=True)
            )
        except OnsiteDiscountRefused as err:
            field = "line" if err.field == "line_no" else err.field
            raise DiscountRefused(
                err.message, {f"discounts.{index}.{field}": err.message}, code=err.code
            ) from None
    return adjustments


def record(adjustments: Sequence[OnsiteAdjustment]) -> list[dict[str, Any]]:
    """The adjustments as the sale document keeps them (who, why, how much)."""
    return [
        {
            "adjustment_id": a.adjustment_id,
            "scope": a.scope,
            "line_no": a.line_no,
            "percent": None if a.percent is None else str(a.percent),
            "amount": a.amount,
            "reason": a.reason,
            "supervisor": a.supervisor_id,
            "permission": a.permission,
        }
        for a in adjustments
    ]
