"""Promotions and pricing: definitions, validation, the engine, returns, onsite discounts.

Pure domain (no I/O): the till, the store server and HQ price a basket the same way.
"""

from retail.promotions.basket import (
    AppliedPromotion,
    GiftLine,
    LineSaving,
    MemberInfo,
    PricedBasket,
    PricedLine,
    PricingContext,
    PricingLine,
    Usage,
)
from retail.promotions.definitions import (
    Audience,
    Limits,
    ProductTarget,
    Promotion,
    Schedule,
    Stacking,
    Status,
    from_dict,
    load_promotions,
    to_dict,
)
from retail.promotions.documents import priced_from_dict, priced_to_dict
from retail.promotions.engine import price_basket
from retail.promotions.index import PromotionBook
from retail.promotions.onsite import (
    OnsiteAdjustment,
    OnsiteDiscountRefused,
    OnsiteDiscountRequest,
    authorize_onsite_discount,
)
from retail.promotions.preview import preview_promotion
from retail.promotions.returns import Refund, RefundLine, ReturnRefused, ReturnRequest, refund_lines
from retail.promotions.rules import Kind
from retail.promotions.validation import PromotionDefinitionError

__all__ = [
    "AppliedPromotion",
    "Audience",
    "GiftLine",
    "Kind",
    "Limits",
    "LineSaving",
    "MemberInfo",
    "OnsiteAdjustment",
    "OnsiteDiscountRefused",
    "OnsiteDiscountRequest",
    "PricedBasket",
    "PricedLine",
    "PricingContext",
    "PricingLine",
    "ProductTarget",
    "Promotion",
    "PromotionBook",
    "PromotionDefinitionError",
    "Refund",
    "RefundLine",
    "ReturnRefused",
    "ReturnRequest",
    "Schedule",
    "Stacking",
    "Status",
    "Usage",
    "authorize_onsite_discount",
    "from_dict",
    "load_promotions",
    "preview_promotion",
    "price_basket",
    "priced_from_dict",
    "priced_to_dict",
    "refund_lines",
    "to_dict",
]
