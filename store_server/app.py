"""The store server Flask application factory."""

from __future__ import annotations

import atexit
from typing import Any

from flask import Flask

from chainpos import master_copy
from chainpos.auth import SignedRequests
from chainpos.config import StoreConfig
from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.sync.api import sync_blueprint
from chainpos.sync.client import SignedClient
from chainpos.sync.enrolment import credentials
from chainpos.sync.runner import UpstreamLink
from chainpos.sync.status import sync_status
from chainpos.web import platform_blueprint, register_error_handlers
from store_server import api, returns, services
from store_server.loyalty.api import loyalty_relay_blueprint
from store_server.loyalty.hq_link import HqClient
from store_server.loyalty.services import Relay
from store_server.loyalty.settings import StoreLoyaltySettings
from store_server.models import MASTER, SYNC


def create_app(
    config: StoreConfig | None = None, loyalty: StoreLoyaltySettings | None = None
) -> Flask:
    config = config or StoreConfig.from_env()
    if config.migrate_on_start:
        migrate(config.database_url, "store", quiet=True)
    app = Flask("store_server")
    app.config.update(SECRET_KEY=config.secret_key)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    engine = make_engine(config.database_url)
    factory = make_session_factory(engine)
    app.extensions["chainpos.engine"] = engine
    app.extensions["chainpos.sessions"] = factory

    def till_secret(key_id: str) -> str | None:
        with unit_of_work(factory) as session:
            return services.till_secret(session, key_id)

    def status() -> dict[str, Any]:
        with unit_of_work(factory) as session:
            return sync_status(session, SYNC, "store")

    link = UpstreamLink(factory, SYNC, services.apply_hq_changes, timeout=config.hq_timeout)
    app.extensions["chainpos.upstream"] = link
    worker = link.worker(config.sync_interval) if config.run_sync else None

    loyalty = loyalty or StoreLoyaltySettings.from_env()
    hq_clients: list[HqClient] = []

    def loyalty_hq() -> HqClient:
        # Its own client: a short timeout, because a customer is waiting at the till.
        override = app.extensions.get("chainpos.loyalty.hq")
        if override is not None:
            return override()
        if not hq_clients:
            with unit_of_work(factory) as session:
                url, creds = credentials(session, SYNC)
            hq_clients.append(SignedClient(url, creds, timeout=loyalty.hq_timeout))
        return hq_clients[0]

    signed = SignedRequests(factory, SYNC, till_secret)
    register_error_handlers(app)
    app.register_blueprint(platform_blueprint("store", "chainpos store server", status))
    app.register_blueprint(api.bp)
    app.register_blueprint(returns.returns_blueprint(signed))
    app.register_blueprint(loyalty_relay_blueprint(Relay(factory, loyalty_hq, loyalty), signed))
    app.register_blueprint(
        sync_blueprint(
            factory,
            SYNC,
            signed,
            apply_document=services.apply_till_document,
            snapshot_page=lambda s, _till, after, n: master_copy.snapshot_page(s, MASTER, after, n),
            scope_for=lambda till: till,
            after_receive=worker.nudge if worker else None,
        )
    )
    if worker is not None:
        worker.start()
        app.extensions["chainpos.worker"] = worker
        atexit.register(worker.stop)
    return app
