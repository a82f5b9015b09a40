"""A small fan-out of till events to any number of listeners (SSE connections)."""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

KEEPALIVE_SECONDS = 15.0
RECONNECT_MS = 1000  # how soon a browser's EventSource reconnects after the till restarts


@dataclass(frozen=True, slots=True)
class HubEvent:
    """One event: `kind` becomes the SSE event name, `data` its JSON body."""

    kind: str
    data: dict[str, Any]


class EventBroker:
    """Publishers never block; a slow subscriber loses its oldest events, not the till."""

    def __init__(self, backlog: int = 256) -> None:
        self._subscribers: list[queue.Queue[HubEvent]] = []
        self._lock = threading.Lock()
        self._backlog = backlog

    def publish(self, event: HubEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for q in subscribers:
            while True:
                try:
                    q.put_nowait(event)
                    break
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        q.get_nowait()

    def subscribe(self) -> queue.Queue[HubEvent]:
        q: queue.Queue[HubEvent] = queue.Queue(self._backlog)
        with self._lock:
            self._subscribers.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[HubEvent]) -> None:
        with self._lock:
            if q in self._subscribers:
                self._subscribers.remove(q)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def sse(
        self, first: HubEvent | None = None, keepalive: float = KEEPALIVE_SECONDS
    ) -> Generator[str, None, None]:
        """Server-sent-event text for one connection, until the client goes away.

        The subscription starts now, not at the first read, so nothing published between
        the request and the first chunk is lost.
        """
        return self._stream(self.subscribe(), first, keepalive)

    def _stream(
        self, q: queue.Queue[HubEvent], first: HubEvent | None, keepalive: float
    ) -> Generator[str, None, None]:
        try:
            yield f"retry: {RECONNECT_MS}\n\n"
            if first is not None:
                yield format_sse(first)
            while True:
                try:
                    event = q.get(timeout=keepalive)
                except queue.Empty:
                    yield ": keepalive\n\n"
                    continue
                yield format_sse(event)
        finally:
            self.unsubscribe(q)


def format_sse(event: HubEvent) -> str:
    body = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event.kind}\ndata: {body}\n\n"
