"""The till Flask application factory."""

from __future__ import annotations

import atexit
from typing import Any

from flask import Flask

from chainpos import master_copy
from chainpos.config import TillConfig
from chainpos.db import make_engine, make_session_factory, migrate, unit_of_work
from chainpos.sync.runner import UpstreamLink
from chainpos.sync.status import sync_status
from chainpos.web import platform_blueprint, register_error_handlers
from pos_terminal import api, loyalty_api
from pos_terminal.models import MASTER, SYNC


def create_app(config: TillConfig | None = None) -> Flask:
    config = config or TillConfig.from_env()
    if config.migrate_on_start:
        migrate(config.database_url, "till", quiet=True)
    app = Flask("pos_terminal")
    app.config.update(SECRET_KEY=config.secret_key)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # The journal is the system of record until the store has it: full fsync on commit.
    engine = make_engine(config.database_url, durable=True)
    factory = make_session_factory(engine)
    app.extensions["chainpos.engine"] = engine
    app.extensions["chainpos.sessions"] = factory

    def status() -> dict[str, Any]:
        with unit_of_work(factory) as session:
            return sync_status(session, SYNC, "till")

    link = UpstreamLink(
        factory,
        SYNC,
        lambda session, changes: master_copy.apply_changes(session, MASTER, changes),
        timeout=config.store_timeout,
    )
    app.extensions["chainpos.upstream"] = link
    register_error_handlers(app)
    app.register_blueprint(platform_blueprint("till", "chainpos till", status))
    app.register_blueprint(api.bp)
    app.register_blueprint(loyalty_api.bp)
    if config.devices_config:
        from pos_terminal.device_hub import views as device_views
        from pos_terminal.device_hub.hub import DeviceHub

        hub = DeviceHub.from_config(config.devices_config, config.database_url)
        hub.start()
        device_views.init_app(app, hub)
        atexit.register(hub.stop)
    if config.run_sync:
        worker = link.worker(config.sync_interval)
        worker.start()
        app.extensions["chainpos.worker"] = worker
        atexit.register(worker.stop)
    return app
