"""Staff endpoints for enrolment, referral rewards and the period-end tier review."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify

from chainpos.auth import require_staff
from chainpos.db import unit_of_work
from chainpos.errors import NotFound
from chainpos.web import doc, load
from hq_server.loyalty import enrolment, members, referrals, tiers
from hq_server.loyalty import event_schemas as s
from hq_server.loyalty.tier_review import review_status, review_tiers

if TYPE_CHECKING:
    from hq_server.loyalty.api import Calls

SUPERVISORS = ("supervisor", "admin")


class NotEnrolled(NotFound):
    code = "not_enrolled"


class UnknownReview(NotFound):
    code = "unknown_review"


def event_views(bp: Blueprint, calls: Calls) -> None:
    """Register the views on the loyalty blueprint (bearer-token staff endpoints)."""
    factory, rules = calls.factory, calls.rules

    @bp.get("/members/<member_id>/enrolment")
    @doc(
        "The rule and document that earned the member their card",
        response=s.EnrolmentOutSchema,
        security="bearer",
    )
    @require_staff()
    def member_enrolment(member_id: str) -> Any:
        with unit_of_work(factory) as session:
            member = members.get_member(session, member_id)
            found = enrolment.enrolment_of(session, member.id)
        if found is None:
            raise NotEnrolled(
                "the member's card was not issued under an enrolment rule",
                {"member_id": "not enrolled"},
            )
        return jsonify(found)

    @bp.get("/members/<member_id>/tiers")
    @doc(
        "The member's tier and every tier move (sale upgrades, period-end reviews)",
        response=s.TierHistoryOutSchema,
        security="bearer",
    )
    @require_staff()
    def member_tiers(member_id: str) -> Any:
        with unit_of_work(factory) as session:
            member = members.get_member(session, member_id)
            return jsonify(
                {
                    "member_id": member.id,
                    "tier": member.tier_code,
                    "history": tiers.tier_history(session, member.id),
                }
            )

    @bp.get("/members/<member_id>/referrals")
    @doc(
        "Referral rewards the member earned, and those paid for their own referral",
        response=s.ReferralRewardsOutSchema,
        security="bearer",
    )
    @require_staff()
    def member_referrals(member_id: str) -> Any:
        with unit_of_work(factory) as session:
            member = members.get_member(session, member_id)
            return jsonify(referrals.rewards_of(session, member.id))

    @bp.post("/tiers/reviews")
    @doc(
        "Run the period-end tier review (idempotent per period; resumes if interrupted)",
        body=s.TierReviewInSchema,
        response=s.TierReviewOutSchema,
        security="bearer",
    )
    @require_staff(*SUPERVISORS)
    def run_tier_review() -> Any:
        data = load(s.TierReviewInSchema())
        return jsonify(review_tiers(factory, rules, data["period_end"]).to_dict())

    @bp.get("/tiers/reviews/<period>")
    @doc(
        "Where a period's tier review stands",
        response=s.TierReviewOutSchema,
        security="bearer",
    )
    @require_staff()
    def tier_review_status(period: str) -> Any:
        with unit_of_work(factory) as session:
            found = review_status(session, period)
        if found is None:
            raise UnknownReview(f"no tier review for {period}", {"period": "unknown"})
        return jsonify(found.to_dict())
