"""Referral rewards: the referred member's first top-up, upgrade or spend credits the referrer.

Each rule pays at most once per referred member; the ledger keeps the rule ids already
paid (`already_rewarded`) and a unique key (`ReferralReward.key`) makes a retry harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from loyalty.config import JsonDict, int_from_json
from loyalty.errors import InvalidConfig


class ReferralTrigger(Enum):
    """What the referred member does that pays the referrer."""

    FIRST_TOP_UP = "first_top_up"
    UPGRADE = "upgrade"
    SPEND_REACHED = "spend_reached"


@dataclass(frozen=True, slots=True)
class ReferralRule:
    """One reward rule. `to_tiers` (UPGRADE) and `referrer_tiers` empty mean any tier."""

    rule_id: str
    trigger: ReferralTrigger
    reward_points: int = 0
    reward_bonus: int = 0  # fen of stored-value bonus credited to the referrer's card
    min_top_up: int = 0  # FIRST_TOP_UP: the top-up must be at least this (fen)
    spend_threshold: int = 0  # SPEND_REACHED: cumulative spend (fen)
    to_tiers: frozenset[str] = frozenset()
    referrer_tiers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if min(self.reward_points, self.reward_bonus, self.min_top_up, self.spend_threshold) < 0:
            raise InvalidConfig(f"referral rule {self.rule_id} has a negative number")
        if not (self.reward_points or self.reward_bonus):
            raise InvalidConfig(f"referral rule {self.rule_id} rewards nothing")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferralRule:
        return cls(
            rule_id=str(data["rule_id"]),
            trigger=ReferralTrigger(data["trigger"]),
            reward_points=int_from_json(data, "reward_points", 0),
            reward_bonus=int_from_json(data, "reward_bonus", 0),
            min_top_up=int_from_json(data, "min_top_up", 0),
            spend_threshold=int_from_json(data, "spend_threshold", 0),
            to_tiers=frozenset(data.get("to_tiers", ())),
            referrer_tiers=frozenset(data.get("referrer_tiers", ())),
        )

    def to_dict(self) -> JsonDict:
        return {
            "rule_id": self.rule_id,
            "trigger": self.trigger.value,
            "reward_points": self.reward_points,
            "reward_bonus": self.reward_bonus,
            "min_top_up": self.min_top_up,
            "spend_threshold": self.spend_threshold,
            "to_tiers": sorted(self.to_tiers),
            "referrer_tiers": sorted(self.referrer_tiers),
        }


@dataclass(frozen=True, slots=True)
class ReferralPolicy:
    """The referral rules in force."""

    rules: tuple[ReferralRule, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferralPolicy:
        return cls(tuple(ReferralRule.from_dict(r) for r in data.get("rules", ())))

    def to_dict(self) -> JsonDict:
        return {"rules": [r.to_dict() for r in self.rules]}


@dataclass(frozen=True, slots=True)
class ReferralEvent:
    """Something the referred member did."""

    trigger: ReferralTrigger
    referred_member_id: str
    top_up_amount: int = 0
    first_top_up: bool = False
    new_tier: str | None = None
    cumulative_spend: int = 0


@dataclass(frozen=True, slots=True)
class Referrer:
    """The referring member as the rules see them."""

    member_id: str
    tier: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class ReferralReward:
    """Credit due to the referrer: points (a REFERRAL lot) and/or stored-value bonus."""

    rule_id: str
    referrer_member_id: str
    referred_member_id: str
    points: int
    bonus: int

    @property
    def key(self) -> str:
        """Unique per rule and referred member: a second delivery is a duplicate."""
        return f"referral:{self.rule_id}:{self.referred_member_id}"


def _matches(rule: ReferralRule, event: ReferralEvent) -> bool:
    if rule.trigger is not event.trigger:
        return False
    if rule.trigger is ReferralTrigger.FIRST_TOP_UP:
        return event.first_top_up and event.top_up_amount >= rule.min_top_up
    if rule.trigger is ReferralTrigger.UPGRADE:
        return event.new_tier is not None and (not rule.to_tiers or event.new_tier in rule.to_tiers)
    return event.cumulative_spend >= rule.spend_threshold


def evaluate_referral(
    policy: ReferralPolicy,
    event: ReferralEvent,
    referrer: Referrer | None,
    already_rewarded: frozenset[str] = frozenset(),
) -> list[ReferralReward]:
    """Rewards this event earns the referrer; none without an active referrer."""
    if referrer is None or not referrer.active or referrer.member_id == event.referred_member_id:
        return []
    return [
        ReferralReward(
            rule.rule_id,
            referrer.member_id,
            event.referred_member_id,
            rule.reward_points,
            rule.reward_bonus,
        )
        for rule in policy.rules
        if rule.rule_id not in already_rewarded
        and (not rule.referrer_tiers or referrer.tier in rule.referrer_tiers)
        and _matches(rule, event)
    ]


DEMO_REFERRALS = ReferralPolicy(
    (
        # The friend's first top-up of 100 yuan or more: 10 yuan of bonus to the referrer.
        ReferralRule(
            "first-top-up", ReferralTrigger.FIRST_TOP_UP, reward_bonus=1_000, min_top_up=10_000
        ),
        # The friend reaches Gold (or skips to Diamond): 1,000 points to the referrer.
        ReferralRule(
            "reached-gold",
            ReferralTrigger.UPGRADE,
            reward_points=1_000,
            to_tiers=frozenset({"gold", "diamond"}),
        ),
    )
)
