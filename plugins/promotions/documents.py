"""The printed forms: the application and approval sheet (促销申请审批表) with the signature block
and the budget in figures and capitals, and the evaluation report (促销效果评估报告)."""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import select

from core.api import Document, db, signature_rows
from plugins.promotions.evaluation import evaluate
from plugins.promotions.flows import PROMOTION_FLOW
from plugins.promotions.i18n import _l
from plugins.promotions.models import RATINGS, MaterialRequest
from plugins.promotions.services import execution_log, load_promotion

EVALUATED = ("filed", "completed", "evaluated")


def _promotion(record_id: int, user: Any) -> Any:
    found = load_promotion(record_id, user)
    if found is None:
        abort(404)
    return found


def _application(record_id: int, user: Any) -> dict[str, Any]:
    promotion = _promotion(record_id, user)
    requested = list(db.session.scalars(select(MaterialRequest).where(MaterialRequest.promotion_id == promotion.id)))
    return {"promotion": promotion, "flow": PROMOTION_FLOW, "signatures": signature_rows(promotion),
            "requested": requested}


def _evaluation(record_id: int, user: Any) -> dict[str, Any]:
    promotion = _promotion(record_id, user)
    if promotion.state not in EVALUATED:
        abort(404)
    return {"promotion": promotion, "figures": evaluate(promotion), "log": execution_log(promotion),
            "ratings": RATINGS, "signatures": signature_rows(promotion)}


def documents() -> list[Document]:
    return [
        Document("promotion_application", _l("Promotion application and approval sheet"),
                 "promotions/print/application.html", "promotions.view", _application),
        Document("promotion_evaluation", _l("Promotion evaluation report"), "promotions/print/evaluation.html",
                 "promotions.view", _evaluation),
    ]
