from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.chain import Chain, running


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    """HQ, two stores and a till each, running as real processes with demo data."""
    yield from running(tmp_path)
