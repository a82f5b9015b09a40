"""A loopback TCP proxy that can cut, black-hole or slow the link between two tiers.

In process::

    with FaultProxy(0, "127.0.0.1", hq_port) as proxy:
        ...  # point the store server at proxy.port
        proxy.cut()

Out of process (SIGUSR1 cuts, SIGUSR2 restores, SIGTERM stops)::

    python -m tests.support.fault_proxy --listen 127.0.0.1:7001 --target 127.0.0.1:7000
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import enum
import ipaddress
import queue
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType, TracebackType

CHUNK = 65536
ACCEPT_POLL_S = 0.1
CONNECT_TIMEOUT_S = 5.0


class Mode(enum.Enum):
    """What the proxy does with traffic."""

    FORWARD = "forward"
    CUT = "cut"  # live connections reset, new ones accepted and reset at once
    BLACKHOLE = "blackhole"  # connections stay open but nothing gets through


@dataclasses.dataclass(frozen=True)
class ProxyStats:
    """Counters since the proxy started."""

    accepted: int = 0
    refused: int = 0
    upstream_failures: int = 0
    active: int = 0
    bytes_to_target: int = 0
    bytes_to_client: int = 0
    bytes_dropped: int = 0


def is_loopback(host: str) -> bool:
    """Whether `host` names a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _reset(sock: socket.socket) -> None:
    """Close with an RST rather than a FIN, the way a dropped link looks to the peer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # SHUT_RD wakes a thread blocked in recv() on this socket without sending anything.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)
    sock.close()


class _Link:
    """One client connection and its upstream connection."""

    def __init__(self, client: socket.socket, upstream: socket.socket | None) -> None:
        self.client = client
        self.upstream = upstream
        self._lock = threading.Lock()
        self._open_directions = 2
        self.closed = False

    def close(self, *, reset: bool) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
        for sock in (self.client, self.upstream):
            if sock is None:
                continue
            if reset:
                _reset(sock)
            else:
                sock.close()

    def direction_done(self) -> bool:
        """Record that one direction finished; True when both have."""
        with self._lock:
            self._open_directions -= 1
            return self._open_directions == 0


class FaultProxy:
    """Forwards bytes between loopback clients and one loopback target, with faults on demand."""

    def __init__(
        self,
        listen_port: int,
        target_host: str,
        target_port: int,
        *,
        listen_host: str = "127.0.0.1",
    ) -> None:
        for host in (listen_host, target_host):
            if not is_loopback(host):
                raise ValueError(f"the fault proxy works on loopback only, not {host!r}")
        self.listen_host = listen_host
        self.listen_port = listen_port
        self.target = (target_host, target_port)
        self._mode = Mode.FORWARD
        self._latency_s = 0.0
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._counts = {f.name: 0 for f in dataclasses.fields(ProxyStats) if f.name != "active"}
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- control -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the proxy listens on (useful with listen_port=0)."""
        if self._listener is None:
            raise RuntimeError("the proxy is not started")
        port: int = self._listener.getsockname()[1]
        return port

    @property
    def mode(self) -> Mode:
        """The current fault mode."""
        return self._mode

    @property
    def stats(self) -> ProxyStats:
        """A snapshot of the counters."""
        with self._lock:
            return ProxyStats(**{**self._counts, "active": len(self._links)})

    def start(self) -> FaultProxy:
        """Listen and begin forwarding."""
        if self._listener is not None:
            raise RuntimeError("the proxy is already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.listen_host, self.listen_port))
        listener.listen(128)
        listener.settimeout(ACCEPT_POLL_S)
        self._listener = listener
        self._stopping.clear()
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"fault-proxy-{self.port}", daemon=True
        )
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop listening and close every connection."""
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join()
            self._acceptor = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._close_all(reset=False)

    def cut(self) -> None:
        """Reset every live connection and reset new ones as soon as they are accepted."""
        self._mode = Mode.CUT
        self._close_all(reset=True)

    def blackhole(self) -> None:
        """Keep connections open but let nothing through, the way a silent partition looks."""
        self._mode = Mode.BLACKHOLE

    def restore(self) -> None:
        """Forward again; parked connections are reset, and bytes dropped meanwhile stay lost."""
        self._mode = Mode.FORWARD
        with self._lock:
            parked = [link for link in self._links if link.upstream is None]
        for link in parked:
            self._finish(link, reset=True)

    def set_latency(self, ms: float) -> None:
        """Delay every chunk by `ms` milliseconds in each direction."""
        if ms < 0:
            raise ValueError("latency cannot be negative")
        self._latency_s = ms / 1000.0

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- forwarding --------------------------------------------------------------------------

    def _count(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            self._count("accepted")
            self._on_accept(client)

    def _on_accept(self, client: socket.socket) -> None:
        if self._mode is Mode.CUT:
            self._count("refused")
            _reset(client)
            return
        if self._mode is Mode.BLACKHOLE:
            with self._lock:
                self._links.add(_Link(client, None))
            return
        try:
            upstream = socket.create_connection(self.target, timeout=CONNECT_TIMEOUT_S)
        except OSError:
            self._count("upstream_failures")
            _reset(client)
            return
        upstream.settimeout(None)
        link = _Link(client, upstream)
        with self._lock:
            self._links.add(link)
        if self.mode is Mode.CUT:  # cut() may have run while we connected upstream
            self._finish(link, reset=True)
            return
        for src, dst, counter in (
            (client, upstream, "bytes_to_target"),
            (upstream, client, "bytes_to_client"),
        ):
            threading.Thread(target=self._pump, args=(link, src, dst, counter), daemon=True).start()

    def _pump(self, link: _Link, src: socket.socket, dst: socket.socket, counter: str) -> None:
        failed = False
        while True:
            try:
                data = src.recv(CHUNK)
            except OSError:
                failed = True
                break
            if not data:
                break
            if self._mode is not Mode.FORWARD:
                self._count("bytes_dropped", len(data))
                continue
            if self._latency_s:
                time.sleep(self._latency_s)
            try:
                dst.sendall(data)
            except OSError:
                failed = True
                break
            self._count(counter, len(data))
        if link.closed:
            return
        if failed:
            self._finish(link, reset=True)
            return
        # Pass the half-close on, so a peer that shuts its write side is seen to do so.
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
        if link.direction_done():
            self._finish(link, reset=False)

    def _finish(self, link: _Link, *, reset: bool) -> None:
        with self._lock:
            self._links.discard(link)
        link.close(reset=reset)

    def _close_all(self, *, reset: bool) -> None:
        with self._lock:
            links, self._links = self._links, set()
        for link in links:
            link.close(reset=reset)


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    if not is_loopback(host):
        raise argparse.ArgumentTypeError(f"loopback addresses only, not {host!r}")
    return host, int(port)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the proxy until SIGTERM/SIGINT; SIGUSR1 cuts, SIGUSR2 restores."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.fault_proxy")
    parser.add_argument("--listen", type=_address, required=True, help="HOST:PORT to listen on")
    parser.add_argument("--target", type=_address, required=True, help="HOST:PORT to forward to")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay per chunk")
    args = parser.parse_args(argv)

    proxy = FaultProxy(args.listen[1], *args.target, listen_host=args.listen[0])
    proxy.set_latency(args.latency_ms)
    # Handlers only queue the request: SimpleQueue.put is safe to call from a signal handler.
    requests: queue.SimpleQueue[str] = queue.SimpleQueue()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        requests.put(signal.Signals(signum).name)

    for signum in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)

    with proxy:
        print(
            f"fault-proxy listening on {proxy.listen_host}:{proxy.port} -> "
            f"{args.target[0]}:{args.target[1]}",
            flush=True,
        )
        while True:
            request = requests.get()
            if request == "SIGUSR1":
                proxy.cut()
            elif request == "SIGUSR2":
                proxy.restore()
            else:
                break
            print(f"fault-proxy {proxy.mode.value}", flush=True)
    print(f"fault-proxy stopped: {proxy.stats}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
