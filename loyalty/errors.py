"""Loyalty domain errors: each has a stable `code` and, where relevant, the `field` at fault."""

from __future__ import annotations

from typing import ClassVar


class LoyaltyError(Exception):
    """Base of every loyalty rule violation; the edge maps it to `{code, message, fields}`."""

    code: ClassVar[str] = "loyalty_error"
    default_field: ClassVar[str | None] = None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field if field is not None else self.default_field


class InvalidConfig(LoyaltyError):
    """A rule configuration is inconsistent (e.g. tier thresholds not increasing)."""

    code = "invalid_config"


class InvalidAmount(LoyaltyError):
    """An amount is zero, negative or not representable where it must be."""

    code = "invalid_amount"
    default_field = "amount"


# --- members ---------------------------------------------------------------


class InvalidMobile(LoyaltyError):
    """Not a mainland China mobile number."""

    code = "invalid_mobile"
    default_field = "mobile"


class InvalidEmail(LoyaltyError):
    """Not a plausible e-mail address."""

    code = "invalid_email"
    default_field = "email"


class InvalidProfile(LoyaltyError):
    """A member profile field is missing or out of range."""

    code = "invalid_profile"


class MergeNotAllowed(LoyaltyError):
    """Two member records cannot be merged (same record, or one already merged)."""

    code = "merge_not_allowed"


# --- cards and PIN ---------------------------------------------------------


class InvalidCardNumber(LoyaltyError):
    """A printed card number is malformed or fails its Luhn check digit."""

    code = "invalid_card_number"
    default_field = "card_number"


class InvalidCardUid(LoyaltyError):
    """An IC card UID is not 4, 7 or 10 bytes of hex."""

    code = "invalid_card_uid"
    default_field = "uid"


class InvalidCardTransition(LoyaltyError):
    """The card lifecycle does not allow this event in the card's current state."""

    code = "invalid_card_transition"
    default_field = "state"


class CardFrozen(LoyaltyError):
    """The card is reported lost/frozen and is on the hot list."""

    code = "card_frozen"
    default_field = "card"


class CardNotActive(LoyaltyError):
    """The card is not active (not yet activated, replaced or cancelled)."""

    code = "card_not_active"
    default_field = "card"


class PinLocked(LoyaltyError):
    """Too many wrong PIN tries; the PIN must be reset."""

    code = "pin_locked"
    default_field = "pin"


class PinNotSet(LoyaltyError):
    """The card has no PIN yet."""

    code = "pin_not_set"
    default_field = "pin"


class WeakPin(LoyaltyError):
    """A new PIN is not six digits or is trivially guessable."""

    code = "weak_pin"
    default_field = "pin"


class WrongPin(LoyaltyError):
    """The PIN given to change a PIN was wrong."""

    code = "wrong_pin"
    default_field = "pin"


# --- stored value and points -----------------------------------------------


class OverCap(LoyaltyError):
    """The card balance would exceed its regulatory cap."""

    code = "over_cap"
    default_field = "amount"

    def __init__(self, message: str, limit: int, field: str | None = None) -> None:
        super().__init__(message, field)
        self.limit = limit


class InsufficientBalance(LoyaltyError):
    """The stored-value balance does not cover the debit."""

    code = "insufficient_balance"
    default_field = "amount"


class InsufficientPoints(LoyaltyError):
    """The available points do not cover the redemption."""

    code = "insufficient_points"
    default_field = "points"


class TransferNotAllowed(LoyaltyError):
    """Stored value may move only between active registered cards of one member."""

    code = "transfer_not_allowed"


class ReturnExceedsSale(LoyaltyError):
    """More is being returned or refunded than the original sale or spend held."""

    code = "return_exceeds_sale"
    default_field = "amount"


# --- coupons ----------------------------------------------------------------


class CouponError(LoyaltyError):
    """A coupon cannot be used."""

    code = "coupon_error"
    default_field = "coupon"


class CouponMalformed(CouponError):
    """The text is not a coupon code of a known format."""

    code = "coupon_malformed"


class CouponBadSignature(CouponError):
    """The coupon's signature does not verify: forged or altered."""

    code = "coupon_bad_signature"


class CouponExpired(CouponError):
    """The coupon's validity window has ended."""

    code = "coupon_expired"


class CouponNotYetValid(CouponError):
    """The coupon's validity window has not started."""

    code = "coupon_not_yet_valid"


class CouponForeignStore(CouponError):
    """The coupon is not valid at this store."""

    code = "coupon_foreign_store"
    default_field = "store"


class CouponWrongMember(CouponError):
    """The coupon is bound to another member (or needs a member and none is given)."""

    code = "coupon_wrong_member"
    default_field = "member"


class CouponBelowMinimumSpend(CouponError):
    """The basket does not reach the coupon's minimum spend."""

    code = "coupon_below_minimum_spend"
    default_field = "spend"
