"""A supervisor's onsite discount at the till: permission, reason, and the record kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from chainpos.errors import AppError
from pos_terminal.approvals import SUPERVISOR_ROLES, approver
from retail.promotions.onsite import (
    OnsiteAdjustment,
    OnsiteDiscountRefused,
    OnsiteDiscountRequest,
    authorize_onsite_discount,
)

#: Roles that hold the onsite-discount permission.
DISCOUNT_ROLES = SUPERVISOR_ROLES


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
    approved_by = approver(
        session,
        staff_code=staff_code,
        staff_role=staff_role,
        supervisor=supervisor,
        permission="discount.onsite",
        roles=DISCOUNT_ROLES,
    )
    adjustments = []
    for index, discount in enumerate(discounts):
        request = OnsiteDiscountRequest(
            scope=discount["scope"],
            reason=discount["reason"],
            supervisor_id=approved_by,
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
