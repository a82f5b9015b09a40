import pytest

from devices.escpos_printer import kick_bytes
from devices.pole_display import pole_bytes


def test_kick_on_pin_2_and_pin_5():
    assert kick_bytes(2) == b"\x1bp\x00\x32\x32"
    assert kick_bytes(5) == b"\x1bp\x01\x32\x32"


def test_kick_on_another_pin_is_refused():
    with pytest.raises(ValueError):
        kick_bytes(3)


def test_epson_pole_shows_two_padded_lines():
    data = pole_bytes("Coke 7.00", "TOTAL 12.34", "epson")
    assert data == b"\x0c" + b"Coke 7.00".ljust(20) + b"\x1f\x24\x01\x02" + b"TOTAL 12.34".ljust(20)


def test_cd5220_pole_writes_each_line_with_its_command():
    data = pole_bytes("A" * 30, "B", "cd5220")
    assert data == b"\x1bQA" + b"A" * 20 + b"\r\x1bQB" + b"B".ljust(20) + b"\r"
