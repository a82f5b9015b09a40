"""The UnifiedPOS device lifecycle (open, claim, enable, disable, release, close), status events."""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from devices.errors import IllegalStateError

log = logging.getLogger(__name__)


class DeviceState(enum.Enum):
    CLOSED = "closed"
    OPENED = "opened"
    CLAIMED = "claimed"
    ENABLED = "enabled"


class Health(enum.Enum):
    """What the device last said about itself; UNKNOWN is kept apart from OFFLINE."""

    ONLINE = "online"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """Something changed on a device: its lifecycle state, its health or a fault."""

    device: str
    status: str
    detail: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


StatusListener = Callable[[StatusEvent], None]


class Device:
    """Lifecycle bookkeeping shared by every port; subclasses override the `_on_*` hooks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._state = DeviceState.CLOSED
        self._listeners: list[StatusListener] = []
        self._lifecycle_lock = threading.RLock()

    @property
    def state(self) -> DeviceState:
        return self._state

    def add_status_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def emit(self, status: str, detail: str = "") -> None:
        """Tell every listener; a failing listener never breaks the device."""
        event = StatusEvent(self.name, status, detail)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the driver thread
                log.exception("status listener failed for %s", self.name)

    def open(self) -> None:
        self._transition(DeviceState.CLOSED, DeviceState.OPENED, self._on_open)

    def claim(self) -> None:
        self._transition(DeviceState.OPENED, DeviceState.CLAIMED, self._on_claim)

    def enable(self) -> None:
        self._transition(DeviceState.CLAIMED, DeviceState.ENABLED, self._on_enable)

    def disable(self) -> None:
        self._transition(DeviceState.ENABLED, DeviceState.CLAIMED, self._on_disable)

    def release(self) -> None:
        self._transition(DeviceState.CLAIMED, DeviceState.OPENED, self._on_release)

    def close(self) -> None:
        """Walk back down from whatever state the device is in; closing twice is harmless."""
        with self._lifecycle_lock:
            if self._state is DeviceState.ENABLED:
                self.disable()
            if self._state is DeviceState.CLAIMED:
                self.release()
            if self._state is DeviceState.OPENED:
                self._transition(DeviceState.OPENED, DeviceState.CLOSED, self._on_close)

    def start(self) -> None:
        """Open, claim and enable in one go: what a till does at start-up."""
        self.open()
        self.claim()
        self.enable()

    def require_enabled(self) -> None:
        if self._state is not DeviceState.ENABLED:
            raise IllegalStateError(f"{self.name} is {self._state.value}, not enabled")

    def _transition(
        self, expected: DeviceState, target: DeviceState, hook: Callable[[], None]
    ) -> None:
        with self._lifecycle_lock:
            if self._state is not expected:
                raise IllegalStateError(
                    f"{self.name}: cannot go to {target.value} from {self._state.value}"
                )
            hook()
            self._state = target
            self._entered(target)
        self.emit(target.value)

    def _entered(self, state: DeviceState) -> None:
        """Called once the device is in `state` (e.g. to report what is there on enable)."""

    def _on_open(self) -> None:
        """Find the device's configuration and driver; no exclusive access yet."""

    def _on_claim(self) -> None:
        """Take exclusive access to the hardware."""

    def _on_enable(self) -> None:
        """Start delivering data and events."""

    def _on_disable(self) -> None:
        """Stop delivering data and events."""

    def _on_release(self) -> None:
        """Give up exclusive access."""

    def _on_close(self) -> None:
        """Free everything."""
