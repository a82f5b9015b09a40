"""HQ's promotions API: define, list, pause, resume, end and preview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify
from sqlalchemy.orm import Session, sessionmaker

from chainpos.auth import require_staff
from chainpos.db import unit_of_work, utcnow
from chainpos.web import doc, json_body, load, load_query
from hq_server.promotions import services
from hq_server.promotions.schemas import (
    PreviewRequestSchema,
    PreviewSchema,
    PromotionListQuerySchema,
    PromotionSchema,
)
from retail.promotions.definitions import to_dict

bp = Blueprint("hq_promotions", __name__, url_prefix="/api/v1/promotions")
ADMIN = "admin"


def _factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["chainpos.sessions"]
    return factory


@bp.post("")
@doc(
    "Define a promotion (checked field by field; nothing is saved on error)",
    body=PromotionSchema,
    response=PromotionSchema,
    security="bearer",
)
@require_staff(ADMIN)
def define() -> Any:
    data = json_body()
    with unit_of_work(_factory()) as session:
        promotion = services.define(session, data, g.staff_code)
    return jsonify(to_dict(promotion)), 201


@bp.get("")
@doc(
    "List promotions",
    query=PromotionListQuerySchema,
    response=PromotionSchema,
    many=True,
    security="bearer",
)
@require_staff()
def list_promotions() -> Any:
    query = load_query(PromotionListQuerySchema())
    with unit_of_work(_factory()) as session:
        return jsonify(services.list_all(session, query.get("status")))


@bp.get("/<promotion_id>")
@doc("One promotion", response=PromotionSchema, security="bearer")
@require_staff()
def get_promotion(promotion_id: str) -> Any:
    with unit_of_work(_factory()) as session:
        return jsonify(services.get(session, promotion_id))


def _transition(action: str, summary: str) -> None:
    def view(promotion_id: str) -> Any:
        with unit_of_work(_factory()) as session:
            promotion = services.change_status(session, promotion_id, action, g.staff_code)
        return jsonify(to_dict(promotion))

    view.__name__ = f"{action}_promotion"
    bp.add_url_rule(
        f"/<promotion_id>/{action}",
        view.__name__,
        doc(summary, response=PromotionSchema, security="bearer")(require_staff(ADMIN)(view)),
        methods=["POST"],
    )


_transition("pause", "Pause a promotion (tills stop applying it when the change arrives)")
_transition("resume", "Resume a paused promotion")
_transition("end", "End a promotion for good")


@bp.post("/preview")
@doc(
    "Price a sample basket with one promotion before it goes live",
    body=PreviewRequestSchema,
    response=PreviewSchema,
    security="bearer",
)
@require_staff()
def preview() -> Any:
    data = load(PreviewRequestSchema())
    with unit_of_work(_factory()) as session:
        priced = services.preview(
            session, data["promotion"], data["lines"], data["store"], data["at"] or utcnow()
        )
    return jsonify(
        {
            "lines": [
                {
                    "line_no": line.line_no,
                    "sku": line.product_id,
                    "regular_amount": line.regular_amount,
                    "amount": line.amount,
                    "savings": [
                        {"promotion_id": s.promotion_id, "name": s.name, "amount": s.amount}
                        for s in line.savings
                    ],
                }
                for line in priced.lines
            ],
            "gifts": [
                {
                    "sku": gift.product_id,
                    "qty": gift.qty,
                    "promotion_id": gift.promotion_id,
                    "value": gift.value,
                }
                for gift in priced.gifts
            ],
            "regular_total": priced.regular_total,
            "total": priced.total,
            "saving": priced.total_saving,
        }
    )
