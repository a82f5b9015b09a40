"""Running a tier: gunicorn in production, Werkzeug's threaded server for demo and tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask


def run_plain(app: Flask, host: str, port: int) -> None:
    """A threaded development server: one process, the sync worker inside it."""
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    print(f"{app.name} listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        worker = app.extensions.get("chainpos.worker")
        if worker is not None:
            worker.stop()


def run_gunicorn(factory: Callable[[], Flask], options: dict[str, Any]) -> None:
    """Serve with gunicorn; the app is built in each worker (after fork), not preloaded."""
    from gunicorn.app.base import BaseApplication

    class _Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return factory()

    _Application().run()
