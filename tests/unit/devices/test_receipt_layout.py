import dataclasses

from PIL import Image

from devices.receipt_layout import (
    FS_CHINESE_ON,
    ReceiptLayout,
    build_receipt_bytes,
    build_test_page_bytes,
    encode_text,
)
from retail.receipt import centred, render_text


def _text_lines(data: bytes) -> list[str]:
    return data.decode("gb18030", errors="replace").split("\n")


def test_receipt_starts_with_initialise_and_chinese_mode_and_ends_with_cut(receipt):
    data = build_receipt_bytes(receipt, ReceiptLayout())
    assert data.startswith(b"\x1b@" + FS_CHINESE_ON)
    assert data.endswith(b"\x1dV\x01")


def test_chinese_text_is_encoded_as_gb18030(receipt):
    data = build_receipt_bytes(receipt, ReceiptLayout())
    assert "可口可乐 Coke 330ml".encode("gb18030") in data
    assert "谢谢惠顾 Thank you".encode("gb18030") in data


def test_every_text_line_matches_the_plain_text_receipt_at_80_mm(receipt):
    data = build_receipt_bytes(receipt, ReceiptLayout(paper_mm=80, code="none", cut=False))
    expected = render_text(receipt, 48).splitlines()
    for line in expected[1:]:
        assert line.encode("gb18030") + b"\n" in data


def test_58_mm_paper_uses_32_columns(receipt):
    data = build_receipt_bytes(receipt, ReceiptLayout(paper_mm=58, code="none", cut=False))
    assert ("-" * 32 + "\n").encode() in data
    assert ("-" * 33).encode() not in data


def test_reprint_is_marked_copy_in_bold(receipt):
    copy = dataclasses.replace(receipt, copy_no=2)
    data = build_receipt_bytes(copy, ReceiptLayout())
    marker = centred("*** COPY 2 重印 ***", 48).encode("gb18030")
    assert b"\x1bE\x01" + marker + b"\n\x1bE\x00" in data


def test_qr_code_carries_the_receipt_number(receipt):
    data = build_receipt_bytes(receipt, ReceiptLayout(code="qr"))
    assert b"\x1d(k\x18\x001P0S001-T02-261126-00042" in data
    assert b"\x1d(k\x03\x001Q0" in data  # print the stored symbol


def test_barcode_is_code128_of_the_receipt_number(receipt):
    data = build_receipt_bytes(receipt, ReceiptLayout(code="barcode"))
    assert b"\x1dkI\x17{BS001-T02-261126-00042" in data


def test_control_bytes_in_names_never_reach_the_printer(receipt):
    line = dataclasses.replace(receipt.lines[0], name="Evil\x1bp\x00\x19\x19 cola")
    evil = dataclasses.replace(receipt, lines=(line,))
    data = build_receipt_bytes(evil, ReceiptLayout(code="none"))
    assert b"Evilp cola" in data
    assert b"\x1bp" not in data


def test_english_only_printer_gets_question_marks_for_hanzi():
    assert encode_text("可乐 Cola", "ascii") == b"?? Cola"


def test_logo_is_sent_as_a_raster_image(receipt):
    logo = Image.new("1", (800, 40), 0)
    data = build_receipt_bytes(receipt, ReceiptLayout(logo=logo))
    assert b"\x1dv0" in data


def test_test_page_names_the_paper_width():
    data = build_test_page_bytes(ReceiptLayout(paper_mm=58))
    assert b"58 mm\n" in data
    assert "打印测试".encode("gb18030") in data
