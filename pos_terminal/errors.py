"""The till's refusals, each with a stable code."""

from __future__ import annotations

from chainpos.errors import AppError, Conflict


class SaleRefused(AppError):
    status = 422
    code = "sale_refused"


class UnknownBarcode(AppError):
    status = 422
    code = "unknown_barcode"


class NoPrice(AppError):
    status = 422
    code = "no_price"


class BadPin(AppError):
    status = 401
    code = "bad_credentials"


class SaleIdReused(Conflict):
    code = "sale_id_reused"
