"""One complete wire-format definition per promotion kind (also quoted in docs/promotions.md)."""

from __future__ import annotations

from typing import Any

EXAMPLES: dict[str, dict[str, Any]] = {
    "item_discount": {
        "format": 1,
        "id": "P-COLA-20",
        "name": "可乐8折 Cola 20% off",
        "kind": "item_discount",
        "status": "active",
        "stacking": "exclusive",
        "priority": 10,
        "schedule": {
            "starts_at": "2026-11-01T00:00:00+08:00",
            "ends_at": "2026-12-01T00:00:00+08:00",
            "weekdays": [],
            "hours": [],
        },
        "audience": {
            "store_ids": [],
            "region_ids": ["east"],
            "tiers": [],
            "members_only": False,
            "birthday_week": False,
            "coupon_code": None,
        },
        "limits": {"chain": None, "store": None, "member": None, "basket": None},
        "target": {
            "all": False,
            "product_ids": ["COLA-330"],
            "category_ids": [],
            "brand_ids": [],
            "exclude_product_ids": [],
        },
        "rule": {"mode": "percent", "percent": "20"},
    },
    "member_price": {
        "id": "P-MEMBER",
        "name": "会员价 Member price",
        "kind": "member_price",
        "stacking": "exclusive",
        "audience": {"members_only": True},
        "rule": {},
    },
    "tier_discount": {
        "id": "P-TIER",
        "name": "金卡95折 Gold 5% off",
        "kind": "tier_discount",
        "stacking": "stackable",
        "priority": 1,
        "target": {"all": True},
        "rule": {"percent_by_tier": {"gold": "5", "platinum": "8.5"}},
    },
    "buy_n_get_m": {
        "id": "P-B2G1",
        "name": "买二送一 Buy 2 get 1",
        "kind": "buy_n_get_m",
        "target": {"category_ids": ["snacks"]},
        "rule": {"buy": 2, "get": 1, "free_item": "cheapest", "percent_off": "100"},
    },
    "mix_match": {
        "id": "P-ANY3",
        "name": "任选3件20元 Any 3 for 20",
        "kind": "mix_match",
        "target": {"brand_ids": ["nongfu"]},
        "rule": {"qty": 3, "price": 2000},
    },
    "bundle": {
        "id": "P-MEAL",
        "name": "汉堡套餐 Burger meal",
        "kind": "bundle",
        "rule": {
            "components": [
                {"product_id": "BURGER", "qty": 1},
                {"product_id": "COLA-330", "qty": 1},
            ],
            "price": 2300,
        },
    },
    "spend_threshold_discount": {
        "id": "P-300-50",
        "name": "满300减50 Spend 300 save 50",
        "kind": "spend_threshold_discount",
        "stacking": "stackable",
        "target": {"all": True, "exclude_product_ids": ["TOBACCO"]},
        "rule": {"threshold": 30000, "save": 5000, "repeat": True, "max_repeats": 3},
    },
    "spend_threshold_gift": {
        "id": "P-GIFT",
        "name": "满200送毛巾 Spend 200 get a towel",
        "kind": "spend_threshold_gift",
        "limits": {"store": 100},
        "rule": {
            "threshold": 20000,
            "gift_product_id": "TOWEL",
            "gift_qty": 1,
            "gift_value": 1500,
            "repeat": False,
        },
    },
    "points_multiplier": {
        "id": "P-2X",
        "name": "周三双倍积分 Double points Wednesday",
        "kind": "points_multiplier",
        "schedule": {"weekdays": [3]},
        "target": {"all": True},
        "rule": {"multiplier": "2"},
    },
    "birthday_coupon_time_limited": {
        "id": "P-BDAY",
        "name": "生日周满100减20 Birthday week",
        "kind": "spend_threshold_discount",
        "schedule": {"starts_at": "2026-01-01T00:00:00+08:00", "hours": [["10:00", "22:00"]]},
        "audience": {"birthday_week": True, "coupon_code": "BDAY2026"},
        "limits": {"member": 1},
        "rule": {"threshold": 10000, "save": 2000},
    },
}

#: The catalog the examples refer to.
KNOWN_PRODUCTS = frozenset({"COLA-330", "BURGER", "TOWEL", "TOBACCO"})
