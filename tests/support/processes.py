"""Real subprocesses for end-to-end tests: start, wait until healthy, kill, restart."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

LOG_TAIL_LINES = 40

# Health checks go straight to loopback; an http_proxy in the environment must not divert them.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

_live: weakref.WeakSet[ManagedProcess] = weakref.WeakSet()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on `host` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """Return the last `lines` lines of a text file, or a note if it cannot be read."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(log {path} unreadable: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def wait_until_gone(pid: int, timeout: float = 5.0) -> bool:
    """Whether `pid` ends within `timeout`; a zombie waiting for its reaper counts as gone."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


class ProcessStartError(RuntimeError):
    """A managed process exited or never became healthy while starting."""


class ManagedProcess:
    """A real subprocess in its own process group, with its output in a log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        log_path: str | Path | None = None,
        health_url: str | None = None,
        *,
        startup_timeout: float = 30.0,
        inherit_env: bool = True,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        # Variables in `env` are laid over the current environment unless inherit_env is False.
        self.env = dict(env or {})
        self.inherit_env = inherit_env
        self.cwd = Path(cwd) if cwd is not None else None
        self.log_path = (
            Path(log_path)
            if log_path is not None
            else Path(tempfile.gettempdir()) / f"chainpos-{name}-{os.getpid()}.log"
        )
        self.health_url = health_url
        self.startup_timeout = startup_timeout
        self._popen: subprocess.Popen[bytes] | None = None
        # Cleared once the group got SIGKILL, so a recycled pid is never signalled later.
        self._group_alive = False

    @property
    def pid(self) -> int | None:
        """The process id of the current run, if started."""
        return self._popen.pid if self._popen is not None else None

    @property
    def is_running(self) -> bool:
        """Whether the process has been started and has not exited."""
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """The exit status of the last run, or None while running or never started."""
        return self._popen.poll() if self._popen is not None else None

    def start(self) -> ManagedProcess:
        """Start the process and wait until its health URL answers 200."""
        if self.is_running:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        env = {**os.environ, **self.env} if self.inherit_env else dict(self.env)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"--- {self.name}: starting {self.argv!r}\n".encode())
            log.flush()
            self._popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=env,
                start_new_session=True,
            )
        self._group_alive = True
        _live.add(self)
        if self.health_url is not None:
            self.wait_healthy()
        return self

    def wait_healthy(self, timeout: float | None = None) -> None:
        """Poll the health URL until it answers 200; kill the process and raise if it never does."""
        if self.health_url is None:
            raise RuntimeError(f"{self.name} has no health URL")
        deadline = time.monotonic() + (timeout if timeout is not None else self.startup_timeout)
        last_problem = "no answer yet"
        while time.monotonic() < deadline:
            if not self.is_running:
                raise ProcessStartError(
                    f"{self.name} exited with status {self.returncode} while starting.\n"
                    f"{self._log_excerpt()}"
                )
            status = self._probe(self.health_url)
            if status == 200:
                return
            last_problem = f"last answer: {status}" if isinstance(status, int) else status
            time.sleep(0.1)
        self.kill()
        raise ProcessStartError(
            f"{self.name} did not answer 200 on {self.health_url} within "
            f"{timeout or self.startup_timeout:.0f}s ({last_problem}).\n{self._log_excerpt()}"
        )

    def kill(self) -> None:
        """Send SIGKILL to the whole process group and reap the process."""
        self._signal_group(signal.SIGKILL)
        if self._popen is not None:
            self._popen.wait()

    def terminate(self, grace: float = 5.0) -> None:
        """Send SIGTERM to the process group, then SIGKILL if it is still there after `grace`."""
        if not self.is_running:
            self._signal_group(signal.SIGKILL)  # children left behind by a dead leader
            return
        self._signal_group(signal.SIGTERM)
        assert self._popen is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=grace)
        self._signal_group(signal.SIGKILL)
        self._popen.wait()

    def restart(self, grace: float = 5.0) -> ManagedProcess:
        """Terminate the process if it runs, then start it again and wait until healthy."""
        self.terminate(grace)
        return self.start()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """Return the last lines of the process log."""
        return tail(self.log_path, lines)

    def __enter__(self) -> ManagedProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.terminate()

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.is_running else f"exited {self.returncode}"
        return f"<ManagedProcess {self.name} {state}>"

    def _signal_group(self, signum: signal.Signals) -> None:
        if self._popen is None or not self._group_alive:
            return
        # start_new_session made the child the leader of a group whose id is its pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, signum)
        if signum == signal.SIGKILL:
            self._group_alive = False

    def _log_excerpt(self) -> str:
        return f"Last lines of {self.log_path}:\n{self.log_tail()}"

    @staticmethod
    def _probe(url: str) -> int | str:
        try:
            with _NO_PROXY_OPENER.open(url, timeout=2.0) as response:
                status: int = response.status
                return status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, OSError) as exc:
            return f"{type(exc).__name__}: {exc}"


@atexit.register
def _kill_leftovers() -> None:
    for process in list(_live):
        process.kill()
