"""The relay's refusals, each `{code, message, fields}` with a stable code."""

from __future__ import annotations

from typing import Any

from chainpos.errors import AppError, Conflict, UpstreamUnavailable, ValidationFailed


class HqRefused(AppError):
    """HQ refused the call: its status, code, message and fields are passed on as they are."""

    def __init__(self, status: int, body: Any):
        payload = body if isinstance(body, dict) else {}
        super().__init__(
            str(payload.get("message") or "HQ refused the request"),
            payload.get("fields") if isinstance(payload.get("fields"), dict) else None,
            code=str(payload.get("code") or "hq_refused"),
        )
        self.status = status


class HqUnreachable(UpstreamUnavailable):
    code = "hq_unreachable"


class OfflineRefused(Conflict):
    """The offline policy refused a debit; `code` is the `loyalty.offline` reason."""


class KeyReused(Conflict):
    code = "idempotency_key_reused"


class CouponRefused(AppError):
    status = 422
    code = "coupon_refused"


class TenderReleased(Conflict):
    code = "tender_released"


class NotReleasable(Conflict):
    code = "not_releasable"


class InvalidAmount(ValidationFailed):
    """An amount points cannot pay offline (not a whole step of the redemption rate)."""

    code = "invalid_amount"
