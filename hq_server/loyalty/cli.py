"""`chainpos hq loyalty ...`: ledger verification and the daily points expiry run."""

from __future__ import annotations

import sys
from datetime import date

import click

from chainpos.db import make_engine, make_session_factory, unit_of_work
from hq_server.loyalty.expiry import expire_all
from hq_server.loyalty.settings import chain_today
from hq_server.loyalty.verification import verify_ledgers

DB_HELP = "HQ database URL, e.g. postgresql+psycopg://... or sqlite:///var/hq.db"


@click.group("loyalty")
def loyalty() -> None:
    """Loyalty ledgers: verify balances, expire points."""


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
