"""The demo catalog: deterministic, unique keys, scannable barcodes, sane prices."""

from __future__ import annotations

import time
from collections import Counter
from itertools import islice

import pytest

from retail.barcodes import (
    DEFAULT_WEIGHED_RULES,
    is_valid_gtin,
    make_weighed_code,
    parse_scan,
)
from retail.demo_catalog import (
    HOUSE_BRAND_CODE,
    DemoProduct,
    brands,
    categories,
    generate_catalog,
    store_price_overrides,
)

CATALOG_SIZE = 20_000
UNITS = {"件", "瓶", "袋", "盒", "kg"}


@pytest.fixture(scope="module")
def catalog() -> list[DemoProduct]:
    return list(generate_catalog(CATALOG_SIZE))


def test_same_seed_gives_the_same_catalog(catalog: list[DemoProduct]) -> None:
    assert list(generate_catalog(2_000)) == catalog[:2_000]
    assert list(generate_catalog(500, seed=7)) == list(generate_catalog(500, seed=7))


def test_different_seeds_give_different_catalogs() -> None:
    assert list(generate_catalog(200, seed=1)) != list(generate_catalog(200, seed=2))


def test_a_shorter_catalog_is_a_prefix_of_a_longer_one(catalog: list[DemoProduct]) -> None:
    assert list(generate_catalog(100)) == catalog[:100]


def test_catalog_has_exactly_the_requested_number_of_products(
    catalog: list[DemoProduct],
) -> None:
    assert len(catalog) == CATALOG_SIZE
    assert list(generate_catalog(0)) == []


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        generate_catalog(-1)


def test_catalog_is_streamed_not_built_in_memory() -> None:
    first_ten = list(islice(generate_catalog(10_000_000), 10))
    assert [p.sku for p in first_ten] == [f"P{n:06d}" for n in range(1, 11)]


def test_skus_are_unique(catalog: list[DemoProduct]) -> None:
    assert len({p.sku for p in catalog}) == CATALOG_SIZE


def test_barcodes_are_unique(catalog: list[DemoProduct]) -> None:
    assert len({p.barcode for p in catalog}) == CATALOG_SIZE


def test_packaged_barcodes_are_valid_chinese_ean13(catalog: list[DemoProduct]) -> None:
    packaged = [p for p in catalog if not p.weighed]
    assert packaged
    for product in packaged:
        assert len(product.barcode) == 13, product
        assert is_valid_gtin(product.barcode), product
        assert "690" <= product.barcode[:3] <= "695", product


def test_packaged_barcodes_scan_to_themselves(catalog: list[DemoProduct]) -> None:
    for product in catalog[:2_000]:
        if not product.weighed:
            assert parse_scan(product.barcode).lookup == product.barcode


def test_about_two_percent_of_products_are_weighed(catalog: list[DemoProduct]) -> None:
    weighed = sum(p.weighed for p in catalog)
    assert 0.01 * CATALOG_SIZE < weighed < 0.03 * CATALOG_SIZE


def test_weighed_items_are_fresh_food_sold_per_kg(catalog: list[DemoProduct]) -> None:
    for product in catalog:
        if product.weighed:
            assert product.unit == "kg"
            assert product.category_code in {"VEG", "FRU", "MEA", "SEA"}


def test_a_scale_label_resolves_to_its_weighed_item(catalog: list[DemoProduct]) -> None:
    by_barcode = {p.barcode: p for p in catalog}
    weight_rule = DEFAULT_WEIGHED_RULES[0]
    weighed = [p for p in catalog if p.weighed]
    assert weighed
    for product in weighed:
        plu = product.barcode[len(weight_rule.prefix) :]
        label = make_weighed_code(weight_rule, plu, 1_234)
        scanned = parse_scan(label)
        assert by_barcode[scanned.lookup] == product
        assert scanned.weight_grams == 1_234


def test_prices_are_positive_integer_fen(catalog: list[DemoProduct]) -> None:
    for product in catalog:
        assert type(product.price_fen) is int
        assert product.price_fen > 0


def test_prices_end_in_shelf_price_points(catalog: list[DemoProduct]) -> None:
    for product in catalog:
        if product.price_fen < 10_000:
            assert product.price_fen % 100 in {0, 50, 80, 90}, product
        else:
            assert product.price_fen % 1_000 in {800, 900, 990}, product


def test_prices_are_realistic_for_their_category(catalog: list[DemoProduct]) -> None:
    def median(code: str) -> int:
        prices = sorted(p.price_fen for p in catalog if p.category_code == code)
        return prices[len(prices) // 2]

    assert median("BEV") < median("SNK") < median("ALC") < median("APP")
    assert 200 <= median("BEV") <= 3_000
    assert 10_000 <= median("APP") <= 60_000


def test_units_are_the_shop_units(catalog: list[DemoProduct]) -> None:
    assert {p.unit for p in catalog} == UNITS


def test_names_are_bilingual_and_start_with_the_brand(catalog: list[DemoProduct]) -> None:
    brand_by_code = {b.code: b for b in brands()}
    for product in catalog:
        brand = brand_by_code[product.brand_code]
        assert product.name_zh.startswith(brand.name_zh + " "), product
        assert product.name_en.startswith(brand.name_en + " "), product
        assert product.name_en.isascii(), product
        assert not product.name_zh.isascii(), product


def test_chinese_and_english_names_correspond(catalog: list[DemoProduct]) -> None:
    english_for: dict[str, set[str]] = {}
    for product in catalog:
        english_for.setdefault(product.name_zh, set()).add(product.name_en)
    assert all(len(names) == 1 for names in english_for.values())


def test_example_name_from_the_paper_goods_aisle_reads_naturally(
    catalog: list[DemoProduct],
) -> None:
    tissue = next(p for p in catalog if "抽纸" in p.name_zh and "130抽x6包" in p.name_zh)
    assert "Facial Tissue" in tissue.name_en
    assert "130x6" in tissue.name_en


def test_every_product_refers_to_a_known_category_and_brand(
    catalog: list[DemoProduct],
) -> None:
    category_codes = {c.code for c in categories()}
    brand_codes = {b.code for b in brands()}
    for product in catalog:
        assert product.category_code in category_codes
        assert product.brand_code in brand_codes
    assert {p.category_code for p in catalog} == category_codes


def test_categories_carry_chinese_vat_rates() -> None:
    rates = {c.code: c.tax_rate_bp for c in categories()}
    assert 25 <= len(rates) <= 35
    assert set(rates.values()) == {900, 1300}
    assert rates["VEG"] == rates["FRU"] == rates["MEA"] == rates["SEA"] == 900
    assert rates["BEV"] == rates["APP"] == rates["PER"] == 1300
    for category in categories():
        assert category.name_zh and category.name_en


def test_about_150_distinct_bilingual_brands_including_the_house_brand() -> None:
    all_brands = brands()
    assert 130 <= len(all_brands) <= 170
    assert len({b.code for b in all_brands}) == len(all_brands)
    assert len({b.name_zh for b in all_brands}) == len(all_brands)
    assert len({b.name_en for b in all_brands}) == len(all_brands)
    assert all_brands[0].code == HOUSE_BRAND_CODE


def test_brands_are_shared_out_across_categories(catalog: list[DemoProduct]) -> None:
    used = Counter(p.brand_code for p in catalog)
    assert len(used) >= 0.9 * len(brands())


def test_twenty_thousand_products_generate_well_under_two_seconds() -> None:
    started = time.perf_counter()
    for _ in generate_catalog(CATALOG_SIZE):
        pass
    assert time.perf_counter() - started < 2.0


def test_store_overrides_touch_about_the_requested_share_of_products(
    catalog: list[DemoProduct],
) -> None:
    overrides = list(store_price_overrides(catalog, ["S001", "S002", "S003"], 0.03, seed=1))
    touched = {o.sku for o in overrides}
    assert 0.02 * CATALOG_SIZE < len(touched) < 0.04 * CATALOG_SIZE


def test_store_override_prices_move_five_to_fifteen_percent_in_ten_fen_steps(
    catalog: list[DemoProduct],
) -> None:
    price_of = {p.sku: p.price_fen for p in catalog}
    overrides = list(store_price_overrides(catalog, ["S001", "S002"], 0.05, seed=3))
    assert overrides
    for sku, store_code, price in overrides:
        assert store_code in {"S001", "S002"}
        assert type(price) is int and price > 0
        assert price % 10 == 0
        assert price != price_of[sku]
        base = price_of[sku]
        # 5-15%, give or take 5 fen of rounding.
        assert 5 * base - 500 <= abs(price - base) * 100 <= 15 * base + 500


def test_store_overrides_are_deterministic_and_unique_per_store(
    catalog: list[DemoProduct],
) -> None:
    stores = ["S001", "S002", "S003", "S004"]
    first = list(store_price_overrides(catalog, stores, 0.03, seed=9))
    again = list(store_price_overrides(catalog, stores, 0.03, seed=9))
    assert first == again
    assert len({(o.sku, o.store_code) for o in first}) == len(first)


def test_store_overrides_accept_a_streamed_catalog() -> None:
    overrides = store_price_overrides(generate_catalog(1_000), ["S001"], 0.1, seed=2)
    assert all(o.store_code == "S001" for o in overrides)


def test_store_overrides_for_no_stores_are_empty(catalog: list[DemoProduct]) -> None:
    assert list(store_price_overrides(catalog, [], 0.5, seed=1)) == []


def test_store_override_fraction_outside_zero_to_one_is_refused(
    catalog: list[DemoProduct],
) -> None:
    with pytest.raises(ValueError):
        store_price_overrides(catalog, ["S001"], 1.5, seed=1)
