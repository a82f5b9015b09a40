from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.chain import Chain


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    """HQ, two stores and a till each, running as real processes with demo data."""
    chain = Chain(tmp_path)
    chain.prepare()
    try:
        chain.start_all()
        yield chain
    finally:
        chain.stop_all()
