"""`chainpos demo`: HQ, two stores and a till each on loopback, with demo data."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from chainpos.db import make_engine, make_session_factory, migrate
from chainpos.sync.enrolment import enrol_database

PORTS = {"hq": 8700, "S001": 8710, "S001-T01": 8711, "S002": 8720, "S002-T01": 8721}


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def _url(name: str) -> str:
    return f"http://127.0.0.1:{PORTS[name]}"


def prepare(directory: Path, products: int) -> dict[str, str]:
    """Create and seed every database once; returns what the operator needs to know."""
    from hq_server import demo_seed
    from pos_terminal.models import SYNC as TILL_SYNC
    from store_server.models import SYNC as STORE_SYNC

    state_file = directory / "demo.json"
    if state_file.exists():
        return dict(json.loads(state_file.read_text()))
    directory.mkdir(parents=True, exist_ok=True)
    hq_url = f"sqlite:///{directory}/hq.db"
    migrate(hq_url, "hq")
    factory = make_session_factory(make_engine(hq_url, durable=False))
    started = time.monotonic()
    say(f"generating {products:,} products (Chinese and English names, EAN-13 barcodes)...")
    demo_seed.seed_catalog(
        factory, products, progress=lambda n: say(f"  {n:,}/{products:,} products")
    )
    creds = demo_seed.seed_organisation(factory, secrets.token_urlsafe(9))
    overrides = demo_seed.seed_store_prices(factory, products, list(creds.stores))
    say(f"  {overrides:,} store-specific prices")
    say(f"HQ seeded in {time.monotonic() - started:.1f}s")
    for store, secret in creds.stores.items():
        enrol_database(
            f"sqlite:///{directory}/store-{store}.db",
            "store",
            STORE_SYNC,
            store,
            _url("hq"),
            secret,
        )
    for till, secret in creds.tills.items():
        enrol_database(
            f"sqlite:///{directory}/till-{till}.db",
            "till",
            TILL_SYNC,
            till,
            _url(till.split("-")[0]),
            secret,
        )
    state = {"admin_password": creds.admin_password, "stock_counted": ""}
    state_file.write_text(json.dumps(state))
    return state


def _start(name: str, argv: list[str], directory: Path) -> subprocess.Popen[bytes]:
    log = open(directory / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it open
    return subprocess.Popen(
        [sys.executable, "-m", "chainpos.cli", *argv],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_healthy(name: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}: see its log")
        try:
            if requests.get(_url(name) + "/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer on {_url(name)} within {timeout:.0f}s")


def _wait_synced(name: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = requests.get(_url(name) + "/api/v1/sync/status", timeout=5).json()
        if status["feed_cursor"].get("snapshot_done") and status["last_pull_ok"]:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not finish its first catalog sync in {timeout:.0f}s")


def run_demo(directory: Path, *, products: int, fresh: bool) -> int:
    directory = directory.resolve()
    if fresh and directory.exists():
        shutil.rmtree(directory)
    state = prepare(directory, products)
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def stop_all() -> None:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, proc in procs.items():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                say(f"{name} killed after not stopping in time")

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        procs["hq"] = _start(
            "hq",
            ["hq", "run", "--db", f"sqlite:///{directory}/hq.db", "--port", str(PORTS["hq"])],
            directory,
        )
        _wait_healthy("hq", procs["hq"])
        for store in ("S001", "S002"):
            procs[store] = _start(
                store,
                [
                    "store",
                    "run",
                    "--db",
                    f"sqlite:///{directory}/store-{store}.db",
                    "--port",
                    str(PORTS[store]),
                ],
                directory,
            )
        for store in ("S001", "S002"):
            _wait_healthy(store, procs[store])
        say("stores are loading the catalog from HQ...")
        for store in ("S001", "S002"):
            _wait_synced(store)
            if store not in state["stock_counted"]:
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "chainpos.cli",
                        "store",
                        "stock-count",
                        "--db",
                        f"sqlite:///{directory}/store-{store}.db",
                        "--all-products",
                        "200",
                    ],
                    check=True,
                )
                state["stock_counted"] += store
                (directory / "demo.json").write_text(json.dumps(state))
        for till in ("S001-T01", "S002-T01"):
            procs[till] = _start(
                till,
                [
                    "till",
                    "run",
                    "--db",
                    f"sqlite:///{directory}/till-{till}.db",
                    "--port",
                    str(PORTS[till]),
                ],
                directory,
            )
        for till in ("S001-T01", "S002-T01"):
            _wait_healthy(till, procs[till])
        say("tills are loading the catalog from their stores...")
        for till in ("S001-T01", "S002-T01"):
            _wait_synced(till)
        _banner(state, directory)
        while all(proc.poll() is None for proc in procs.values()):
            time.sleep(0.5)
        dead = [name for name, proc in procs.items() if proc.poll() is not None]
        say(f"{', '.join(dead)} stopped unexpectedly; see {directory}/<name>.log. Stopping all.")
        return 1
    except KeyboardInterrupt:
        say("stopping...")
        return 0
    except RuntimeError as err:
        say(f"error: {err}")
        return 1
    finally:
        stop_all()
        say("all stopped")


def _banner(state: dict[str, str], directory: Path) -> None:
    lines = [
        "",
        "chainpos demo is running (Ctrl-C stops everything):",
        f"  HQ          {_url('hq')}      admin / {state['admin_password']}",
        f"  store S001  {_url('S001')}    till S001-T01 {_url('S001-T01')}",
        f"  store S002  {_url('S002')}    till S002-T01 {_url('S002-T01')}",
        "  cashier 1001 PIN 1234, supervisor 9001 PIN 9999",
        f"  logs and databases in {directory}",
        "",
        "Try a sale:",
        f"  TOKEN=$(curl -s -X POST {_url('S001-T01')}/api/v1/auth/sign-in "
        '-H \'Content-Type: application/json\' -d \'{"staff_code":"1001","pin":"1234"}\' '
        "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')",
        f'  curl -s {_url("S001-T01")}/api/v1/products?q=milk -H "Authorization: Bearer $TOKEN"',
        "",
    ]
    print("\n".join(lines), flush=True)
