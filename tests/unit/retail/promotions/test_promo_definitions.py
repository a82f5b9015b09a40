"""Promotion definitions: the wire format round-trips; bad definitions are refused by field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from retail.promotions import (
    Kind,
    PromotionDefinitionError,
    from_dict,
    load_promotions,
    to_dict,
)
from tests.unit.retail.promotions.promo_examples import EXAMPLES, KNOWN_PRODUCTS


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_definition_round_trips_through_json(name: str) -> None:
    promotion = from_dict(EXAMPLES[name], KNOWN_PRODUCTS.__contains__)
    wire = json.loads(json.dumps(to_dict(promotion)))
    assert from_dict(wire) == promotion
    assert to_dict(from_dict(wire)) == wire


def test_every_kind_has_an_example() -> None:
    assert {e["kind"] for e in EXAMPLES.values()} == {k.value for k in Kind}


def test_full_example_is_already_in_canonical_form() -> None:
    assert to_dict(from_dict(EXAMPLES["item_discount"])) == EXAMPLES["item_discount"]


def _with(name: str, path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLES[name])
    *parents, leaf = path.split(".")
    node = data
    for key in parents:
        node = node.setdefault(key, {})
    if value is _DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return data


_DELETE = object()

REFUSALS = [
    ("item_discount", "rule.percent", "101", "rule.percent", "out_of_range"),
    ("item_discount", "rule.percent", 0, "rule.percent", "out_of_range"),
    ("item_discount", "rule.percent", 12.5, "rule.percent", "invalid_type"),
    ("item_discount", "rule.percent", "12.345", "rule.percent", "invalid_value"),
    (
        "tier_discount",
        "rule.percent_by_tier",
        {"gold": "150"},
        "rule.percent_by_tier.gold",
        "out_of_range",
    ),
    ("item_discount", "target", {"product_ids": []}, "target", "empty_target"),
    ("buy_n_get_m", "target", _DELETE, "target", "required"),
    (
        "item_discount",
        "schedule.ends_at",
        "2026-10-01T00:00:00+08:00",
        "schedule.ends_at",
        "end_before_start",
    ),
    (
        "item_discount",
        "schedule.starts_at",
        "2026-11-01T00:00:00",
        "schedule.starts_at",
        "naive_datetime",
    ),
    (
        "item_discount",
        "schedule.hours",
        [["18:00", "09:00"]],
        "schedule.hours[0]",
        "end_before_start",
    ),
    ("item_discount", "schedule.weekdays", [0], "schedule.weekdays", "invalid_value"),
    ("item_discount", "target.product_ids", ["NO-SUCH"], "target.product_ids", "unknown_product"),
    (
        "bundle",
        "rule.components",
        [{"product_id": "NOPE", "qty": 1}, {"product_id": "BURGER", "qty": 1}],
        "rule.components[1].product_id",
        "unknown_product",
    ),
    ("bundle", "rule.components", [], "rule.components", "empty_target"),
    (
        "spend_threshold_gift",
        "rule.gift_product_id",
        "NOPE",
        "rule.gift_product_id",
        "unknown_product",
    ),
    ("spend_threshold_gift", "rule.gift_value", _DELETE, "rule.gift_value", "required"),
    ("spend_threshold_discount", "rule.save", 10.5, "rule.save", "invalid_type"),
    ("spend_threshold_discount", "rule.threshold", 0, "rule.threshold", "out_of_range"),
    ("points_multiplier", "rule.multiplier", 1, "rule.multiplier", "out_of_range"),
    ("mix_match", "rule.qty", 1, "rule.qty", "out_of_range"),
    ("item_discount", "kind", "discount", "kind", "invalid_choice"),
    ("item_discount", "stacking", "sometimes", "stacking", "invalid_choice"),
    ("item_discount", "format", 2, "format", "unsupported_format"),
    ("item_discount", "name", "", "name", "invalid_type"),
    ("item_discount", "rule.precent", "10", "rule.precent", "unknown_field"),
    ("item_discount", "limits.store", 0, "limits.store", "out_of_range"),
    ("item_discount", "audience.tiers", "gold", "audience.tiers", "invalid_type"),
]


@pytest.mark.parametrize(
    ("example", "path", "value", "field", "code"),
    REFUSALS,
    ids=[f"{r[3]}-{r[4]}" for r in REFUSALS],
)
def test_bad_definition_is_refused_naming_the_field(
    example: str, path: str, value: Any, field: str, code: str
) -> None:
    with pytest.raises(PromotionDefinitionError) as refused:
        from_dict(_with(example, path, value), KNOWN_PRODUCTS.__contains__)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert field in str(refused.value)


def test_batch_with_a_duplicate_id_is_refused_whole() -> None:
    batch = [EXAMPLES["item_discount"], EXAMPLES["bundle"], EXAMPLES["item_discount"]]
    with pytest.raises(PromotionDefinitionError) as refused:
        load_promotions(batch, KNOWN_PRODUCTS.__contains__)
    assert (refused.value.field, refused.value.code) == ("[2].id", "duplicate_id")
    assert "also at [0]" in refused.value.message


def test_batch_error_names_the_position_and_field() -> None:
    batch = [EXAMPLES["bundle"], _with("item_discount", "rule.percent", "120")]
    with pytest.raises(PromotionDefinitionError) as refused:
        load_promotions(batch)
    assert refused.value.field == "[1].rule.percent"


def test_valid_batch_loads_in_order() -> None:
    loaded = load_promotions([EXAMPLES["bundle"], EXAMPLES["mix_match"]])
    assert [p.id for p in loaded] == ["P-MEAL", "P-ANY3"]


def test_bundle_target_comes_from_its_components() -> None:
    bundle = from_dict(EXAMPLES["bundle"])
    assert bundle.target.product_ids == {"BURGER", "COLA-330"}


def test_whole_basket_kinds_default_to_every_product() -> None:
    assert from_dict(EXAMPLES["spend_threshold_gift"]).target.all
    assert from_dict(EXAMPLES["member_price"]).target.all


def _json_objects_in_docs() -> list[dict[str, Any]]:
    text = (Path(__file__).parents[4] / "docs" / "promotions.md").read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    objects = []
    for block in text.split("```json")[1:]:
        body = block.split("```", 1)[0].strip()
        while body:
            value, end = decoder.raw_decode(body)
            objects.append(value)
            body = body[end:].strip()
    return objects


def test_every_definition_quoted_in_the_docs_is_accepted() -> None:
    quoted = _json_objects_in_docs()
    assert len(quoted) >= 12
    assert {d["kind"] for d in quoted} == {k.value for k in Kind}
    for definition in quoted:
        assert to_dict(from_dict(definition))["id"] == definition["id"]
