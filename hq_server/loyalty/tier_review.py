"""The period-end tier review: every member's tier by their rolling spend, in batches.

`loyalty.tiers.review_member` decides each move under the ladder's downgrade policy
(`never`, `to_qualifying`, `one_step`). The run for a period is a row in
`loyalty_tier_review_runs`, locked by each batch, whose cursor (the last member id done)
commits with the batch's changes: an interrupted run resumes where it stopped, and a
finished one changes nothing when run again. Every move is a row in
`loyalty_tier_history` with the period; a unique (member, period) backs that up.

Lock order: the run row, the batch's member rows (by id), then the referrer accounts an
upgrade rewards, the same member-before-account order a sale uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from chainpos.errors import Conflict, ValidationFailed
from hq_server.loyalty import referrals, spend, tiers
from hq_server.loyalty.models import Member, TierReviewRun
from hq_server.loyalty.origin import Origin
from hq_server.loyalty.settings import LoyaltySettings, chain_today
from loyalty.tiers import review_member

BATCH = 500


class ReviewPolicyChanged(Conflict):
    code = "review_policy_changed"


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    """Where a period's review stands: members reviewed and moved so far."""

    period: str
    policy: str
    reviewed: int
    changed: int
    finished: bool
    #: True when the period had been reviewed completely before this call.
    already_done: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _summary(run: TierReviewRun, already_done: bool = False) -> ReviewSummary:
    return ReviewSummary(
        run.period,
        run.policy,
        run.reviewed,
        run.changed,
        run.finished_at is not None,
        already_done,
    )


def _open_run(factory: sessionmaker[Session], period: str, policy: str) -> ReviewSummary:
    """The period's run row, created on the first call; a policy change midway refuses."""
    try:
        with unit_of_work(factory) as session:
            run = session.get(TierReviewRun, period)
            if run is None:
                run = TierReviewRun(
                    period=period, policy=policy, after_member="", reviewed=0, changed=0
                )
                session.add(run)
                session.flush()
            summary = _summary(run)
    except IntegrityError:  # a concurrent run created it first
        with unit_of_work(factory) as session:
            found = session.get(TierReviewRun, period)
            assert found is not None
            summary = _summary(found)
    if summary.policy != policy:
        raise ReviewPolicyChanged(
            f"the review of {period} started under policy {summary.policy}, not {policy}",
            {"policy": summary.policy},
        )
    return summary


def review_batch(
    session: Session, settings: LoyaltySettings, run: TierReviewRun, period_end: date, size: int
) -> int:
    """Review the next `size` members after the run's cursor; returns how many were read."""
    members = list(
        session.scalars(
            select(Member)
            .where(Member.status == "active", Member.id > run.after_member)
            .order_by(Member.id)
            .limit(size)
            .with_for_update()
        )
    )
    if not members:
        run.finished_at = utcnow()
        return 0
    ladder = settings.ladder
    rolling = spend.rolling_spend_of(
        session, [m.id for m in members], period_end, ladder.window_months
    )
    document = f"tier-review:{run.period}"
    upgraded: list[Member] = []
    for member in members:
        change = review_member(ladder, member.tier_code, rolling[member.id])
        if change is None:
            continue
        member.tier_code = change.to_code
        tiers.record_change(
            session, member.id, change, rolling[member.id], period=run.period, document=document
        )
        run.changed += 1
        if change.is_upgrade:
            upgraded.append(member)
    session.flush()
    origin = Origin(document, period_end)
    for member in upgraded:
        referrals.after_upgrade(session, settings, member, origin)
    run.after_member = members[-1].id
    run.reviewed += len(members)
    return len(members)


def review_tiers(
    factory: sessionmaker[Session],
    settings: LoyaltySettings,
    period_end: date,
    *,
    batch: int = BATCH,
    progress: Callable[[ReviewSummary], None] | None = None,
) -> ReviewSummary:
    """Review every active member for the period ending on `period_end` (inclusive)."""
    if period_end > chain_today():
        raise ValidationFailed(
            f"the period ending {period_end.isoformat()} has not ended yet",
            {"period_end": "in the future"},
        )
    period = period_end.isoformat()
    policy = settings.ladder.downgrade.value
    opened = _open_run(factory, period, policy)
    if opened.finished:
        return ReviewSummary(**{**opened.to_dict(), "already_done": True})
    while True:
        with unit_of_work(factory) as session:
            run = session.get(TierReviewRun, period, with_for_update=True)
            assert run is not None
            if run.finished_at is None:
                review_batch(session, settings, run, period_end, batch)
            summary = _summary(run)
        if progress is not None:
            progress(summary)
        if summary.finished:
            return summary


def review_status(session: Session, period: str) -> ReviewSummary | None:
    run = session.get(TierReviewRun, period)
    return _summary(run) if run is not None else None
