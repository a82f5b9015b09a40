"""The store's loyalty settings: the offline limits (DESIGN §5), the points rate, HQ's timeout."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace

from loyalty.offline import OfflineLimits, OfflinePolicy, check_below_pin_threshold
from loyalty.points_earn import RedemptionRate

#: The environment variable that overrides the offline limits: JSON as `OfflinePolicy.to_dict`.
OFFLINE_LIMITS_ENV = "CHAINPOS_STORE_OFFLINE_LIMITS"
#: The environment variable that sets the points rate: JSON as `RedemptionRate.to_dict`.
POINTS_RATE_ENV = "CHAINPOS_STORE_POINTS_RATE"

#: HQ asks for the member's PIN above this (LoyaltySettings.stored_value at HQ: 500 yuan).
PIN_REQUIRED_ABOVE = 50_000


def _default_policy() -> OfflinePolicy:
    # 200 yuan a transaction, 500 yuan or 3 debits a card until it next touches HQ,
    # 20,000 yuan unposted per store. The same figures in points (at 100 points a yuan:
    # 200 yuan a redemption) for points redemption.
    limits = OfflineLimits(
        per_transaction=20_000, per_card_amount=50_000, per_card_count=3, store_exposure=2_000_000
    )
    return OfflinePolicy(stored_value=limits, points=limits)


@dataclass(frozen=True)
class StoreLoyaltySettings:
    """What the relay runs with; `create_app` takes one, tests pass tighter limits."""

    offline: OfflinePolicy = field(default_factory=_default_policy)
    #: Seconds to wait for HQ before the offline policy applies (short: a customer waits).
    hq_timeout: float = 2.0
    #: What points pay offline (default 100 points a yuan); must match HQ's `redemption`.
    redemption: RedemptionRate = field(default_factory=RedemptionRate)

    def __post_init__(self) -> None:
        check_below_pin_threshold(self.offline.stored_value, PIN_REQUIRED_ABOVE)

    @classmethod
    def from_env(cls) -> StoreLoyaltySettings:
        """The defaults, with the offline limits from `CHAINPOS_STORE_OFFLINE_LIMITS` and the
        points rate from `CHAINPOS_STORE_POINTS_RATE` where set."""
        settings = cls()
        raw = os.environ.get(OFFLINE_LIMITS_ENV)
        if raw:
            settings = replace(settings, offline=OfflinePolicy.from_dict(json.loads(raw)))
        rate = os.environ.get(POINTS_RATE_ENV)
        if rate:
            settings = replace(settings, redemption=RedemptionRate.from_dict(json.loads(rate)))
        return settings
