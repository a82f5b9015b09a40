"""A managed process starts, answers its health URL, dies when killed and comes back."""

from __future__ import annotations

import socket
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import (
    ManagedProcess,
    ProcessStartError,
    free_port,
    wait_until_gone,
)


def _http_server(tmp_path: Path, port: int) -> ManagedProcess:
    (tmp_path / "www").mkdir(exist_ok=True)
    (tmp_path / "www" / "health").write_text("ok\n")
    return ManagedProcess(
        name="http-server",
        argv=[sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        env={"PYTHONUNBUFFERED": "1"},
        cwd=tmp_path / "www",
        log_path=tmp_path / "http-server.log",
        health_url=f"http://127.0.0.1:{port}/health",
        startup_timeout=20,
    )


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_start_waits_until_healthy_then_kill_stops_it(tmp_path: Path) -> None:
    port = free_port()
    server = _http_server(tmp_path, port)

    server.start()
    try:
        assert server.is_running
        assert _answers(f"http://127.0.0.1:{port}/health")
    finally:
        server.kill()

    assert not server.is_running
    assert server.returncode == -9
    assert not _answers(f"http://127.0.0.1:{port}/health")


def test_restart_after_kill_serves_again_on_the_same_port(tmp_path: Path) -> None:
    port = free_port()
    with _http_server(tmp_path, port) as server:
        first_pid = server.pid
        server.kill()

        server.restart()

        assert server.is_running
        assert server.pid != first_pid
        assert _answers(f"http://127.0.0.1:{port}/health")
    assert not server.is_running
    assert "GET /health" in server.log_tail()


def test_terminate_stops_the_whole_process_group(tmp_path: Path) -> None:
    # The shell leaves a child behind; SIGTERM to the group must reach it too.
    child_pid_file = tmp_path / "child.pid"
    process = ManagedProcess(
        name="family",
        argv=["sh", "-c", f"sleep 300 & echo $! > {child_pid_file}; wait"],
        log_path=tmp_path / "family.log",
    ).start()
    for _ in range(100):
        if child_pid_file.exists() and child_pid_file.read_text().strip():
            break
        time.sleep(0.05)
    child_pid = int(child_pid_file.read_text())

    process.terminate(grace=5)

    assert not process.is_running
    assert wait_until_gone(child_pid)


def test_a_process_that_exits_early_reports_its_log(tmp_path: Path) -> None:
    process = ManagedProcess(
        name="doomed",
        argv=[sys.executable, "-c", "print('bad config: no DATABASE_URL'); raise SystemExit(3)"],
        log_path=tmp_path / "doomed.log",
        health_url=f"http://127.0.0.1:{free_port()}/health",
        startup_timeout=20,
    )

    with pytest.raises(ProcessStartError, match="no DATABASE_URL") as failure:
        process.start()

    assert "status 3" in str(failure.value)


def test_a_process_that_never_gets_healthy_is_killed_with_its_log_shown(tmp_path: Path) -> None:
    process = ManagedProcess(
        name="silent",
        argv=[sys.executable, "-c", "import time; print('warming up', flush=True); time.sleep(60)"],
        log_path=tmp_path / "silent.log",
        health_url=f"http://127.0.0.1:{free_port()}/health",
        startup_timeout=1,
    )

    with pytest.raises(ProcessStartError, match="warming up"):
        process.start()

    assert not process.is_running
