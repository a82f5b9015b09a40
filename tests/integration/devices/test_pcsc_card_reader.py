"""Member cards through pcscd, the vpcd virtual reader and a virtual ISO 7816 card."""

from __future__ import annotations

import json
import queue

import pytest
from click.testing import CliRunner
from device_test_support import wait_for

from devices.events import CardEvent, CardEventKind
from devices.pcsc_card_reader import PcscCardReader
from pos_terminal.device_hub.cli import devices as devices_cli

pytestmark = pytest.mark.pcsc

READER = "Virtual PCD 00 00"


@pytest.fixture
def cards(pcsc):
    started = []

    def insert(member_id: str, card_no: str = "", uid: str = ""):
        card = pcsc.insert_card(member_id, card_no, uid)
        started.append(card)
        return card

    yield insert
    for card in started:
        pcsc.remove_card(card)


@pytest.fixture
def reader(pcsc):
    events: queue.Queue[CardEvent] = queue.Queue()
    reader = PcscCardReader("ic", READER, poll_ms=200, retry_interval=0.2)
    reader.add_card_listener(events.put)
    reader.start()
    yield reader, events
    reader.close()


def _next(events: queue.Queue[CardEvent], kind: CardEventKind, timeout: float = 15) -> CardEvent:
    while True:
        event = events.get(timeout=timeout)
        if event.kind is kind:
            return event


def test_contactless_card_gives_uid_and_member_id_then_removal(reader, cards):
    _, events = reader
    assert _next(events, CardEventKind.READER_ADDED).reader == READER
    card = cards("M000123", "C888", "04A1B2C3")

    inserted = _next(events, CardEventKind.INSERTED)
    assert inserted.card is not None
    assert (inserted.card.uid, inserted.card.member_id) == ("04A1B2C3", "M000123")
    assert inserted.card.atr == "3B888101434841494E504F5309"

    card.terminate()
    removed = _next(events, CardEventKind.REMOVED)
    assert removed.card is not None and removed.card.member_id == "M000123"


def test_contact_card_gives_member_id_without_uid(reader, cards):
    _, events = reader
    cards("M000456")
    inserted = _next(events, CardEventKind.INSERTED)
    assert inserted.card is not None
    assert (inserted.card.uid, inserted.card.member_id) == (None, "M000456")


def test_reader_survives_a_pcscd_restart_without_restarting_the_till(reader, cards, pcsc):
    card_reader, events = reader
    statuses: list[str] = []
    card_reader.add_status_listener(lambda e: statuses.append(e.status))
    cards("M000789", uid="0A0B0C0D")
    first = _next(events, CardEventKind.INSERTED).card
    assert first is not None and first.member_id == "M000789"

    pcsc.stop_pcscd()
    assert _next(events, CardEventKind.REMOVED).reader == READER
    assert _next(events, CardEventKind.READER_REMOVED).reader == READER
    wait_for(lambda: "offline" in statuses, 10, "the reader to report the daemon gone")

    pcsc.start_pcscd()
    assert _next(events, CardEventKind.READER_ADDED).reader == READER
    again = _next(events, CardEventKind.INSERTED, timeout=30)  # the card reconnects to vpcd
    assert again.card is not None and again.card.member_id == "M000789"
    assert statuses[-1] == "online"


def test_reading_the_card_on_demand(pcsc, cards):
    cards("M000321", uid="11223344")
    reader = PcscCardReader("ic", READER)
    wait_for(lambda: reader.current_card() is not None, 15, "the card to be readable")
    card = reader.current_card()
    assert card is not None and card.member_id == "M000321"


def test_till_devices_read_card_command_prints_the_member(pcsc, cards, tmp_path):
    config = tmp_path / "devices.json"
    config.write_text(json.dumps({"card_reader": {"reader_match": READER}}))
    cards("M000999", uid="DEADBEEF")
    result = CliRunner().invoke(devices_cli, ["read-card", "--config", str(config), "--wait", "15"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert (printed["member_id"], printed["uid"]) == ("M000999", "DEADBEEF")
