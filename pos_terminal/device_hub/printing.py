"""PrintSpooler: journal every job, send it, check the printer after, reprint what was lost."""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass

from devices.errors import DeviceOfflineError
from devices.lifecycle import Health
from devices.ports import ReceiptPrinter
from devices.printer_status import PrinterStatus
from devices.receipt_layout import build_receipt_bytes, build_test_page_bytes
from pos_terminal.device_hub.journal import DeviceJournal, JobStatus, PrintJob
from pos_terminal.device_hub.receipt_codec import receipt_from_json, receipt_to_json
from retail.receipt import Receipt

log = logging.getLogger(__name__)

RECEIPT_JOB = "receipt"
TEST_PAGE_JOB = "test-page"


@dataclass(frozen=True, slots=True)
class PrintOutcome:
    """What happened to one job on this attempt."""

    job_id: str
    status: JobStatus
    copy_no: int
    before: PrinterStatus
    after: PrinterStatus | None
    error: str = ""

    @property
    def printed(self) -> bool:
        return self.status is JobStatus.DONE


def _blocking_fault(status: PrinterStatus) -> str:
    """Why the printer cannot take a job now; "" when it can (or cannot say)."""
    if status.health is Health.OFFLINE and status.paper_out is None:
        return "printer offline"
    if status.paper_out:
        return "paper out"
    if status.cover_open:
        return "cover open"
    if status.health is Health.OFFLINE:
        return "printer offline"
    return ""


class PrintSpooler:
    """One printer's jobs. Safe to call from request threads and the recovery thread."""

    def __init__(self, printer: ReceiptPrinter, journal: DeviceJournal) -> None:
        self.printer = printer
        self.journal = journal
        self._lock = threading.Lock()

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        """Record the receipt's job durably, then try to print it once."""
        job = self.journal.record_job(RECEIPT_JOB, receipt.receipt_no, receipt_to_json(receipt))
        return self._attempt(job)

    def print_test_page(self) -> PrintOutcome:
        job = self.journal.record_job(TEST_PAGE_JOB, "test", "")
        return self._attempt(job)

    def recover(self) -> list[PrintOutcome]:
        """Retry every open job, oldest first; stop at the first that still cannot print."""
        outcomes: list[PrintOutcome] = []
        for job in self.journal.open_jobs():
            outcome = self._attempt(job)
            outcomes.append(outcome)
            if not outcome.printed:
                break
        return outcomes

    def pending(self) -> list[PrintJob]:
        return self.journal.open_jobs()

    def _attempt(self, job: PrintJob) -> PrintOutcome:
        with self._lock:
            job = self.journal.job(job.id)  # another thread may have finished it meanwhile
            if job.status is JobStatus.DONE:
                return PrintOutcome(
                    job.id, job.status, job.copies, self.printer.check_status(), None
                )
            before = self.printer.check_status()
            fault = _blocking_fault(before)
            if fault:
                status = (
                    JobStatus.INTERRUPTED
                    if job.status is JobStatus.INTERRUPTED
                    else JobStatus.WAITING
                )
                self.journal.mark(job.id, status, fault)
                return PrintOutcome(job.id, status, job.copies, before, None, fault)
            copy_no = job.copies + 1 if job.status is JobStatus.INTERRUPTED else job.copies
            data = self._job_bytes(job, copy_no)
            self.journal.mark_sending(job.id, copy_no)
            try:
                self.printer.print_bytes(data)
            except DeviceOfflineError as error:
                self.journal.mark(job.id, JobStatus.INTERRUPTED, str(error))
                return PrintOutcome(
                    job.id, JobStatus.INTERRUPTED, copy_no, before, None, str(error)
                )
            after = self.printer.check_status()
            fault = _blocking_fault(after)
            if fault:
                # The printer stopped during or right after the job: the paper may be short.
                self.journal.mark(job.id, JobStatus.INTERRUPTED, fault)
                log.warning("print job %s interrupted: %s", job.id, fault)
                return PrintOutcome(job.id, JobStatus.INTERRUPTED, copy_no, before, after, fault)
            self.journal.mark(job.id, JobStatus.DONE)
            return PrintOutcome(job.id, JobStatus.DONE, copy_no, before, after)

    def _job_bytes(self, job: PrintJob, copy_no: int) -> bytes:
        layout = self.printer.layout
        if job.kind == TEST_PAGE_JOB:
            return build_test_page_bytes(layout)
        receipt = receipt_from_json(job.payload)
        if copy_no:
            receipt = dataclasses.replace(receipt, copy_no=receipt.copy_no + copy_no)
        return build_receipt_bytes(receipt, layout)
