"""The production set-up from the README: HQ under gunicorn on PostgreSQL, a store enrolled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.chain import http, wait_for
from tests.support.processes import ManagedProcess, free_port

pytestmark = pytest.mark.e2e


def _chainpos(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "chainpos.cli", *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def test_store_enrolled_with_gunicorn_hq_on_postgresql_receives_the_catalog(
    postgres_url: str, tmp_path: Path
) -> None:
    _chainpos(
        "hq",
        "add-staff",
        "--db",
        postgres_url,
        "--code",
        "admin",
        "--name",
        "Admin",
        "--role",
        "admin",
        "--password",
        "correct horse battery",
    )
    port = free_port()
    hq = ManagedProcess(
        "hq-gunicorn",
        [
            sys.executable,
            "-m",
            "chainpos.cli",
            "hq",
            "serve",
            "--db",
            postgres_url,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env={"CHAINPOS_SECRET_KEY": "prod-test"},
        log_path=tmp_path / "hq.log",
        health_url=f"http://127.0.0.1:{port}/healthz",
        startup_timeout=60,
    ).start()
    store_port = free_port()
    store_db = f"sqlite:///{tmp_path}/store.db"
    store = ManagedProcess(
        "store-gunicorn",
        [
            sys.executable,
            "-m",
            "chainpos.cli",
            "store",
            "serve",
            "--db",
            store_db,
            "--bind",
            f"127.0.0.1:{store_port}",
        ],
        env={"CHAINPOS_SECRET_KEY": "prod-test"},
        log_path=tmp_path / "store.log",
        health_url=f"http://127.0.0.1:{store_port}/healthz",
        startup_timeout=60,
    )
    try:
        hq_url = f"http://127.0.0.1:{port}"
        token = http.post(
            f"{hq_url}/api/v1/auth/token",
            timeout=10,
            json={"username": "admin", "password": "correct horse battery"},
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        for path, body in (
            (
                "/api/v1/categories",
                {"code": "DAIRY", "name_zh": "乳制品", "name_en": "Dairy", "tax_rate_bp": 1300},
            ),
            (
                "/api/v1/products",
                {
                    "sku": "P1",
                    "name_zh": "鲜牛奶 1L",
                    "name_en": "Fresh milk 1L",
                    "category_code": "DAIRY",
                    "barcodes": ["6901234567892"],
                    "price": 1290,
                },
            ),
        ):
            answer = http.post(hq_url + path, json=body, headers=auth, timeout=10)
            assert answer.status_code == 201, answer.text
        created = http.post(
            f"{hq_url}/api/v1/stores",
            headers=auth,
            timeout=10,
            json={"code": "S009", "name": "Test store"},
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        _chainpos(
            "store",
            "enrol",
            "--db",
            store_db,
            "--code",
            "S009",
            "--hq-url",
            hq_url,
            "--secret",
            secret,
        )
        store.start()
        store_url = f"http://127.0.0.1:{store_port}"

        def loaded() -> bool:
            stock = http.get(
                f"{store_url}/api/v1/stock", params={"barcode": "6901234567892"}, timeout=5
            )
            status = http.get(f"{store_url}/api/v1/sync/status", timeout=5).json()
            return stock.status_code == 200 and status["last_pull_ok"] is not None

        wait_for("the store to load the catalog", loaded, timeout=60)
        status = http.get(f"{store_url}/api/v1/sync/status", timeout=5).json()
        assert status["feed_cursor"]["snapshot_done"] is True
        assert status["gaps"] == {} and status["quarantined"] == []
    finally:
        store.terminate()
        hq.terminate()
