"""A receipt printer for tests: takes ESC/POS over TCP or a pty, answers DLE EOT like a TM printer.

It records the print data (status queries removed) so tests can compare bytes exactly,
and it can run out of paper part-way through a job, open its cover, or be power-cycled.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
import time
import tty
from dataclasses import dataclass, field

DLE_EOT = b"\x10\x04"


@dataclass
class PrinterState:
    online: bool = True
    cover_open: bool = False
    paper_near_end: bool = False
    paper_out: bool = False
    drawer_pin3_high: bool = False
    paper_runs_out_after: int | None = None  # bytes of print data until the roll ends
    printed: bytearray = field(default_factory=bytearray)  # what reached the paper
    received: bytearray = field(default_factory=bytearray)  # all print data, paper or not

    def reply(self, n: int) -> bytes:
        if n == 1:
            offline = not self.online or self.cover_open or self.paper_out
            return bytes([0x12 | (0x08 if offline else 0) | (0x04 if self.drawer_pin3_high else 0)])
        if n == 2:
            return bytes(
                [0x12 | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)]
            )
        if n == 3:
            return bytes([0x12])
        near = 0x0C if self.paper_near_end or self.paper_out else 0
        return bytes([0x12 | near | (0x60 if self.paper_out else 0)])

    def take(self, data: bytes) -> None:
        self.received += data
        for byte in data:
            if self.paper_out or self.cover_open:
                continue
            if self.paper_runs_out_after is not None and self.paper_runs_out_after <= 0:
                self.paper_out = True
                self.paper_near_end = True
                continue
            self.printed.append(byte)
            if self.paper_runs_out_after is not None:
                self.paper_runs_out_after -= 1

    def load_paper(self) -> None:
        self.paper_out = False
        self.paper_near_end = False
        self.paper_runs_out_after = None


class _Parser:
    """Splits real-time DLE EOT n queries out of the byte stream."""

    def __init__(self, state: PrinterState) -> None:
        self.state = state
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._pending + chunk
        self._pending = b""
        replies = bytearray()
        out = bytearray()
        i = 0
        while i < len(data):
            if data[i : i + 2] == DLE_EOT:
                if i + 2 >= len(data):
                    self._pending = data[i:]
                    break
                self.state.take(bytes(out))
                out.clear()
                replies += self.state.reply(data[i + 2])
                i += 3
                continue
            if data[i] == 0x10 and i + 1 == len(data):
                self._pending = data[i:]
                break
            out.append(data[i])
            i += 1
        self.state.take(bytes(out))
        return bytes(replies)


class TcpTestPrinter:
    """ESC/POS printer on 127.0.0.1:<port>; `power_off`/`power_on` keep the same port."""

    def __init__(self) -> None:
        self.state = PrinterState()
        self.port = 0
        self._server: socket.socket | None = None
        self._clients: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def power_on(self) -> None:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(4)
        self.port = server.getsockname()[1]
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def power_off(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            for client in self._clients:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)
                client.close()
            self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server = None

    def _serve(self) -> None:
        assert self._server is not None
        parsers: dict[socket.socket, _Parser] = {}
        while not self._stop.is_set():
            with self._lock:
                sockets = [self._server, *self._clients]
            readable, _, _ = select.select(sockets, [], [], 0.05)
            for sock in readable:
                if sock is self._server:
                    client, _ = sock.accept()
                    with self._lock:
                        self._clients.append(client)
                    parsers[client] = _Parser(self.state)
                    continue
                try:
                    chunk = sock.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    with self._lock:
                        if sock in self._clients:
                            self._clients.remove(sock)
                    sock.close()
                    continue
                with self._lock:
                    reply = parsers[sock].feed(chunk)
                if reply:
                    with contextlib.suppress(OSError):
                        sock.sendall(reply)


class PtyTestPrinter:
    """ESC/POS printer on the far end of a pty pair: the till opens `device`."""

    def __init__(self) -> None:
        self.state = PrinterState()
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.device = os.ttyname(slave)
        self._slave = slave  # kept open so the pty survives the till closing and reopening it
        self._parser = _Parser(self.state)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self.master)
        os.close(self._slave)

    def _serve(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([self.master], [], [], 0.05)
            if not readable:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                time.sleep(0.02)
                continue
            reply = self._parser.feed(chunk)
            if reply:
                os.write(self.master, reply)
