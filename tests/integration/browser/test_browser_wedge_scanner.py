"""A keyboard-wedge scanner typing into a page that loads /devices/static/wedge.js.

Chromium gets real key events (Playwright's keyboard): a scanner's burst, keys 5 ms apart
and ended by Enter, must reach `GET /devices/events` as one scan, read here by a plain HTTP
client on its own thread. A person typing at 150 ms a key must stay ordinary typing in the
focused input, with their Enter reaching the page.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_test_support import LiveServer, SseReader, expect

SCANNER_DELAY_MS = 5
HUMAN_DELAY_MS = 150
MAX_GAP_MS = 35  # wedge.js's limit between two keys of one scan
QUIET_S = 0.7  # how long the stream must stay silent to count as "no scan"
BURST_ATTEMPTS = 10  # a busy 2-CPU machine spoils about one burst in three


@pytest.fixture
def till_events(server: LiveServer) -> Iterator[SseReader]:
    reader = SseReader(server.port, "/devices/events")
    reader.wait_connected()
    yield reader
    reader.close()


@pytest.fixture
def cashier(page: Any, server: LiveServer) -> Any:
    """The stand-in cashier page, its own event stream open, the entry field focused."""
    page.wedge_posts = []
    page.on(
        "request",
        lambda r: page.wedge_posts.append(r) if r.url.endswith("/devices/wedge-scans") else None,
    )
    open_cashier(page, f"{server.url}/test-pages/cashier")
    return page


def open_cashier(page: Any, url: str) -> None:
    page.goto(url)
    expect(page.locator("#stream")).to_have_text("open")
    expect(page.locator("#entry")).to_be_focused()
    page.wedge_posts.clear()


def key_gaps(page: Any, keys: int) -> list[float]:
    """The gaps (ms) between the last `keys` keydowns the page saw."""
    times = [t for _, t in page.evaluate("window.keyTimes")][-keys:]
    return [round(b - a, 1) for a, b in itertools.pairwise(times)]


def scanner(page: Any, code: str) -> None:
    page.keyboard.type(code, delay=SCANNER_DELAY_MS)
    page.keyboard.press("Enter")


def scanner_burst(
    page: Any, till_events: SseReader, code: str, before: Callable[[], None] = lambda: None
) -> list[float]:
    """Run `before`, then scan `code`; returns the key gaps the page saw, all under 35 ms.

    Playwright sends each key over its pipe to Chromium; on a busy machine one key now and
    then lands 50 ms after the one before, and that burst is no scanner's burst (wedge.js
    rightly does not take it whole). Such an attempt is discarded, the page reloaded, and
    `before` and the burst repeated: what the tests assert is only ever measured on a burst
    the page itself saw at scanner speed.
    """
    slow: list[list[float]] = []
    for _ in range(BURST_ATTEMPTS):
        before()
        scanner(page, code)
        gaps = key_gaps(page, len(code) + 1)
        if max(gaps) < MAX_GAP_MS:
            return gaps
        slow.append(gaps)
        print(f"[browser-tests] burst of {code} discarded, key gaps (ms): {gaps}", file=sys.stderr)
        till_events.drain("scan", QUIET_S)  # whatever that attempt posted
        open_cashier(page, page.url)
    pytest.fail(
        f"Chromium never got {code} at scanner speed in {BURST_ATTEMPTS} tries (is the machine"
        f" overloaded?); key gaps (ms): {slow}"
    )


def person(page: Any, text: str, enter: bool = True) -> None:
    page.keyboard.type(text, delay=HUMAN_DELAY_MS)
    if enter:
        page.wait_for_timeout(HUMAN_DELAY_MS)
        page.keyboard.press("Enter")


def test_scanner_burst_arrives_as_one_scan_event(cashier, till_events, page_errors):
    code = "6901234567892"
    gaps = scanner_burst(cashier, till_events, code)

    event = till_events.next("scan", timeout=5)
    assert event is not None, f"no scan on /devices/events; key gaps in the page (ms): {gaps}"
    assert event.data["source"] == "wedge"
    assert event.data["data"] == code
    assert till_events.drain("scan", QUIET_S) == []  # one burst, one scan
    assert len(cashier.wedge_posts) == 1
    # The page's own EventSource got it too, and the scanner's Enter never reached the page.
    expect(cashier.locator("#scans li")).to_have_text([f"wedge: {code}"])
    expect(cashier.locator("#entered li")).to_have_count(0)
    assert page_errors == []


def test_person_typing_stays_ordinary_typing(cashier, till_events, page_errors):
    person(cashier, "1234", enter=False)
    expect(cashier.locator("#entry")).to_have_value("1234")
    cashier.keyboard.press("Enter")

    expect(cashier.locator("#entered li")).to_have_text(["1234"])  # the page got its Enter
    assert till_events.drain("scan", QUIET_S) == []
    assert cashier.wedge_posts == []
    expect(cashier.locator("#scans li")).to_have_count(0)
    assert page_errors == []


def test_typing_then_a_scan_gives_only_the_scan(cashier, till_events, page_errors):
    def person_first() -> None:
        person(cashier, "1234")  # a person enters a quantity ...
        person(cashier, "99", enter=False)  # ... starts on a PLU, then picks up the scanner

    code = "4006381333931"
    gaps = scanner_burst(cashier, till_events, code, before=person_first)

    event = till_events.next("scan", timeout=5)
    assert event is not None, f"no scan; key gaps in the page (ms): {gaps}"
    assert event.data["data"] == code  # the slow keys before it are not glued on
    assert till_events.drain("scan", QUIET_S) == []
    assert len(cashier.wedge_posts) == 1
    expect(cashier.locator("#entered li")).to_have_text(["1234"])
    expect(cashier.locator("#scans li")).to_have_text([f"wedge: {code}"])
    assert page_errors == []
