"""An index of promotions by product, category and brand, built once per promotion set.

A till holds thousands of active promotions but a basket touches few of them;
looking candidates up by the basket's products, categories and brands keeps
pricing proportional to the basket, not to the promotion book.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from retail.promotions.basket import PricingLine
from retail.promotions.definitions import Promotion

#: Distinct (product, category, brand) match lists a book remembers before starting over.
MATCH_CACHE_SIZE = 100_000


class PromotionBook:
    """Promotions indexed for candidate lookup; the promotions never change once built."""

    def __init__(self, promotions: Iterable[Promotion]) -> None:
        self.promotions: tuple[Promotion, ...] = tuple(sorted(promotions, key=lambda p: p.id))
        for before, after in zip(self.promotions, self.promotions[1:], strict=False):
            if before.id == after.id:
                raise ValueError(f"promotion id {after.id!r} appears twice in the book")
        by_product: defaultdict[str, list[Promotion]] = defaultdict(list)
        by_category: defaultdict[str, list[Promotion]] = defaultdict(list)
        by_brand: defaultdict[str, list[Promotion]] = defaultdict(list)
        everywhere: list[Promotion] = []
        for promotion in self.promotions:
            target = promotion.target
            if target.all:
                everywhere.append(promotion)
                continue
            for product in target.product_ids:
                by_product[product].append(promotion)
            for category in target.category_ids:
                by_category[category].append(promotion)
            for brand in target.brand_ids:
                by_brand[brand].append(promotion)
        self._by_product = dict(by_product)
        self._by_category = dict(by_category)
        self._by_brand = dict(by_brand)
        self._everywhere = tuple(everywhere)
        # A till sells the same products all day: remember each product's matches.
        self._matching: dict[tuple[str, str | None, str | None], tuple[Promotion, ...]] = {}

    def __len__(self) -> int:
        return len(self.promotions)

    def matching(self, line: PricingLine) -> tuple[Promotion, ...]:
        """Promotions whose target takes this line (no particular order)."""
        key = (line.product_id, line.category_id, line.brand_id)
        known = self._matching.get(key)
        if known is None:
            if len(self._matching) >= MATCH_CACHE_SIZE:
                self._matching.clear()
            known = self._matching[key] = self._match(line)
        return known

    def _match(self, line: PricingLine) -> tuple[Promotion, ...]:
        found: dict[str, Promotion] = {}
        for bucket in (
            self._everywhere,
            self._by_product.get(line.product_id, ()),
            self._by_category.get(line.category_id, ()) if line.category_id is not None else (),
            self._by_brand.get(line.brand_id, ()) if line.brand_id is not None else (),
        ):
            for promotion in bucket:
                if line.product_id not in promotion.target.exclude_product_ids:
                    found[promotion.id] = promotion
        return tuple(found.values())

    def candidates(self, lines: Iterable[PricingLine]) -> list[Promotion]:
        """Promotions whose target may match at least one line, in id order."""
        found: dict[str, Promotion] = {p.id: p for p in self._everywhere}
        for line in lines:
            for promotion in self._by_product.get(line.product_id, ()):
                found[promotion.id] = promotion
            if line.category_id is not None:
                for promotion in self._by_category.get(line.category_id, ()):
                    found[promotion.id] = promotion
            if line.brand_id is not None:
                for promotion in self._by_brand.get(line.brand_id, ()):
                    found[promotion.id] = promotion
        return [found[key] for key in sorted(found)]
