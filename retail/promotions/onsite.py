"""A supervisor's onsite discount: a line or the whole order, percent or amount.

It needs the onsite-discount permission and a reason; `authorize_onsite_discount`
refuses anything else and returns an `OnsiteAdjustment`, the record that goes
into the sale document. The engine applies adjustments after every promotion,
lines first, then the order, each on what is left to pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from retail.promotions.validation import PromotionDefinitionError, parse_percent

#: The role function a supervisor needs (see the staff roles in hq_server).
ONSITE_DISCOUNT_PERMISSION = "discount.onsite"


class OnsiteDiscountRefused(ValueError):
    """The onsite discount cannot be given; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.code = code
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class OnsiteDiscountRequest:
    """What the cashier keyed: `percent` (int or decimal string) or `amount` fen."""

    scope: str  # "line" | "order"
    reason: str
    supervisor_id: str
    line_no: int | None = None
    percent: int | str | None = None
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class OnsiteAdjustment:
    """An authorised onsite discount, recorded with who allowed it and why."""

    adjustment_id: str
    scope: str
    reason: str
    supervisor_id: str
    permission: str
    line_no: int | None = None
    percent: Fraction | None = None
    amount: int | None = None

    @property
    def label(self) -> str:
        return f"现场折扣 Onsite discount: {self.reason}"


@dataclass(frozen=True, slots=True)
class OnsiteRecord:
    """An adjustment as it applied to a priced basket."""

    adjustment: OnsiteAdjustment
    amount: int  # fen actually taken off


def authorize_onsite_discount(
    request: OnsiteDiscountRequest, adjustment_id: str, *, has_permission: bool
) -> OnsiteAdjustment:
    """Check the request and the supervisor's permission; return the adjustment to record."""
    if not has_permission:
        raise OnsiteDiscountRefused(
            "permission_denied",
            "supervisor_id",
            f"{request.supervisor_id!r} lacks the {ONSITE_DISCOUNT_PERMISSION} permission",
        )
    if not request.reason or not request.reason.strip():
        raise OnsiteDiscountRefused("reason_required", "reason", "a reason is required")
    if request.scope not in ("line", "order"):
        raise OnsiteDiscountRefused("invalid_scope", "scope", "must be 'line' or 'order'")
    if request.scope == "line" and request.line_no is None:
        raise OnsiteDiscountRefused("required", "line_no", "a line discount needs the line")
    if request.scope == "order" and request.line_no is not None:
        raise OnsiteDiscountRefused("invalid_value", "line_no", "an order discount names no line")
    if (request.percent is None) == (request.amount is None):
        raise OnsiteDiscountRefused("invalid_value", "percent", "give either percent or amount")
    percent = None
    if request.percent is not None:
        try:
            percent = parse_percent(request.percent, "percent")
        except PromotionDefinitionError as error:
            raise OnsiteDiscountRefused(error.code, "percent", error.message) from None
    amount = request.amount
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0
    ):
        raise OnsiteDiscountRefused("out_of_range", "amount", "must be a positive amount in fen")
    return OnsiteAdjustment(
        adjustment_id=adjustment_id,
        scope=request.scope,
        reason=request.reason.strip(),
        supervisor_id=request.supervisor_id,
        permission=ONSITE_DISCOUNT_PERMISSION,
        line_no=request.line_no,
        percent=percent,
        amount=amount,
    )
