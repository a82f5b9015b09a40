"""The `chainpos` command: start, migrate, enrol and administer every tier."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click

from chainpos.config import HqConfig, StoreConfig, TillConfig
from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.serving import run_gunicorn, run_plain

DB_HELP = "SQLAlchemy database URL, e.g. sqlite:///var/hq.db or postgresql+psycopg://..."


def _secret_key() -> str:
    return os.environ.get("CHAINPOS_SECRET_KEY") or secrets.token_urlsafe(32)


@click.group()
def main() -> None:
    """chainpos: till, store server and HQ of a retail chain."""


# --- HQ -------------------------------------------------------------------------------


@main.group()
def hq() -> None:
    """The HQ server."""


@hq.command("migrate")
@click.option("--db", envvar="CHAINPOS_HQ_DATABASE_URL", required=True, help=DB_HELP)
def hq_migrate(db: str) -> None:
    """Upgrade the HQ database to the newest schema."""
    migrate(db, "hq")


@hq.command("run")
@click.option("--db", envvar="CHAINPOS_HQ_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8700, show_default=True)
def hq_run(db: str, host: str, port: int) -> None:
    """Run HQ in one process (demo and tests)."""
    from hq_server.app import create_app

    run_plain(create_app(HqConfig(database_url=db, secret_key=_secret_key())), host, port)


@hq.command("serve")
@click.option("--db", envvar="CHAINPOS_HQ_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--bind", default="0.0.0.0:8700", show_default=True)
@click.option("--workers", default=4, show_default=True)
def hq_serve(db: str, bind: str, workers: int) -> None:
    """Run HQ under gunicorn (production). Set CHAINPOS_SECRET_KEY for all workers."""
    from hq_server.app import create_app

    migrate(db, "hq")
    config = HqConfig(database_url=db, secret_key=_secret_key(), migrate_on_start=False)
    run_gunicorn(
        lambda: create_app(config),
        {"bind": bind, "workers": workers, "worker_class": "gthread", "threads": 4},
    )


@hq.command("add-staff")
@click.option("--db", envvar="CHAINPOS_HQ_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["cashier", "supervisor", "admin"]), required=True)
@click.option("--password", default=None, help="for HQ sign-in")
@click.option("--pin", default=None, help="for till sign-in")
def hq_add_staff(
    db: str, code: str, name: str, role: str, password: str | None, pin: str | None
) -> None:
    """Add a staff member (the first admin is made this way)."""
    from hq_server import organisation

    migrate(db, "hq", quiet=True)
    with unit_of_work(make_session_factory(make_engine(db))) as session:
        organisation.add_staff(session, code, name, role, password=password, pin=pin)
    click.echo(f"staff {code} added as {role}")


def _mount_loyalty() -> None:
    from hq_server.loyalty.cli import loyalty

    hq.add_command(loyalty)


_mount_loyalty()


# --- store ----------------------------------------------------------------------------


@main.group()
def store() -> None:
    """The store server."""


@store.command("migrate")
@click.option("--db", envvar="CHAINPOS_STORE_DATABASE_URL", required=True, help=DB_HELP)
def store_migrate(db: str) -> None:
    """Upgrade the store database to the newest schema."""
    migrate(db, "store")


@store.command("enrol")
@click.option("--db", envvar="CHAINPOS_STORE_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--code", required=True, help="the store code HQ issued, e.g. S001")
@click.option("--hq-url", required=True, help="e.g. https://hq.example.com")
@click.option("--secret", required=True, help="the secret HQ showed when the store was added")
def store_enrol(db: str, code: str, hq_url: str, secret: str) -> None:
    """Enrol this store with HQ using the credentials HQ issued."""
    from chainpos.sync.enrolment import enrol_database
    from store_server.models import SYNC

    enrol_database(db, "store", SYNC, code, hq_url, secret)
    click.echo(f"store {code} enrolled with {hq_url}")


@store.command("run")
@click.option("--db", envvar="CHAINPOS_STORE_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8710, show_default=True)
@click.option("--sync-interval", default=1.0, show_default=True)
@click.option("--no-sync", is_flag=True, help="do not run the sync worker (benchmarks)")
def store_run(db: str, host: str, port: int, sync_interval: float, no_sync: bool) -> None:
    """Run the store server in one process with its sync worker (demo and tests)."""
    from store_server.app import create_app

    config = StoreConfig(
        database_url=db, secret_key=_secret_key(), sync_interval=sync_interval, run_sync=not no_sync
    )
    run_plain(create_app(config), host, port)


@store.command("serve")
@click.option("--db", envvar="CHAINPOS_STORE_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--bind", default="0.0.0.0:8710", show_default=True)
@click.option("--threads", default=8, show_default=True)
def store_serve(db: str, bind: str, threads: int) -> None:
    """Run the store server under gunicorn: one worker process, threads, sync inside."""
    from store_server.app import create_app

    migrate(db, "store")
    config = StoreConfig(database_url=db, secret_key=_secret_key(), migrate_on_start=False)
    run_gunicorn(
        lambda: create_app(config),
        {"bind": bind, "workers": 1, "worker_class": "gthread", "threads": threads},
    )


@store.command("stock-count")
@click.option("--db", envvar="CHAINPOS_STORE_DATABASE_URL", required=True, help=DB_HELP)
@click.option(
    "--all-products",
    "every",
    type=int,
    default=None,
    help="set every product in the local catalog to this figure (opening stock)",
)
@click.option("--sku", multiple=True, help="SKU=QTY, repeatable")
def store_stock_count(db: str, every: int | None, sku: tuple[str, ...]) -> None:
    """Record a stocktake; it updates on-hand figures and goes to HQ."""
    from sqlalchemy import select

    from store_server.models import MASTER
    from store_server.services import record_stock_count

    counted: list[dict[str, object]] = []
    factory = make_session_factory(make_engine(db))
    with unit_of_work(factory) as session:
        if every is not None:
            # Weighed items are stocked in grams: N means N kg for them.
            counted = [
                {"sku": s, "on_hand": every * 1000 if weighed else every}
                for s, weighed in session.execute(
                    select(MASTER.products.sku, MASTER.products.weighed)
                )
            ]
        for item in sku:
            code, _, qty = item.partition("=")
            if not qty.lstrip("-").isdigit():
                raise click.BadParameter(f"{item!r}: use SKU=QTY", param_hint="--sku")
            counted.append({"sku": code, "on_hand": int(qty)})
        if not counted:
            raise click.UsageError("nothing counted: give --all-products N or --sku SKU=QTY")
        document = record_stock_count(session, counted)
    click.echo(f"stock count {document.id} recorded for {len(counted)} products")


# --- till -----------------------------------------------------------------------------


@main.group()
def till() -> None:
    """The till service."""


@till.command("migrate")
@click.option("--db", envvar="CHAINPOS_TILL_DATABASE_URL", required=True, help=DB_HELP)
def till_migrate(db: str) -> None:
    """Upgrade the till database to the newest schema."""
    migrate(db, "till")


@till.command("enrol")
@click.option("--db", envvar="CHAINPOS_TILL_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--code", required=True, help="the till code, e.g. S001-T01")
@click.option("--store-url", required=True, help="e.g. http://store.local:8710")
@click.option("--secret", required=True, help="the secret HQ showed when the till was added")
def till_enrol(db: str, code: str, store_url: str, secret: str) -> None:
    """Enrol this till with its store."""
    from chainpos.sync.enrolment import enrol_database
    from pos_terminal.models import SYNC

    enrol_database(db, "till", SYNC, code, store_url, secret)
    click.echo(f"till {code} enrolled with {store_url}")


@till.command("run")
@click.option("--db", envvar="CHAINPOS_TILL_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8711, show_default=True)
@click.option("--sync-interval", default=1.0, show_default=True)
@click.option("--no-sync", is_flag=True, help="do not run the sync worker (benchmarks)")
def till_run(db: str, host: str, port: int, sync_interval: float, no_sync: bool) -> None:
    """Run the till service in one process with its sync worker."""
    from pos_terminal.app import create_app

    config = TillConfig(
        database_url=db, secret_key=_secret_key(), sync_interval=sync_interval, run_sync=not no_sync
    )
    run_plain(create_app(config), host, port)


@till.command("serve")
@click.option("--db", envvar="CHAINPOS_TILL_DATABASE_URL", required=True, help=DB_HELP)
@click.option("--bind", default="127.0.0.1:8711", show_default=True)
@click.option(
    "--devices",
    envvar="CHAINPOS_TILL_DEVICES",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="device config (docs/devices.md)",
)
def till_serve(db: str, bind: str, devices: str | None) -> None:
    """Run the till service under gunicorn (one worker, threads, sync inside)."""
    from pos_terminal.app import create_app

    migrate(db, "till")
    config = TillConfig(
        database_url=db, secret_key=_secret_key(), migrate_on_start=False, devices_config=devices
    )
    run_gunicorn(
        lambda: create_app(config),
        {"bind": bind, "workers": 1, "worker_class": "gthread", "threads": 16},
    )


def _mount_devices_cli() -> None:
    from pos_terminal.device_hub.cli import devices

    till.add_command(devices)


_mount_devices_cli()


# --- development ----------------------------------------------------------------------


@main.group()
def dev() -> None:
    """Tools for developers of chainpos."""


@dev.command("revision")
@click.argument("tier", type=click.Choice(["hq", "store", "till"]))
@click.argument("message")
def dev_revision(tier: str, message: str) -> None:
    """Autogenerate a migration for TIER from its models (review it before committing)."""
    import tempfile

    from alembic import command
    from alembic.config import Config

    from chainpos.db import MIGRATIONS_DIR

    with tempfile.TemporaryDirectory() as scratch:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR / tier))
        cfg.set_main_option("sqlalchemy.url", f"sqlite:///{scratch}/scratch.db")
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)


# --- demo -----------------------------------------------------------------------------


@main.command("demo")
@click.option(
    "--dir",
    "directory",
    default="var/demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--products", default=20_000, show_default=True)
@click.option("--fresh/--keep", default=False, help="start from empty databases")
def demo(directory: Path, products: int, fresh: bool) -> None:
    """Start HQ, two stores and a till each on loopback, with demo data. Ctrl-C stops all."""
    from chainpos.demo import run_demo

    sys.exit(run_demo(directory, products=products, fresh=fresh))


if __name__ == "__main__":
    main()
