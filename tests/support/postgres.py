"""A private PostgreSQL 15 cluster for the test session, or a server named by the environment."""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from tests.support.processes import free_port, tail

PG_BIN_DIR = Path(os.environ.get("CHAINPOS_PG_BIN_DIR", "/usr/lib/postgresql/15/bin"))
EXTERNAL_URL_ENV = "CHAINPOS_TEST_PG_URL"
SERVER_USER = "postgres"
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "pgbench")
INSTALL_HINT = (
    "Install the server with `apt-get install postgresql-15` (Debian/Ubuntu), "
    f"or set {EXTERNAL_URL_ENV}=postgresql+psycopg://USER@HOST:PORT/postgres "
    "to use a server you already run."
)
DIR_PREFIX = "chainpos-pg-"
OWNER_FILE = "owner.pid"
START_ATTEMPTS = 3
START_TIMEOUT_S = 60

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """The test cluster cannot be started on this machine."""


def _progress(message: str) -> None:
    print(f"[chainpos-tests] postgres: {message}", file=sys.stderr, flush=True)


def unique_database_name(prefix: str = "t") -> str:
    """Return a fresh database name made safe for PostgreSQL (lower case, at most 63 bytes)."""
    stem = re.sub(r"[^a-z0-9_]+", "_", prefix.lower()).strip("_")[:40] or "t"
    if stem[0].isdigit():
        stem = f"t_{stem}"
    return f"{stem}_{uuid.uuid4().hex[:12]}"


class PostgresCluster:
    """A throwaway PostgreSQL server: initdb in a temp dir, run as the `postgres` user."""

    def __init__(
        self,
        *,
        durable: bool = False,
        max_connections: int = 200,
        bin_dir: Path = PG_BIN_DIR,
        external_url: str | None = None,
        extra_settings: Mapping[str, str] | None = None,
    ) -> None:
        self.durable = durable
        self.max_connections = max_connections
        self.bin_dir = bin_dir
        if external_url is None:
            external_url = os.environ.get(EXTERNAL_URL_ENV) or None
        self.external_url: URL | None = (
            make_url(external_url).set(drivername="postgresql+psycopg") if external_url else None
        )
        self.extra_settings = dict(extra_settings or {})
        self.base_dir: Path | None = None
        self.port: int | None = None
        self._started = False

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def is_external(self) -> bool:
        """Whether this cluster is a server given by CHAINPOS_TEST_PG_URL rather than our own."""
        return self.external_url is not None

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self._base() / "data"

    @property
    def log_path(self) -> Path:
        """The server log file."""
        return self._base() / "server.log"

    def start(self) -> PostgresCluster:
        """Start the server (or check the external one answers) and return self."""
        if self._started:
            return self
        if self.external_url is not None:
            _progress(f"using {self.external_url.render_as_string(hide_password=True)}")
            self._check_connects()
            self._started = True
            return self
        self._check_binaries()
        started_at = time.monotonic()
        reap_stale_clusters(self.bin_dir)
        self.base_dir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
        (self.base_dir / OWNER_FILE).write_text(f"{os.getpid()}\n")
        atexit.register(self.stop)
        try:
            self._hand_to_server_user(self.base_dir)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        self._started = True
        _progress(
            f"ready on 127.0.0.1:{self.port} in {time.monotonic() - started_at:.1f}s "
            f"({'durable' if self.durable else 'fsync off'}, dir {self.base_dir})"
        )
        return self

    def stop(self) -> None:
        """Shut the server down fast and remove its directory; an external server is left alone."""
        self._started = False
        if self.base_dir is None:
            return
        base, self.base_dir = self.base_dir, None
        atexit.unregister(self.stop)
        _progress(f"stopping 127.0.0.1:{self.port}")
        _stop_and_remove(base, self.bin_dir, mode="fast")

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """The SQLAlchemy URL of `dbname` on this server, with the psycopg 3 driver."""
        return self._url(dbname).render_as_string(hide_password=False)

    def conninfo(self, dbname: str = "postgres") -> str:
        """A libpq URI for `dbname`, for psycopg or command-line tools."""
        return self._url(dbname).set(drivername="postgresql").render_as_string(hide_password=False)

    def create_database(self, name: str, *, template: str = "template0") -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        _check_name(name)
        # template0 copies no local additions; FILE_COPY skips WAL-logging every block.
        self._admin(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still connected to it."""
        _check_name(name)
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def pgbench(
        self, args: Sequence[str], *, timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run pgbench against this server; pass the database name as the last argument."""
        binary = self.bin_dir / "pgbench"
        if not binary.exists():
            found = shutil.which("pgbench")
            if found is None:
                raise PostgresUnavailable(f"pgbench not found in {self.bin_dir}. {INSTALL_HINT}")
            binary = Path(found)
        return subprocess.run(
            [str(binary), *args],
            env={**os.environ, **self._libpq_env()},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    # -- internals ---------------------------------------------------------------------------

    def _base(self) -> Path:
        if self.base_dir is None:
            raise RuntimeError("the cluster has no directory: it is external or not started")
        return self.base_dir

    def _url(self, dbname: str) -> URL:
        if self.external_url is not None:
            return self.external_url.set(database=dbname)
        if self.port is None:
            raise RuntimeError("the cluster is not started")
        return URL.create(
            "postgresql+psycopg",
            username=SERVER_USER,
            host="127.0.0.1",
            port=self.port,
            database=dbname,
        )

    def _libpq_env(self) -> dict[str, str]:
        url = self._url("postgres")
        env = {"PGHOST": url.host or "127.0.0.1", "PGUSER": url.username or SERVER_USER}
        if url.port is not None:
            env["PGPORT"] = str(url.port)
        if url.password is not None:
            env["PGPASSWORD"] = str(url.password)
        return env

    def _maintenance_db(self) -> str:
        if self.external_url is not None and self.external_url.database:
            return self.external_url.database
        return "postgres"

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.conninfo(self._maintenance_db()), autocommit=True) as conn:
            conn.execute(statement)

    def _check_connects(self) -> None:
        try:
            with psycopg.connect(self.conninfo(self._maintenance_db()), connect_timeout=10) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            raise PostgresUnavailable(f"{EXTERNAL_URL_ENV} does not answer: {exc}") from exc

    def _check_binaries(self) -> None:
        missing = [name for name in REQUIRED_BINARIES if not (self.bin_dir / name).exists()]
        if missing:
            raise PostgresUnavailable(
                f"PostgreSQL 15 binaries missing from {self.bin_dir}: {', '.join(missing)}. "
                f"{INSTALL_HINT}"
            )
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root, and initdb/postgres refuse root, but there is no "
                    f"`{SERVER_USER}` user to run them as. {INSTALL_HINT}"
                ) from None

    def _hand_to_server_user(self, base: Path) -> None:
        if os.geteuid() != 0:
            return
        user = pwd.getpwnam(SERVER_USER)
        os.chown(base, user.pw_uid, user.pw_gid)
        probe = self._run_as_server_user(["test", "-w", str(base)], check=False)
        if probe.returncode != 0:
            raise PostgresUnavailable(
                f"the `{SERVER_USER}` user cannot write to {base}: a parent directory is not "
                "traversable by it. Point TMPDIR at a world-traversable directory such as /tmp."
            )

    def _initdb(self) -> None:
        _progress(f"initdb in {self.data_dir}")
        self._run_as_server_user(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SERVER_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# chainpos test cluster\n")
            for key, value in self._settings().items():
                conf.write(f"{key} = {value}\n")

    def _settings(self) -> dict[str, str]:
        durability = "on" if self.durable else "off"
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self._base()}'",
            "max_connections": str(self.max_connections),
            "fsync": durability,
            "synchronous_commit": durability,
            "full_page_writes": durability,
            "logging_collector": "off",
            "log_min_messages": "warning",
        }
        settings.update(self.extra_settings)
        return settings

    def _start_server(self) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            # Another process can take a free port before the server binds it: pick again.
            self.port = free_port()
            _progress(f"starting on 127.0.0.1:{self.port} (log {self.log_path})")
            result = self._run_as_server_user(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_path),
                    "-o",
                    f"-p {self.port}",
                    "-w",
                    "-t",
                    str(START_TIMEOUT_S),
                ],
                check=False,
            )
            if result.returncode == 0:
                return
            _progress(f"start attempt {attempt} failed")
        raise PostgresUnavailable(
            f"postgres did not start after {START_ATTEMPTS} attempts.\n"
            f"pg_ctl said: {result.stdout}{result.stderr}\n"
            f"Last lines of {self.log_path}:\n{tail(self.log_path)}"
        )

    def _run_as_server_user(
        self, argv: list[str], *, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = _run_as_server_user(argv, cwd=self.base_dir)
        if check and result.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(argv)} failed with status {result.returncode}:\n"
                f"{result.stdout}{result.stderr}"
            )
        return result


def reap_stale_clusters(bin_dir: Path = PG_BIN_DIR) -> None:
    """Stop clusters left behind by test sessions that were killed before they could clean up."""
    for base in Path(tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        try:
            owner = int((base / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue  # not ours, or still being set up
        if _pid_alive(owner):
            continue
        _progress(f"removing a cluster left by dead session {owner}: {base}")
        _stop_and_remove(base, bin_dir, mode="immediate")


def _stop_and_remove(base: Path, bin_dir: Path, *, mode: str) -> None:
    data = base / "data"
    if (data / "postmaster.pid").exists():
        result = _run_as_server_user(
            [str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", mode, "-w", "-t", "30"],
            cwd=base,
        )
        if result.returncode != 0:
            _kill_postmaster(data)
    shutil.rmtree(base, ignore_errors=True)


def _kill_postmaster(data: Path) -> None:
    try:
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        # The pid file can be stale and its pid reused: signal only our own postmaster.
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if str(data).encode() not in cmdline:
            return
        os.kill(pid, signal.SIGQUIT)  # immediate shutdown; the backends follow the postmaster
    except (OSError, ValueError, IndexError):
        pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_as_server_user(argv: list[str], *, cwd: Path | None) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        argv = ["runuser", "-u", SERVER_USER, "--", *argv]
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd or "/",
        stdin=subprocess.DEVNULL,
    )


def _check_name(name: str) -> None:
    if not _DB_NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
