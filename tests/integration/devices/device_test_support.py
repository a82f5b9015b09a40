"""Small helpers shared by the device integration tests."""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable
from pathlib import Path


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


class PtyCable:
    """A serial cable made of a pty pair: the device plugs in at a stable symlink, like
    /dev/serial/by-id, and `unplug`/`plug_in` swap the pty under it as USB re-enumeration does.
    """

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master: int | None = None
        self.plug_in()

    def plug_in(self) -> None:
        master, slave = os.openpty()
        name = os.ttyname(slave)
        os.close(slave)  # the till opens it by name; the master end keeps the pty alive
        self.master = master
        tmp = self.link.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(name)
        tmp.replace(self.link)

    def unplug(self) -> None:
        self.link.unlink(missing_ok=True)
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def write(self, data: bytes) -> None:
        assert self.master is not None, "cable is unplugged"
        os.write(self.master, data)

    def read_available(self, timeout: float = 1.0) -> bytes:
        assert self.master is not None, "cable is unplugged"
        out = bytearray()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                out += os.read(self.master, 4096)
            elif out:
                break
        return bytes(out)
