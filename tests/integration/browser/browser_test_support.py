"""A loopback HTTP server for a Flask app and a raw server-sent-event reader, for browser tests.

`LiveServer` runs the app on werkzeug's threaded server in a thread. `cut()` drops every
open connection the way a till restart does, and `stop()` + `start()` bring it back on the
same port, so a page's EventSource has to reconnect by itself.

`SseReader` reads one event stream on its own thread with a plain socket (HTTP/1.0, so
no chunked encoding), the way any HTTP client on the till would.

Test modules take Playwright's `expect` from here, so that a machine without playwright
gets the `browser` fixture's message rather than an import error at collection.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

try:
    from playwright.sync_api import expect
except ImportError:  # the session's `browser` fixture fails first, naming the setup script

    def expect(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("playwright is not installed: run scripts/setup-browser.sh")


class LiveServer:
    """`app` on 127.0.0.1 at a free port (kept across `stop()` / `start()`)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.port = 0
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _handler(self) -> type[WSGIRequestHandler]:
        live = self

        class TrackedHandler(WSGIRequestHandler):
            def handle(self) -> None:
                with live._lock:
                    live._connections.add(self.connection)
                try:
                    super().handle()
                finally:
                    with live._lock:
                        live._connections.discard(self.connection)

            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass  # keep pytest's output to the failures

        return TrackedHandler

    def start(self) -> None:
        server = make_server(
            "127.0.0.1", self.port, self.app, threaded=True, request_handler=self._handler()
        )
        self.port = server.server_port
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def cut(self) -> int:
        """Drop every open connection (SSE streams included); returns how many."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        return len(connections)

    def stop(self) -> None:
        """Stop listening and drop every open connection, like a till process going away."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.cut()


@dataclass(frozen=True, slots=True)
class SseEvent:
    event: str
    data: Any


class SseReader:
    """Reads `path` on `server` as server-sent events into a queue, on a daemon thread."""

    def __init__(self, port: int, path: str) -> None:
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self.connected = threading.Event()
        self.error: BaseException | None = None
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self._sock.settimeout(None)  # blocking reads; close() wakes them with a shutdown
        request = (
            f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        self._sock.sendall(request.encode())
        self._thread = threading.Thread(target=self._read, name=f"sse {path}", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buffer = b""
        headers_done = False
        try:
            while True:
                chunk = self._sock.recv(4096)
                if not chunk:
                    return
                buffer += chunk
                if not headers_done:
                    if b"\r\n\r\n" not in buffer:
                        continue
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    status = head.split(b"\r\n", 1)[0]
                    if b" 200 " not in status or b"text/event-stream" not in head:
                        raise RuntimeError(f"not an event stream: {head.decode(errors='replace')}")
                    headers_done = True
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    self._block(block.decode())
        except OSError:
            return  # closed by close()
        except BaseException as error:
            self.error = error
            raise

    def _block(self, block: str) -> None:
        event, data = "message", []
        for line in block.split("\n"):
            if line.startswith("retry:"):
                self.connected.set()  # the first chunk: the subscription exists now
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            self.events.put(SseEvent(event, json.loads("\n".join(data))))

    def wait_connected(self, timeout: float = 5.0) -> None:
        if not self.connected.wait(timeout):
            raise AssertionError(f"no event stream within {timeout} s (error: {self.error!r})")

    def next(self, kind: str, timeout: float) -> SseEvent | None:
        """The next event named `kind` within `timeout` seconds, or None."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if event.event == kind:
                return event
        return None

    def drain(self, kind: str, quiet: float) -> list[SseEvent]:
        """Every `kind` event until none has come for `quiet` seconds."""
        found = []
        while (event := self.next(kind, quiet)) is not None:
            found.append(event)
        return found

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=5)
