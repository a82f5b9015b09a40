"""`chainpos demo` (what `make demo` runs): five tiers up with demo data; Ctrl-C stops them all."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chainpos.demo import PORTS
from tests.e2e.chain import http, wait_for

pytestmark = pytest.mark.e2e


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_demo_runs_every_tier_sells_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    busy = [name for name, port in PORTS.items() if _listening(port)]
    assert not busy, f"the demo's ports are taken by something else: {busy}"
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chainpos.cli",
            "demo",
            "--dir",
            str(tmp_path / "demo"),
            "--products",
            "300",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(
            "the demo to come up",
            lambda: "demo is running" in (tmp_path / "demo.log").read_text(),
            timeout=240,
            every=0.5,
        )
        for name, port in PORTS.items():
            tier = http.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["tier"]
            assert tier == ("hq" if name == "hq" else "till" if "-" in name else "store")
        till = f"http://127.0.0.1:{PORTS['S001-T01']}"
        token = http.post(
            f"{till}/api/v1/auth/sign-in", timeout=10, json={"staff_code": "1001", "pin": "1234"}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        barcode = next(
            code for code in _barcodes(tmp_path / "demo" / "till-S001-T01.db") if len(code) == 13
        )
        found = http.get(
            f"{till}/api/v1/products", params={"barcode": barcode}, headers=auth, timeout=10
        ).json()
        assert len(found) == 1 and found[0]["price"] > 0
        quote = http.post(
            f"{till}/api/v1/sales/quote",
            headers=auth,
            timeout=10,
            json={"lines": [{"barcode": barcode, "qty": 1}]},
        ).json()
        sale = http.post(
            f"{till}/api/v1/sales",
            headers=auth,
            timeout=10,
            json={
                "lines": [{"barcode": barcode, "qty": 1}],
                "tenders": [{"method": "cash", "amount": quote["total"] + 1000}],
            },
        )
        assert sale.status_code == 201, sale.text
    finally:
        demo.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            code = demo.wait(timeout=30)
        finally:
            if demo.poll() is None:
                demo.kill()
        log.close()
    assert code == 0, (tmp_path / "demo.log").read_text()[-2000:]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_listening(p) for p in PORTS.values()):
        time.sleep(0.2)
    assert not [name for name, port in PORTS.items() if _listening(port)]
    assert "all stopped" in (tmp_path / "demo.log").read_text()


def _barcodes(database: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as con:
        return [code for (code,) in con.execute("SELECT code FROM catalog_barcodes ORDER BY code")]
