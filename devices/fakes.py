"""In-memory devices for unit tests of the till; they keep what they were asked to do."""

from __future__ import annotations

from devices.errors import DeviceOfflineError
from devices.events import CardEvent, CardEventKind, MemberCard
from devices.lifecycle import Health
from devices.ports import CardReader, CashDrawer, LineDisplay, ReceiptPrinter, Scanner
from devices.printer_status import PrinterStatus
from devices.receipt_layout import ReceiptLayout


class FakeReceiptPrinter(ReceiptPrinter):
    """Collects jobs; `fail_next` / `status` let a test play unplug and paper-out."""

    def __init__(self, name: str = "printer", layout: ReceiptLayout | None = None) -> None:
        super().__init__(name)
        self.layout = layout or ReceiptLayout()
        self.jobs: list[bytes] = []
        self.kicks: list[int] = []
        self.status = PrinterStatus(
            Health.ONLINE,
            cover_open=False,
            paper_near_end=False,
            paper_out=False,
            error=False,
            drawer_pin3_high=False,
        )
        self.offline = False
        self.paper_runs_out_during_next_job = False

    def print_bytes(self, data: bytes) -> None:
        self.require_enabled()
        if self.offline:
            raise DeviceOfflineError(f"{self.name} unplugged")
        self.jobs.append(data)
        if self.paper_runs_out_during_next_job:
            self.paper_runs_out_during_next_job = False
            self.run_out_of_paper()

    def check_status(self) -> PrinterStatus:
        if self.offline:
            return PrinterStatus(Health.OFFLINE)
        return self.status

    def kick_drawer(self, pin: int) -> None:
        self.require_enabled()
        if self.offline:
            raise DeviceOfflineError(f"{self.name} unplugged")
        self.kicks.append(pin)

    def run_out_of_paper(self) -> None:
        self.status = PrinterStatus(
            Health.OFFLINE,
            cover_open=False,
            paper_near_end=True,
            paper_out=True,
            error=False,
            drawer_pin3_high=self.status.drawer_pin3_high,
        )

    def load_paper(self) -> None:
        self.status = PrinterStatus(
            Health.ONLINE,
            cover_open=False,
            paper_near_end=False,
            paper_out=False,
            error=False,
            drawer_pin3_high=self.status.drawer_pin3_high,
        )


class FakeCashDrawer(CashDrawer):
    def __init__(self, name: str = "drawer") -> None:
        super().__init__(name)
        self.opened = 0
        self.drawer_open: bool | None = False

    def open_drawer(self) -> None:
        self.require_enabled()
        self.opened += 1
        self.drawer_open = True

    def is_open(self) -> bool | None:
        return self.drawer_open


class FakeScanner(Scanner):
    def scan(self, data: str) -> None:
        """Pretend a barcode was read."""
        self.deliver(data)


class FakeCardReader(CardReader):
    def __init__(self, name: str = "card-reader", reader: str = "Fake Reader 00 00") -> None:
        super().__init__(name)
        self.reader = reader
        self.card: MemberCard | None = None

    def insert(self, member_id: str | None = None, uid: str | None = None) -> MemberCard:
        self.card = MemberCard(self.reader, "3B00", uid=uid, member_id=member_id)
        self.deliver(CardEvent(CardEventKind.INSERTED, self.reader, self.card))
        return self.card

    def remove(self) -> None:
        card, self.card = self.card, None
        self.deliver(CardEvent(CardEventKind.REMOVED, self.reader, card))

    def current_card(self) -> MemberCard | None:
        return self.card


class FakeLineDisplay(LineDisplay):
    def __init__(self, name: str = "pole") -> None:
        super().__init__(name)
        self.screens: list[tuple[str, str]] = []

    def show(self, top: str, bottom: str) -> None:
        self.require_enabled()
        self.screens.append((top, bottom))
