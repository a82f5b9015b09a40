from hypothesis import given
from hypothesis import strategies as st

from devices.scan_framing import ScanFormat, ScanFramer

barcodes = st.lists(st.text("0123456789ABCDEFXYZ-", min_size=1, max_size=30), max_size=8)


def test_cr_terminated_scans_are_split():
    framer = ScanFramer(ScanFormat(terminator="CR"))
    assert framer.feed(b"6901234567892\r4006381333931\r") == ["6901234567892", "4006381333931"]


def test_crlf_terminated_scans_are_split():
    framer = ScanFramer(ScanFormat(terminator="CRLF"))
    assert framer.feed(b"123\r\n456\r") == ["123"]
    assert framer.feed(b"\n") == ["456"]


def test_prefix_and_suffix_are_removed():
    framer = ScanFramer(ScanFormat(prefix="]E0", suffix="#", terminator="CR"))
    assert framer.feed(b"]E06901234567892#\r") == ["6901234567892"]


def test_scan_split_across_reads_is_joined():
    framer = ScanFramer(ScanFormat())
    assert framer.feed(b"69012") == []
    assert framer.feed(b"34567892\r") == ["6901234567892"]


def test_reset_forgets_a_half_scan_after_unplug():
    framer = ScanFramer(ScanFormat())
    framer.feed(b"6901")
    framer.reset()
    assert framer.feed(b"123\r") == ["123"]


def test_endless_noise_without_terminator_is_dropped():
    framer = ScanFramer(ScanFormat())
    framer.feed(b"x" * 1000)
    assert framer.feed(b"42\r") == ["42"]


@given(barcodes, st.lists(st.integers(1, 7), min_size=1, max_size=20))
def test_any_chunking_yields_the_same_scans(codes, cuts):
    stream = b"".join(code.encode() + b"\r\n" for code in codes)
    framer = ScanFramer(ScanFormat(terminator="CRLF"))
    out: list[str] = []
    pos, i = 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        out += framer.feed(stream[pos : pos + step])
        pos += step
        i += 1
    assert out == [c.strip() for c in codes if c.strip()]
