"""A whole chain on loopback for end-to-end tests: HQ, two stores, a till each.

Every tier is a real process started with the `chainpos` command. Each store reaches
HQ, and each till its store, through a TCP fault proxy, so a test can cut any link.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from chainpos.db import make_engine, make_session_factory, migrate
from chainpos.ids import new_id
from chainpos.sync.enrolment import enrol_database
from hq_server import demo_seed
from pos_terminal.models import SYNC as TILL_SYNC
from store_server.models import SYNC as STORE_SYNC
from tests.support.fault_proxy import FaultProxy
from tests.support.processes import ManagedProcess, free_port

#: Loopback only: never let a proxy variable of the machine divert the tests' traffic.
http = requests.Session()
http.trust_env = False

STORES = ("S001", "S002")
TILLS = ("S001-T01", "S002-T01")


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60, every: float = 0.2) -> None:
    """Poll `check` until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, sqlite3.Error):
            pass
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class Chain:
    root: Path
    products: int = 300
    sync_interval: float = 0.3
    ports: dict[str, int] = field(default_factory=dict)
    proxies: dict[str, FaultProxy] = field(default_factory=dict)
    procs: dict[str, ManagedProcess] = field(default_factory=dict)
    admin_password: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    #: Extra environment for the store processes (e.g. CHAINPOS_STORE_OFFLINE_LIMITS).
    store_env: dict[str, str] = field(default_factory=dict)
    till_secrets: dict[str, str] = field(default_factory=dict)

    # --- set-up ------------------------------------------------------------------------

    def db(self, name: str) -> str:
        return f"sqlite:///{self.root}/{name}.db"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def prepare(self) -> None:
        """Seed HQ, enrol the stores and tills, and set up the proxies."""
        # Ports reserved for processes are not bound until they start, so a later
        # free_port() could hand the same one out again: keep them all distinct.
        taken: set[int] = set()

        def distinct_port() -> int:
            while (port := free_port()) in taken:
                pass
            taken.add(port)
            return port

        for name in ("hq", *STORES, *TILLS):
            self.ports[name] = distinct_port()
        for name in (*STORES, *TILLS):
            upstream = "hq" if name in STORES else name.split("-")[0]
            proxy = FaultProxy(distinct_port(), "127.0.0.1", self.ports[upstream]).start()
            self.proxies[name] = proxy
        migrate(self.db("hq"), "hq", quiet=True)
        factory = make_session_factory(make_engine(self.db("hq"), durable=False))
        demo_seed.seed_catalog(factory, self.products)
        self.admin_password = secrets.token_urlsafe(12)
        creds = demo_seed.seed_organisation(factory, self.admin_password)
        self.till_secrets = dict(creds.tills)
        for store in STORES:
            enrol_database(
                self.db(store),
                "store",
                STORE_SYNC,
                store,
                self.proxy_url(store),
                creds.stores[store],
            )
        for till in TILLS:
            enrol_database(
                self.db(till), "till", TILL_SYNC, till, self.proxy_url(till), creds.tills[till]
            )

    def proxy_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.proxies[name].port}"

    def process(self, name: str) -> ManagedProcess:
        if name not in self.procs:
            tier = "hq" if name == "hq" else ("store" if name in STORES else "till")
            argv = [
                sys.executable,
                "-m",
                "chainpos.cli",
                tier,
                "run",
                "--db",
                self.db(name),
                "--port",
                str(self.ports[name]),
            ]
            if tier != "hq":
                argv += ["--sync-interval", str(self.sync_interval)]
            self.procs[name] = ManagedProcess(
                name,
                argv,
                env={
                    "CHAINPOS_SECRET_KEY": "e2e-secret",
                    **(self.store_env if tier == "store" else {}),
                },
                log_path=self.root / f"{name}.log",
                health_url=self.url(name) + "/healthz",
                startup_timeout=60,
            )
        return self.procs[name]

    def start_all(self, opening_stock: int = 1000) -> None:
        self.process("hq").start()
        for store in STORES:
            self.process(store).start()
        for store in STORES:
            self.wait_feed_loaded(store)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "chainpos.cli",
                    "store",
                    "stock-count",
                    "--db",
                    self.db(store),
                    "--all-products",
                    str(opening_stock),
                ],
                check=True,
                capture_output=True,
            )
        for till in TILLS:
            self.process(till).start()
        for till in TILLS:
            self.wait_feed_loaded(till)
        wait_for(
            "opening stock counts at HQ",
            lambda: all(
                self.status("hq")["origins"].get(f"{s}/-", {}).get("contiguous_seq") == 1
                for s in STORES
            ),
        )

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.is_running:
                proc.terminate()
        for proxy in self.proxies.values():
            proxy.stop()

    # --- observation -------------------------------------------------------------------

    def status(self, name: str) -> dict[str, Any]:
        answer: dict[str, Any] = http.get(self.url(name) + "/api/v1/sync/status", timeout=5).json()
        return answer

    def wait_feed_loaded(self, name: str, timeout: float = 120) -> None:
        wait_for(
            f"{name} to load the catalog",
            lambda: bool(
                self.status(name)["feed_cursor"].get("snapshot_done")
                and self.status(name)["last_pull_ok"]
            ),
            timeout,
        )

    def query(self, name: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Read a tier's SQLite database directly (read-only)."""
        with sqlite3.connect(f"file:{self.root}/{name}.db?mode=ro", uri=True, timeout=10) as con:
            return list(con.execute(sql, params))

    def barcodes(self, count: int) -> list[str]:
        rows = self.query(
            "hq",
            "SELECT b.code FROM barcodes b JOIN products p ON p.sku = b.sku "
            "WHERE p.weighed = 0 ORDER BY b.code LIMIT ?",
            count,
        )
        return [r[0] for r in rows]

    # --- acting ------------------------------------------------------------------------

    def till_token(self, till: str) -> str:
        if till not in self.tokens:
            answer = http.post(
                self.url(till) + "/api/v1/auth/sign-in",
                json={"staff_code": "1001", "pin": "1234"},
                timeout=10,
            )
            answer.raise_for_status()
            self.tokens[till] = answer.json()["token"]
        return self.tokens[till]

    def sell(
        self, till: str, lines: list[dict[str, Any]], cash: int | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.till_token(till)}"}
        quote = http.post(
            self.url(till) + "/api/v1/sales/quote",
            json={"lines": lines},
            headers=headers,
            timeout=10,
        )
        assert quote.status_code == 200, quote.text
        total = quote.json()["total"]
        answer = http.post(
            self.url(till) + "/api/v1/sales",
            headers=headers,
            timeout=10,
            json={"lines": lines, "tenders": [{"method": "cash", "amount": cash or total + 100}]},
        )
        assert answer.status_code == 201, answer.text
        sale: dict[str, Any] = answer.json()
        return sale

    def till_post(self, till: str, path: str, body: Any) -> requests.Response:
        """A cashier's call to the till's API (e.g. a sale with loyalty tenders)."""
        return http.post(
            self.url(till) + path,
            json=body,
            timeout=15,
            headers={"Authorization": f"Bearer {self.till_token(till)}"},
        )

    def store_call(
        self, till: str, method: str, path: str, body: Any = None, **params: Any
    ) -> requests.Response:
        """A call to a store's API signed with one of its tills' credentials."""
        from chainpos.signing import Credentials, sign

        target = path + ("?" + urlencode(params) if params else "")
        data = b"" if body is None else json.dumps(body).encode()
        headers = sign(Credentials(till, self.till_secrets[till]), method, target, data)
        if body is not None:
            headers["Content-Type"] = "application/json"
        store = till.split("-")[0]
        return http.request(
            method, self.url(store) + target, data=data or None, headers=headers, timeout=15
        )

    def hq_token(self) -> str:
        if "hq" not in self.tokens:
            answer = http.post(
                self.url("hq") + "/api/v1/auth/token",
                timeout=10,
                json={"username": "admin", "password": self.admin_password},
            )
            answer.raise_for_status()
            self.tokens["hq"] = answer.json()["token"]
        return self.tokens["hq"]

    def hq_get(self, path: str, **params: Any) -> Any:
        answer = http.get(
            self.url("hq") + path,
            params=params,
            timeout=10,
            headers={"Authorization": f"Bearer {self.hq_token()}"},
        )
        answer.raise_for_status()
        return answer.json()

    def hq_post(self, path: str, body: Any) -> requests.Response:
        return http.post(
            self.url("hq") + path,
            json=body,
            timeout=10,
            headers={"Authorization": f"Bearer {self.hq_token()}"},
        )

    def member_card(self, mobile: str, name: str = "王芳") -> str:
        """Register a member at HQ and issue them an active virtual card; its number."""
        member = self.hq_post(
            "/api/v1/loyalty/members",
            {"idempotency_key": new_id(), "mobile": mobile, "name": name},
        )
        assert member.status_code == 201, member.text
        card = self.hq_post(
            "/api/v1/loyalty/cards",
            {
                "idempotency_key": new_id(),
                "medium": "virtual",
                "member_id": member.json()["member_id"],
                "activate": True,
            },
        )
        assert card.status_code == 201, card.text
        number: str = card.json()["number"]
        return number


def running(
    root: Path, products: int = 300, store_env: dict[str, str] | None = None
) -> Iterator[Chain]:
    """A chain prepared and started as real processes, stopped when the caller is done."""
    chain = Chain(root, products=products, store_env=dict(store_env or {}))
    chain.prepare()
    try:
        chain.start_all()
        yield chain
    finally:
        chain.stop_all()


def outbox_payloads(chain: Chain, name: str) -> list[dict[str, Any]]:
    return [
        json.loads(r[0]) for r in chain.query(name, "SELECT payload FROM sync_outbox ORDER BY id")
    ]
