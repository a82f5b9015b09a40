"""Catalog rules: which price applies to a product in a store at a moment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PriceRecord:
    """A tax-inclusive price in fen, chain-wide (`store` None) or for one store."""

    id: str
    sku: str
    price: int
    effective_from: datetime
    store: str | None = None


def resolve_price(records: Iterable[PriceRecord], store: str, at: datetime) -> PriceRecord | None:
    """The price in force for `store` at `at`.

    A store's own price, once in force, wins over the chain price; among prices of the
    same scope the latest effective one wins (ties by id, so the answer is deterministic).
    """
    best_store: PriceRecord | None = None
    best_chain: PriceRecord | None = None
    for record in records:
        if record.effective_from > at:
            continue
        key = (record.effective_from, record.id)
        if record.store == store:
            if best_store is None or key > (best_store.effective_from, best_store.id):
                best_store = record
        elif record.store is None and (
            best_chain is None or key > (best_chain.effective_from, best_chain.id)
        ):
            best_chain = record
    return best_store or best_chain
