"""The HQ Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from chainpos.auth import SignedRequests
from chainpos.config import HqConfig
from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.sync.api import sync_blueprint
from chainpos.sync.status import sync_status
from chainpos.web import platform_blueprint, register_error_handlers
from hq_server import api, feed, ingestion, organisation
from hq_server.loyalty.api import loyalty_blueprint
from hq_server.models import SYNC
from hq_server.promotions import api as promotions_api


def create_app(config: HqConfig | None = None) -> Flask:
    config = config or HqConfig.from_env()
    if config.migrate_on_start:
        migrate(config.database_url, "hq", quiet=True)
    app = Flask("hq_server")
    app.config.update(SECRET_KEY=config.secret_key, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    engine = make_engine(config.database_url)
    factory = make_session_factory(engine)
    app.extensions["chainpos.engine"] = engine
    app.extensions["chainpos.sessions"] = factory

    def store_secret(key_id: str) -> str | None:
        with unit_of_work(factory) as session:
            return organisation.store_secret(session, key_id)

    signed = SignedRequests(factory, SYNC, store_secret)

    def status() -> dict[str, Any]:
        with unit_of_work(factory) as session:
            return sync_status(session, SYNC, "hq")

    register_error_handlers(app)
    app.register_blueprint(platform_blueprint("hq", "chainpos HQ", status))
    app.register_blueprint(api.bp)
    app.register_blueprint(promotions_api.bp)
    app.register_blueprint(loyalty_blueprint(factory, signed))
    app.register_blueprint(
        sync_blueprint(
            factory,
            SYNC,
            signed,
            apply_document=ingestion.apply_document,
            apply_batch=ingestion.apply_sales,
            snapshot_page=feed.snapshot_page,
            scope_for=lambda store: store,
        )
    )
    return app
