"""The loyalty rules HQ runs with: stored-value, earning, redemption, tiers, PIN policy,
enrolment and referral rules."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from loyalty.enrolment import DEMO_ENROLMENT, EnrolmentPolicy
from loyalty.errors import InvalidConfig
from loyalty.pin import Argon2PinHasher, PinHasher, PinPolicy
from loyalty.points_earn import EarnRules, RedemptionRate
from loyalty.points_expiry import ExpiryKind, ExpiryPolicy
from loyalty.referrals import DEMO_REFERRALS, ReferralPolicy
from loyalty.stored_value import BonusStep, StoredValuePolicy
from loyalty.tiers import DEMO_LADDER, TierLadder

CARD_PREFIX = "8868"
CHAIN_TIMEZONE = ZoneInfo("Asia/Shanghai")

#: Overrides the tier ladder (with its downgrade policy), the enrolment and the referral
#: rules of a running HQ: JSON `{"ladder": ..., "enrolment": ..., "referrals": ...}`, each
#: in the form of its `to_dict()`; keys left out keep the defaults.
RULES_ENV = "CHAINPOS_HQ_LOYALTY_RULES"

#: A reward is booked under `referral:<rule id>:<member id>` in 64-character documents.
MAX_RULE_ID = 18


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
    ladder: TierLadder = DEMO_LADDER  # its `downgrade` is the period-end review's policy
    enrolment: EnrolmentPolicy = DEMO_ENROLMENT
    referrals: ReferralPolicy = DEMO_REFERRALS
    pin_policy: PinPolicy = field(default_factory=PinPolicy)
    pin_hasher: PinHasher = field(default_factory=Argon2PinHasher)
    card_prefix: str = CARD_PREFIX

    def __post_init__(self) -> None:
        codes = {tier.code for tier in self.ladder.tiers}
        named = {t for r in self.enrolment.rules for t in r.referrer_tiers}
        ids = [rule.rule_id for rule in self.referrals.rules]
        for rule in self.referrals.rules:
            named |= rule.to_tiers | rule.referrer_tiers
            if not 1 <= len(rule.rule_id) <= MAX_RULE_ID:
                raise InvalidConfig(
                    f"referral rule id {rule.rule_id!r} must be 1-{MAX_RULE_ID} characters",
                    "rule_id",
                )
        if len(set(ids)) != len(ids):
            raise InvalidConfig("referral rule ids must be unique", "rule_id")
        if named - codes:
            raise InvalidConfig(f"rules name unknown tiers: {sorted(named - codes)}", "tiers")

    @classmethod
    def from_env(cls) -> LoyaltySettings:
        """The defaults, with ladder, enrolment and referral rules from `RULES_ENV` if set."""
        return _from_json(os.environ.get(RULES_ENV, ""))

    def with_rules(self, data: Mapping[str, Any]) -> LoyaltySettings:
        """These settings with the rules given as JSON (`ladder`, `enrolment`, `referrals`)."""
        unknown = set(data) - {"ladder", "enrolment", "referrals"}
        if unknown:
            raise InvalidConfig(f"unknown loyalty rules: {', '.join(sorted(unknown))}", RULES_ENV)
        try:
            ladder = data.get("ladder")
            enrolment = data.get("enrolment")
            referrals = data.get("referrals")
            return replace(
                self,
                ladder=TierLadder.from_dict(ladder) if ladder is not None else self.ladder,
                enrolment=(
                    EnrolmentPolicy.from_dict(enrolment)
                    if enrolment is not None
                    else self.enrolment
                ),
                referrals=(
                    ReferralPolicy.from_dict(referrals) if referrals is not None else self.referrals
                ),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            raise InvalidConfig(f"{RULES_ENV}: {err!r}", RULES_ENV) from None


@lru_cache(maxsize=4)
def _from_json(raw: str) -> LoyaltySettings:
    # Cached by the variable's text: ingestion asks once per document.
    if not raw.strip():
        return LoyaltySettings()
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise InvalidConfig(f"{RULES_ENV} is not JSON: {err}", RULES_ENV) from None
    if not isinstance(data, dict):
        raise InvalidConfig(f"{RULES_ENV} must be a JSON object", RULES_ENV)
    return LoyaltySettings().with_rules(data)


def cheap_pin_hasher() -> PinHasher:
    """argon2id with minimal cost, for tests and benchmarks only."""
    return Argon2PinHasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def chain_today(now: datetime | None = None) -> date:
    """Today in the chain's home time zone: the business day of HQ-side operations."""
    return (now or datetime.now(CHAIN_TIMEZONE)).astimezone(CHAIN_TIMEZONE).date()
