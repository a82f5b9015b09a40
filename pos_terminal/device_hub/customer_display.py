"""What the customer sees: the current line, the total, and the member once identified.

The same view drives the 2x20 pole display and the customer-facing web page.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from devices.errors import DeviceError
from devices.ports import LineDisplay
from loyalty.members import mask_mobile
from pos_terminal.device_hub.event_stream import EventBroker, HubEvent
from retail.money import format_minor

#: Mainland mobile numbers, masked wherever they would reach the customer's screen.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

log = logging.getLogger(__name__)
POLE_WIDTH = 20


@dataclass(frozen=True, slots=True)
class DisplayView:
    """Amounts in fen; `member_*` are None until a member is identified."""

    line_name: str = ""
    line_qty: str = ""
    line_amount: int | None = None
    total: int = 0
    member_name: str | None = None
    member_points: int | None = None
    member_balance: int | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc["line_amount_text"] = (
            None if self.line_amount is None else format_minor(self.line_amount)
        )
        doc["total_text"] = format_minor(self.total)
        doc["member_balance_text"] = (
            None if self.member_balance is None else format_minor(self.member_balance)
        )
        return doc


def _row(left: str, right: str) -> str:
    left = left[: max(POLE_WIDTH - len(right) - 1, 0)]
    return left + " " * max(POLE_WIDTH - len(left) - len(right), 1) + right


def pole_lines(view: DisplayView) -> tuple[str, str]:
    """Two 20-character lines; pole displays are ASCII, so the names there are what fits."""
    if view.message:
        top = view.message
    elif view.line_amount is not None:
        name = view.line_name.encode("ascii", errors="ignore").decode().strip() or "Item"
        top = _row(name, format_minor(view.line_amount))
    else:
        top = "Welcome"
    if view.member_points is not None and view.line_amount is None:
        bottom = _row(f"Pts {view.member_points}", format_minor(view.member_balance or 0))
    else:
        bottom = _row("TOTAL", format_minor(view.total))
    return top[:POLE_WIDTH], bottom[:POLE_WIDTH]


class CustomerDisplay:
    """Holds the current view and pushes every change to the pole and the web page."""

    def __init__(self, pole: LineDisplay | None, broker: EventBroker) -> None:
        self.pole = pole
        self.broker = broker
        self._view = DisplayView()
        self._lock = threading.Lock()

    @property
    def view(self) -> DisplayView:
        with self._lock:
            return self._view

    def show_line(self, name: str, qty: str, amount: int, total: int) -> None:
        self._update(line_name=name, line_qty=qty, line_amount=amount, total=total, message="")

    def show_total(self, total: int) -> None:
        self._update(line_amount=None, line_name="", line_qty="", total=total, message="")

    def show_member(self, name: str, points: int, balance: int) -> None:
        """Show the member; a mobile number in `name` is masked (138****8000) first."""
        masked = _MOBILE.sub(lambda m: mask_mobile(m.group()), name)
        self._update(member_name=masked, member_points=points, member_balance=balance)

    def show_message(self, message: str) -> None:
        self._update(message=message)

    def clear(self) -> None:
        with self._lock:
            self._view = DisplayView()
        self._push()

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._view = dataclasses.replace(self._view, **changes)
        self._push()

    def _push(self) -> None:
        view = self.view
        self.broker.publish(HubEvent("display", view.to_json()))
        if self.pole is not None:
            try:
                self.pole.show(*pole_lines(view))
            except DeviceError as error:  # the pole is a nicety: never stop a sale for it
                log.warning("pole display: %s", error)
