"""Bytes pass through the fault proxy until it is cut, and again once it is restored."""

from __future__ import annotations

import contextlib
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.fault_proxy import FaultProxy, Mode
from tests.support.processes import free_port

REPO_ROOT = Path(__file__).resolve().parents[3]


class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        # A cut resets the proxy's upstream side too; that is expected here.
        with contextlib.suppress(ConnectionError):
            while data := self.request.recv(65536):
                self.request.sendall(data)


class _EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = _EchoServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy(echo_port: int) -> Iterator[FaultProxy]:
    with FaultProxy(0, "127.0.0.1", echo_port) as running:
        yield running


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def _echo(sock: socket.socket, payload: bytes) -> bytes:
    sock.sendall(payload)
    received = b""
    while len(received) < len(payload):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def _round_trip(port: int, payload: bytes) -> bytes:
    with _connect(port) as sock:
        return _echo(sock, payload)


def _echo_or_nothing(sock: socket.socket, payload: bytes) -> bytes:
    """Echo, or b"" when the link is gone: a cut shows up as EOF or as a reset."""
    try:
        return _echo(sock, payload)
    except ConnectionError:
        return b""


def _link_is_broken(port: int) -> bool:
    try:
        sock = _connect(port)
    except ConnectionError:
        return True
    with sock:
        return _echo_or_nothing(sock, b"anyone there?") == b""


def _eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_bytes_pass_both_ways(proxy: FaultProxy) -> None:
    payload = bytes(range(256)) * 1024

    assert _round_trip(proxy.port, payload) == payload
    # The proxy counts a chunk after sending it, so the client may be a moment ahead.
    assert _eventually(lambda: proxy.stats.bytes_to_client == len(payload))
    stats = proxy.stats
    assert stats.accepted == 1
    assert stats.bytes_to_target == len(payload)


def test_cut_breaks_live_connections(proxy: FaultProxy) -> None:
    sock = _connect(proxy.port)
    assert _echo(sock, b"before") == b"before"

    proxy.cut()

    with sock:
        assert _echo_or_nothing(sock, b"after") == b""


def test_cut_refuses_new_connections(proxy: FaultProxy) -> None:
    proxy.cut()

    assert _link_is_broken(proxy.port)
    assert proxy.stats.refused >= 1
    assert proxy.mode is Mode.CUT


def test_restore_after_cut_forwards_again(proxy: FaultProxy) -> None:
    proxy.cut()
    assert _link_is_broken(proxy.port)

    proxy.restore()

    assert _round_trip(proxy.port, b"back again") == b"back again"


def test_blackhole_holds_connections_open_but_delivers_nothing(proxy: FaultProxy) -> None:
    proxy.blackhole()

    with _connect(proxy.port) as sock:
        sock.settimeout(0.3)
        sock.sendall(b"into the void")
        with pytest.raises(TimeoutError):
            sock.recv(100)

    proxy.restore()
    assert _round_trip(proxy.port, b"heard") == b"heard"


def test_latency_slows_round_trips_without_losing_bytes(proxy: FaultProxy) -> None:
    # Only correctness is asserted here; the delay itself is printed, not tested.
    proxy.set_latency(50)

    started = time.perf_counter()
    assert _round_trip(proxy.port, b"slow") == b"slow"
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"round trip with 50 ms each way: {elapsed_ms:.0f} ms")

    proxy.set_latency(0)
    assert _round_trip(proxy.port, b"fast") == b"fast"


def test_unreachable_target_resets_the_client() -> None:
    # A port bound but not listening refuses connections. A merely free port would not do:
    # a connect to a free port in the ephemeral range can, rarely, connect to itself.
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        with FaultProxy(0, "127.0.0.1", reserved.getsockname()[1]) as proxy:
            assert _link_is_broken(proxy.port)
            assert proxy.stats.upstream_failures == 1


def test_refuses_non_loopback_addresses() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy(0, "192.0.2.10", 80)


def test_stop_closes_every_connection(echo_port: int) -> None:
    proxy = FaultProxy(0, "127.0.0.1", echo_port).start()
    sock = _connect(proxy.port)
    assert _echo(sock, b"hi") == b"hi"

    proxy.stop()

    with sock:
        assert _echo_or_nothing(sock, b"bye") == b""
    assert proxy.stats.active == 0


def test_runs_as_a_process_controlled_by_signals(echo_port: int) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.fault_proxy",
            "--listen",
            f"127.0.0.1:{port}",
            "--target",
            f"127.0.0.1:{echo_port}",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "listening" in process.stdout.readline()
        assert _round_trip(port, b"via process") == b"via process"

        process.send_signal(signal.SIGUSR1)
        assert process.stdout.readline().strip() == "fault-proxy cut"
        assert _link_is_broken(port)

        process.send_signal(signal.SIGUSR2)
        assert process.stdout.readline().strip() == "fault-proxy forward"
        assert _round_trip(port, b"restored") == b"restored"

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
