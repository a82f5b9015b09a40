"""`chainpos hq loyalty ...`: ledger verification, the daily points expiry run and the
period-end tier review."""

from __future__ import annotations

import sys
from datetime import date, timedelta

import click

from chainpos.db import make_engine, make_session_factory, unit_of_work
from chainpos.errors import AppError
from hq_server.loyalty.expiry import expire_all
from hq_server.loyalty.settings import LoyaltySettings, chain_today
from hq_server.loyalty.tier_review import ReviewSummary, review_tiers
from hq_server.loyalty.verification import verify_ledgers
from loyalty.errors import LoyaltyError

DB_HELP = "HQ database URL, e.g. postgresql+psycopg://... or sqlite:///var/hq.db"


@click.group("loyalty")
def loyalty() -> None:
    """Loyalty ledgers: verify balances, expire points, review tiers."""


@loyalty.command("verify")
@click.option("--db", envvar="CHAINPOS_HQ_DATABASE_URL", required=True, help=DB_HELP)
def verify(db: str) -> None:
    """Check every cached balance against its ledger; exit 1 on any mismatch."""
    engine = make_engine(db)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            mismatches = verify_ledgers(session)
    finally:
        engine.dispose()
    for mismatch in mismatches:
        click.echo(f"MISMATCH {mismatch}", err=True)
    if mismatches:
        click.echo(f"{len(mismatches)} mismatches", err=True)
        sys.exit(1)
    click.echo("ledgers agree with every cached balance")


@loyalty.command("expire")
@click.option("--db", envvar="CHAINPOS_HQ_DATABASE_URL", required=True, help=DB_HELP)
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the day of the run (default: today in the chain's time zone)",
)
def expire(db: str, on: object) -> None:
    """Expire points whose lots ended before the day (safe to run twice)."""
    day: date = on.date() if on is not None else chain_today()  # type: ignore[attr-defined]
    engine = make_engine(db)
    try:
        count = expire_all(make_session_factory(engine), day)
    finally:
        engine.dispose()
    click.echo(f"expired {count} lots on {day.isoformat()}")


@loyalty.command("review-tiers")
@click.option("--db", envvar="CHAINPOS_HQ_DATABASE_URL", required=True, help=DB_HELP)
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="the last day of the period (default: yesterday in the chain's time zone)",
)
@click.option("--batch", type=click.IntRange(1, 10_000), default=500, show_default=True)
def review_tiers_command(db: str, on: object, batch: int) -> None:
    """Apply the period-end tier review to every member (safe to run twice).

    Exit status: 0 reviewed (or already reviewed), 1 refused (a period not ended yet, a
    policy changed midway, invalid rules in CHAINPOS_HQ_LOYALTY_RULES), 2 bad usage.
    """
    day: date = (
        on.date() if on is not None else chain_today() - timedelta(days=1)  # type: ignore[attr-defined]
    )

    def report(summary: ReviewSummary) -> None:
        click.echo(f"reviewed {summary.reviewed} members, {summary.changed} changed")

    engine = make_engine(db)
    try:
        settings = LoyaltySettings.from_env()
        summary = review_tiers(
            make_session_factory(engine), settings, day, batch=batch, progress=report
        )
    except (AppError, LoyaltyError) as err:
        click.echo(f"refused: {err}", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    if summary.already_done:
        click.echo(
            f"period ending {summary.period} was already reviewed "
            f"({summary.reviewed} members, {summary.changed} changed); nothing changed"
        )
        return
    click.echo(
        f"tier review for the period ending {summary.period} under policy {summary.policy}: "
        f"{summary.reviewed} members, {summary.changed} changed"
    )
