"""Demo and test data for HQ: the generated catalog, two stores with a till each, staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from chainpos.db import unit_of_work, utcnow
from chainpos.ids import new_id
from chainpos.sync.feed import ChangeItem, publish
from hq_server import catalog, organisation
from hq_server.catalog import price_payload
from hq_server.models import SYNC, Price, Staff
from retail.demo_catalog import brands, categories, generate_catalog, store_price_overrides

DEMO_STORES = (("S001", "邻家超市 人民路店 Renmin Rd"), ("S002", "邻家超市 滨江店 Riverside"))
BATCH = 5000


@dataclass
class DemoCredentials:
    stores: dict[str, str] = field(default_factory=dict)  # store code -> secret
    tills: dict[str, str] = field(default_factory=dict)  # till code -> secret
    admin_password: str = ""


def is_seeded(factory: sessionmaker[Session]) -> bool:
    with unit_of_work(factory) as session:
        return session.scalar(select(Staff.code).where(Staff.code == "admin")) is not None


def seed_catalog(
    factory: sessionmaker[Session],
    count: int,
    *,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Categories, brands and `count` products with their chain prices, in batches."""
    with unit_of_work(factory) as session:
        for c in categories():
            catalog.add_category(session, c.code, c.name_zh, c.name_en, c.tax_rate_bp)
        for b in brands():
            catalog.add_brand(session, b.code, b.name_zh, b.name_en)
    products = generate_catalog(count, seed=seed)
    done = 0
    # Chain prices take effect from a day ago so a till's clock skew never hides them.
    since = utcnow() - timedelta(days=1)
    while batch := list(islice(products, BATCH)):
        with unit_of_work(factory) as session:
            catalog.add_products(
                session,
                [
                    {
                        "sku": p.sku,
                        "name_zh": p.name_zh,
                        "name_en": p.name_en,
                        "category_code": p.category_code,
                        "brand_code": p.brand_code,
                        "unit": p.unit,
                        "weighed": p.weighed,
                        "barcodes": [p.barcode],
                        "price": p.price_fen,
                        "effective_from": since,
                    }
                    for p in batch
                ],
            )
        done += len(batch)
        if progress:
            progress(done)


def seed_store_prices(
    factory: sessionmaker[Session], count: int, stores: list[str], seed: int = 2026
) -> int:
    """Some store-specific prices, as HQ staff would set them."""
    since = utcnow() - timedelta(days=1)
    rows = list(store_price_overrides(generate_catalog(count, seed=seed), stores, 0.03, seed))
    with unit_of_work(factory) as session:
        records = [
            Price(
                id=new_id(),
                sku=r.sku,
                store_code=r.store_code,
                price=r.price_fen,
                effective_from=since,
                created_at=utcnow(),
                created_by="demo",
            )
            for r in rows
        ]
        session.add_all(records)
        session.flush()
        publish(
            session,
            SYNC,
            [ChangeItem("price", p.id, price_payload(p), scope=p.store_code) for p in records],
        )
    return len(rows)


def seed_organisation(factory: sessionmaker[Session], admin_password: str) -> DemoCredentials:
    """Stores S001 and S002 with till T01 each; cashier 1001, supervisor 9001, admin."""
    creds = DemoCredentials(admin_password=admin_password)
    with unit_of_work(factory) as session:
        for code, name in DEMO_STORES:
            creds.stores[code] = organisation.add_store(session, code, name, cash_rounding_step=10)
            creds.tills[f"{code}-T01"] = organisation.add_till(session, code, f"{code}-T01")
        organisation.add_staff(session, "1001", "李娜 Li Na", "cashier", pin="1234")
        organisation.add_staff(session, "9001", "王强 Wang Qiang", "supervisor", pin="9999")
        organisation.add_staff(session, "admin", "HQ Admin", "admin", password=admin_password)
    return creds
