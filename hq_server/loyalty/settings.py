"""The loyalty rules HQ runs with: stored-value, earning, redemption, tiers, PIN policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from loyalty.pin import Argon2PinHasher, PinHasher, PinPolicy
from loyalty.points_earn import EarnRules, RedemptionRate
from loyalty.points_expiry import ExpiryKind, ExpiryPolicy
from loyalty.stored_value import BonusStep, StoredValuePolicy
from loyalty.tiers import DEMO_LADDER, TierLadder

CARD_PREFIX = "8868"
CHAIN_TIMEZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class LoyaltySettings:
    """One object so the API, the CLI and the tests agree on the rules in force."""

    stored_value: StoredValuePolicy = field(
        default_factory=lambda: StoredValuePolicy(
            bonus_steps=(BonusStep(100_000, 20_000), BonusStep(200_000, 50_000))
        )
    )
    earn: EarnRules = field(
        default_factory=lambda: EarnRules(expiry=ExpiryPolicy(ExpiryKind.END_OF_YEAR, n=1))
    )
    redemption: RedemptionRate = field(default_factory=RedemptionRate)
    adjustment_expiry: ExpiryPolicy = field(
        default_factory=lambda: ExpiryPolicy(ExpiryKind.END_OF_YEAR, n=1)
    )
    ladder: TierLadder = DEMO_LADDER
    pin_policy: PinPolicy = field(default_factory=PinPolicy)
    pin_hasher: PinHasher = field(default_factory=Argon2PinHasher)
    card_prefix: str = CARD_PREFIX


def cheap_pin_hasher() -> PinHasher:
    """argon2id with minimal cost, for tests and benchmarks only."""
    return Argon2PinHasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def chain_today(now: datetime | None = None) -> date:
    """Today in the chain's home time zone: the business day of HQ-side operations."""
    return (now or datetime.now(CHAIN_TIMEZONE)).astimezone(CHAIN_TIMEZONE).date()
