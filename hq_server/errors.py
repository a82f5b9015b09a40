"""HQ's refusals, each with a stable code."""

from __future__ import annotations

from chainpos.errors import AppError, Conflict, NotFound


class UnknownProduct(NotFound):
    code = "unknown_product"


class UnknownStore(NotFound):
    code = "unknown_store"


class UnknownCategory(AppError):
    status = 422
    code = "unknown_category"


class DuplicateBarcode(Conflict):
    code = "duplicate_barcode"


class AlreadyExists(Conflict):
    code = "already_exists"


class BadCredentials(AppError):
    status = 401
    code = "bad_credentials"
