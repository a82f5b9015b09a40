"""The store's loyalty settings: the offline limits (DESIGN §5) and HQ's timeout."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from loyalty.offline import OfflineLimits, OfflinePolicy, check_below_pin_threshold

#: The environment variable that overrides the offline limits: JSON as `OfflinePolicy.to_dict`.
OFFLINE_LIMITS_ENV = "CHAINPOS_STORE_OFFLINE_LIMITS"

#: HQ asks for the member's PIN above this (LoyaltySettings.stored_value at HQ: 500 yuan).
PIN_REQUIRED_ABOVE = 50_000


def _default_policy() -> OfflinePolicy:
    # 200 yuan a transaction, 500 yuan or 3 debits a card until it next touches HQ,
    # 20,000 yuan unposted per store. Points redemption is online only (see docs).
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

    def __post_init__(self) -> None:
        check_below_pin_threshold(self.offline.stored_value, PIN_REQUIRED_ABOVE)

    @classmethod
    def from_env(cls) -> StoreLoyaltySettings:
        """The defaults, with the offline limits from `CHAINPOS_STORE_OFFLINE_LIMITS` if set."""
        raw = os.environ.get(OFFLINE_LIMITS_ENV)
        if not raw:
            return cls()
        return cls(offline=OfflinePolicy.from_dict(json.loads(raw)))
