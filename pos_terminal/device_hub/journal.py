"""DeviceJournal: the durable record of print jobs and drawer kicks on the till (SQLite).

A job is written (and fsynced) before its first byte goes to the printer and marked done
only after the printer says it is fine afterwards, so a crash, an unplug or a paper-out
at any point leaves a job that the hub finds and reprints.
"""

from __future__ import annotations

import enum
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pos_terminal.device_hub.errors import UnknownPrintJobError

SCHEMA = """
CREATE TABLE IF NOT EXISTS device_print_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    document_no TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    copies INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS device_print_jobs_open
    ON device_print_jobs (status, created_at);
CREATE TABLE IF NOT EXISTS device_drawer_kicks (
    id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    document_no TEXT NOT NULL DEFAULT '',
    staff TEXT NOT NULL,
    authorised_by TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
"""


class JobStatus(enum.Enum):
    QUEUED = "queued"  # recorded, nothing sent yet
    SENDING = "sending"  # bytes are on their way: a crash now means the paper may be partial
    WAITING = "waiting"  # the printer could not take it; nothing was sent
    INTERRUPTED = "interrupted"  # something may be on paper: reprint as a COPY
    DONE = "done"


OPEN_STATUSES = (JobStatus.QUEUED, JobStatus.WAITING, JobStatus.INTERRUPTED)


class KickReason(enum.Enum):
    CASH_SALE = "cash_sale"
    NO_SALE = "no_sale"
    TEST = "test"


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: str
    kind: str
    document_no: str
    payload: str
    status: JobStatus
    copies: int
    attempts: int
    last_error: str
    created_at: str
    done_at: str | None


@dataclass(frozen=True, slots=True)
class DrawerKick:
    id: str
    reason: KickReason
    document_no: str
    staff: str
    authorised_by: str
    outcome: str
    detail: str
    at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def sqlite_path(url_or_path: str | Path) -> str:
    """Accept a plain path or an SQLAlchemy-style sqlite:/// URL."""
    text = str(url_or_path)
    if text.startswith("sqlite:///"):
        return text.removeprefix("sqlite:///")
    if text.startswith("sqlite://"):
        return ":memory:"
    return text


class DeviceJournal:
    """Print jobs and drawer kicks in `device_*` tables of the till's SQLite database."""

    def __init__(self, database: str | Path) -> None:
        self.path = sqlite_path(database)
        self._lock = threading.Lock()
        self._memory: sqlite3.Connection | None = None
        if self.path == ":memory:":
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._memory or sqlite3.connect(self.path, timeout=10)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                with db:  # one transaction, committed on success
                    yield db
            finally:
                if self._memory is None:
                    db.close()

    def record_job(self, kind: str, document_no: str, payload: str) -> PrintJob:
        job_id = uuid.uuid4().hex
        now = _now()
        with self._connect() as db:
            db.execute(
                "INSERT INTO device_print_jobs (id, kind, document_no, payload, status,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (job_id, kind, document_no, payload, JobStatus.QUEUED.value, now, now),
            )
        return self.job(job_id)

    def job(self, job_id: str) -> PrintJob:
        with self._connect() as db:
            row = db.execute(_SELECT_JOB + " WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise UnknownPrintJobError(f"no print job {job_id}")
        return _job(row)

    def jobs(self, *statuses: JobStatus) -> list[PrintJob]:
        """Jobs in any of `statuses` (all when none given), oldest first."""
        query = _SELECT_JOB
        params: tuple[str, ...] = ()
        if statuses:
            query += f" WHERE status IN ({', '.join('?' for _ in statuses)})"
            params = tuple(s.value for s in statuses)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY created_at, id", params).fetchall()
        return [_job(row) for row in rows]

    def open_jobs(self) -> list[PrintJob]:
        return self.jobs(*OPEN_STATUSES)

    def mark_sending(self, job_id: str, copies: int) -> None:
        self._update(job_id, JobStatus.SENDING, copies=copies, attempt=True)

    def mark(self, job_id: str, status: JobStatus, error: str = "") -> None:
        self._update(job_id, status, error=error)

    def recover_after_restart(self) -> int:
        """Jobs caught mid-send by a till crash may be half on paper: they become COPY reprints."""
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE device_print_jobs SET status = ?, last_error = ?, updated_at = ?"
                " WHERE status = ?",
                (
                    JobStatus.INTERRUPTED.value,
                    "till restarted while sending",
                    _now(),
                    JobStatus.SENDING.value,
                ),
            )
            return cursor.rowcount

    def _update(
        self,
        job_id: str,
        status: JobStatus,
        *,
        copies: int | None = None,
        error: str = "",
        attempt: bool = False,
    ) -> None:
        now = _now()
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE device_print_jobs SET status = ?, updated_at = ?, last_error = ?,"
                " copies = COALESCE(?, copies), attempts = attempts + ?,"
                " done_at = CASE WHEN ? = 'done' THEN ? ELSE done_at END WHERE id = ?",
                (status.value, now, error, copies, int(attempt), status.value, now, job_id),
            )
            if cursor.rowcount != 1:
                raise UnknownPrintJobError(f"no print job {job_id}")

    def record_kick(
        self,
        reason: KickReason,
        staff: str,
        outcome: str,
        *,
        document_no: str = "",
        authorised_by: str = "",
        detail: str = "",
    ) -> DrawerKick:
        kick = DrawerKick(
            uuid.uuid4().hex, reason, document_no, staff, authorised_by, outcome, detail, _now()
        )
        with self._connect() as db:
            db.execute(
                "INSERT INTO device_drawer_kicks (id, reason, document_no, staff, authorised_by,"
                " outcome, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kick.id,
                    reason.value,
                    document_no,
                    staff,
                    authorised_by,
                    outcome,
                    detail,
                    kick.at,
                ),
            )
        return kick

    def kicks(self) -> list[DrawerKick]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, reason, document_no, staff, authorised_by, outcome, detail, at"
                " FROM device_drawer_kicks ORDER BY at, id"
            ).fetchall()
        return [DrawerKick(r[0], KickReason(r[1]), *r[2:]) for r in rows]


_SELECT_JOB = (
    "SELECT id, kind, document_no, payload, status, copies, attempts, last_error,"
    " created_at, done_at FROM device_print_jobs"
)


def _job(row: tuple[Any, ...]) -> PrintJob:
    return PrintJob(
        id=str(row[0]),
        kind=str(row[1]),
        document_no=str(row[2]),
        payload=str(row[3]),
        status=JobStatus(row[4]),
        copies=int(row[5]),
        attempts=int(row[6]),
        last_error=str(row[7]),
        created_at=str(row[8]),
        done_at=None if row[9] is None else str(row[9]),
    )
