"""Loyalty refusals at HQ: the ledger's own errors and the mapping of domain errors to HTTP."""

from __future__ import annotations

from typing import Any

from chainpos.errors import AppError, Conflict, NotFound
from loyalty import errors as domain

#: HTTP status per domain error code; anything not listed is a 422 (bad input).
_STATUS: dict[type[domain.LoyaltyError], int] = {
    domain.CardFrozen: 409,
    domain.CardNotActive: 409,
    domain.InvalidCardTransition: 409,
    domain.MergeNotAllowed: 409,
    domain.TransferNotAllowed: 409,
    domain.InsufficientBalance: 409,
    domain.InsufficientPoints: 409,
    domain.OverCap: 409,
    domain.ReturnExceedsSale: 409,
    domain.PinLocked: 403,
    domain.PinNotSet: 409,
    domain.WrongPin: 403,
}


def to_app_error(err: domain.LoyaltyError) -> AppError:
    """A domain refusal as `{code, message, fields}` with its HTTP status."""
    fields: dict[str, Any] = {err.field: err.message} if err.field else {}
    if isinstance(err, domain.OverCap):
        fields["limit"] = err.limit
    status = next((s for cls, s in _STATUS.items() if isinstance(err, cls)), 422)
    app_error = AppError(err.message, fields, code=err.code)
    app_error.status = status
    return app_error


class UnknownMember(NotFound):
    code = "unknown_member"


class UnknownCard(NotFound):
    code = "unknown_card"


class UnknownDocument(NotFound):
    code = "unknown_document"


class DuplicateMember(Conflict):
    code = "duplicate_member"


class CardTaken(Conflict):
    code = "card_taken"


class CouponAlreadyRedeemed(Conflict):
    code = "coupon_already_redeemed"


class AccountClosed(Conflict):
    code = "account_closed"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"


class PinMissing(AppError):
    status = 403
    code = "pin_required"


class WrongPinTry(AppError):
    """A wrong PIN: the try is recorded in its own transaction after the use case rolls back."""

    status = 403
    code = "wrong_pin"

    def __init__(self, card_id: str, tries_left: int, max_tries: int):
        message = (
            "wrong PIN; the PIN is now locked until staff reset it"
            if tries_left == 0
            else f"wrong PIN; {tries_left} tries left"
        )
        super().__init__(message, {"pin": message, "tries_left": tries_left})
        self.card_id = card_id
        self.max_tries = max_tries
