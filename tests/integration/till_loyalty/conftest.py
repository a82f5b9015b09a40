"""A till selling against a real store relay and a real HQ, all in-process.

The till's store client goes through the store app's test client (signed with the till's
credentials), whose HQ client goes through HQ's: till -> store -> HQ, as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from chainpos.ids import new_id
from tests.factories import COLA_EAN
from tests.integration.hq.conftest import (  # noqa: F401  (fixtures shared with HQ's tests)
    Hq,
    admin_password_hash,
    hq,
    hq_app,
)
from tests.integration.store_loyalty.conftest import (  # noqa: F401  (shared fixtures)
    FlaskUpstream,
    StoreRelay,
    hq_db_url,
    relay,
)
from tests.integration.till.conftest import (  # noqa: F401  (shared fixtures)
    COLA_PRICE,
    Till,
    cashier_pin_hash,
    devices_config,
    till_app,
)


class LoyalTill(Till):
    """The till, its store relay (with HQ behind it), and a way to cut the till's store."""

    def __init__(self, app: Flask, store: StoreRelay):
        super().__init__(app)
        self.store = store
        self.link = FlaskUpstream(store.client, store.till())
        app.extensions["chainpos.loyalty.store"] = lambda: self.link

    def sale(self, tenders: list[dict[str, Any]], qty: int = 10, **extra: Any) -> Any:
        """Ten colas (3,500 fen) paid with `tenders`."""
        body = {
            "sale_id": str(extra.pop("sale_id", None) or new_id()),
            "lines": [{"barcode": COLA_EAN, "qty": qty}],
            "tenders": tenders,
            **extra,
        }
        return self.sell(body)


@pytest.fixture
def loyal_till(till_app: Flask, relay: StoreRelay) -> Iterator[LoyalTill]:  # noqa: F811
    yield LoyalTill(till_app, relay)


TOTAL = 10 * COLA_PRICE
