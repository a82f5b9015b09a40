"""The cashier page's keyboard-wedge detector (wedge.js), run in Node like a browser runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

WEDGE_JS = Path(__file__).resolve().parents[3] / "pos_terminal/device_hub/static/wedge.js"


def _type(keys: list[tuple[str, float]]) -> dict[str, Any]:
    """Feed (key, time in ms) pairs to the detector; return scans and swallowed Enters."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run wedge.js (Debian/NodeSource package nodejs)")
    script = (
        f"const {{ WedgeScanDetector }} = require({json.dumps(str(WEDGE_JS))});"
        "const scans = []; const d = new WedgeScanDetector((s) => scans.push(s));"
        f"const swallowed = {json.dumps(keys)}.map(([k, t]) => d.key(k, t));"
        "console.log(JSON.stringify({ scans, swallowed }));"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def _burst(text: str, start: float, gap: float) -> list[tuple[str, float]]:
    keys = [(ch, start + i * gap) for i, ch in enumerate(text)]
    return [*keys, ("Enter", start + len(text) * gap)]


def test_fast_burst_ended_by_enter_is_a_scan():
    result = _type(_burst("6901234567892", 1000, 8))
    assert result["scans"] == ["6901234567892"]
    assert result["swallowed"] == [False] * 13 + [True]


def test_cashier_typing_is_not_a_scan():
    result = _type(_burst("1234", 1000, 180))
    assert result["scans"] == []
    assert result["swallowed"][-1] is False  # the page gets its Enter


def test_short_fast_burst_is_not_a_scan():
    assert _type(_burst("12", 1000, 5))["scans"] == []


def test_slow_keys_before_a_scan_are_not_glued_to_it():
    keys = [("q", 0.0), ("t", 300.0), *_burst("4006381333931", 1000, 10)]
    assert _type(keys)["scans"] == ["4006381333931"]


def test_a_burst_that_stalls_is_not_taken_for_a_shorter_barcode():
    # A busy machine delays one key by 120 ms in the middle of a 13-digit scan: the
    # tail "67892" must not become a scan of its own (it could match a short PLU).
    keys = [(ch, 1000 + i * 8) for i, ch in enumerate("69012345")]
    keys += [(ch, 1000 + 7 * 8 + 120 + i * 8) for i, ch in enumerate("67892")]
    keys.append(("Enter", keys[-1][1] + 8))
    assert _type(keys)["scans"] == []


def test_a_new_scan_after_a_pause_is_a_scan_again():
    keys = [(ch, 1000 + i * 8) for i, ch in enumerate("69012345")]
    keys += _burst("6901234567892", 1000 + 7 * 8 + 2000, 8)
    assert _type(keys)["scans"] == ["6901234567892"]
