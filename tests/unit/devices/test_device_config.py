import json

import pytest

from devices.config import DeviceConfigError, load_device_config, parse_device_config
from devices.factory import build_devices

FULL = {
    "till": "T02",
    "printer": {
        "transport": "network",
        "host": "127.0.0.1",
        "port": 9100,
        "paper_mm": 58,
        "code": "barcode",
    },
    "drawer": {"pin": 5},
    "scanners": [{"name": "lane", "port": "/dev/ttyACM0", "terminator": "CRLF", "prefix": "]E0"}],
    "card_reader": {"reader_match": "ACS ACR"},
    "pole_display": {"port": "/dev/ttyUSB1", "protocol": "cd5220"},
}


def test_full_config_is_read(tmp_path):
    path = tmp_path / "devices.json"
    path.write_text(json.dumps(FULL))
    config = load_device_config(path)
    assert config.printer is not None and config.printer.paper_mm == 58
    assert config.drawer is not None and config.drawer.pin == 5
    assert config.scanners[0].fmt.terminator == "CRLF"
    assert config.card_reader is not None and config.card_reader.reader_match == "ACS ACR"
    assert config.pole_display is not None and config.pole_display.protocol == "cd5220"


def test_devices_are_built_from_config_without_touching_hardware():
    devices = build_devices(parse_device_config(FULL))
    assert devices.printer is not None and devices.printer.layout.columns == 32
    assert devices.drawer is not None
    assert [s.name for s in devices.scanners] == ["lane"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"printer": {"transport": "bluetooth"}}, "printer.transport"),
        ({"printer": {"transport": "serial"}}, "printer.device"),
        ({"printer": {"paper_mm": 76}}, "printer.paper_mm"),
        ({"drawer": {"pin": 3}}, "drawer.pin"),
        ({"scanners": [{"name": "x"}]}, "scanners[0].port"),
        ({"scanners": [{"port": "/dev/x", "terminator": "TAB"}]}, "scanners[0].terminator"),
        ({"card_reader": {"aid": "zz"}}, "card_reader.aid"),
    ],
)
def test_bad_entry_is_named_in_the_error(change, field):
    with pytest.raises(DeviceConfigError) as error:
        parse_device_config({**FULL, **change})
    assert error.value.field == field


def test_drawer_without_printer_is_refused():
    with pytest.raises(DeviceConfigError) as error:
        parse_device_config({"drawer": {"pin": 2}})
    assert error.value.field == "drawer"


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(DeviceConfigError):
        load_device_config(tmp_path / "nope.json")
