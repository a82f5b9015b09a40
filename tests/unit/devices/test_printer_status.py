from devices.lifecycle import Health
from devices.printer_status import decode_status, is_status_byte

ONLINE = bytes([0x12])
OFFLINE = bytes([0x1A])
NO_CAUSE = bytes([0x12])
COVER_OPEN = bytes([0x16])
PAPER_STOP = bytes([0x32])
PAPER_OK = bytes([0x12])
PAPER_NEAR_END = bytes([0x1E])
PAPER_OUT = bytes([0x7E])  # near end and out, as printers report an empty roll


def test_healthy_printer_reads_online_with_paper():
    status = decode_status(ONLINE, NO_CAUSE, PAPER_OK)
    assert status.health is Health.ONLINE
    assert status.can_print
    assert (status.cover_open, status.paper_out, status.paper_near_end) == (False, False, False)


def test_paper_out_is_reported_and_blocks_printing():
    status = decode_status(OFFLINE, PAPER_STOP, PAPER_OUT)
    assert status.health is Health.OFFLINE
    assert status.paper_out
    assert not status.can_print
    assert status.describe() == "offline paper-out paper-near-end"


def test_paper_near_end_still_prints():
    status = decode_status(ONLINE, NO_CAUSE, PAPER_NEAR_END)
    assert status.paper_near_end and not status.paper_out
    assert status.can_print


def test_cover_open_is_reported():
    status = decode_status(OFFLINE, COVER_OPEN, PAPER_OK)
    assert status.cover_open
    assert not status.can_print


def test_no_reply_is_unknown_not_offline():
    assert decode_status(None, None, None).health is Health.UNKNOWN


def test_garbage_reply_is_unknown():
    assert decode_status(b"\xff", None, None).health is Health.UNKNOWN
    assert not is_status_byte(b"\x12\x12")


def test_drawer_switch_level_comes_from_printer_status():
    assert decode_status(bytes([0x16]), None, None).drawer_pin3_high is True
    assert decode_status(ONLINE, None, None).drawer_pin3_high is False


def test_missing_paper_reply_falls_back_to_offline_cause():
    status = decode_status(OFFLINE, PAPER_STOP, None)
    assert status.paper_out is True
    assert status.paper_near_end is None
