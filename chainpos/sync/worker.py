"""A background thread that runs sync tasks on an interval, backing off on failure."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class SyncTask:
    """Something to run every `interval` seconds; failures back off exponentially."""

    name: str
    run: Callable[[], object]
    interval: float = 1.0
    max_backoff: float = 30.0
    failures: int = 0
    next_due: float = 0.0
    last_error: str | None = field(default=None)

    def delay_after_failure(self, rng: random.Random) -> float:
        base = min(self.max_backoff, self.interval * (2 ** min(self.failures, 10)))
        return base * rng.uniform(0.5, 1.5)  # jitter so tiers do not retry in lockstep


class SyncWorker:
    """Runs sync tasks in a daemon thread until `stop()`; restart-safe by construction."""

    def __init__(self, tasks: list[SyncTask], *, seed: int | None = None):
        self.tasks = tasks
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._rng = random.Random(seed)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="chainpos-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def nudge(self) -> None:
        """Run due work now (e.g. right after a sale was written to the outbox)."""
        for task in self.tasks:
            if task.failures == 0:
                task.next_due = 0.0
        self._wake.set()

    def _loop(self) -> None:
        import time

        while not self._stop.is_set():
            now = time.monotonic()
            for task in self.tasks:
                if self._stop.is_set():
                    return
                if now < task.next_due:
                    continue
                try:
                    task.run()
                except Exception as err:
                    task.failures += 1
                    task.last_error = f"{err.__class__.__name__}: {err}"
                    task.next_due = time.monotonic() + task.delay_after_failure(self._rng)
                    log.warning("sync task %s failed (%d): %s", task.name, task.failures, err)
                else:
                    task.failures = 0
                    task.last_error = None
                    task.next_due = time.monotonic() + task.interval
            soonest = min((t.next_due for t in self.tasks), default=time.monotonic() + 1)
            self._wake.wait(max(0.05, soonest - time.monotonic()))
            self._wake.clear()
