"""The evaluation page: the figures from real sales and the written summary (促销效果评估)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.api import commit, db, permission_required
from plugins.promotions.evaluation import evaluate
from plugins.promotions.forms import EvaluationForm
from plugins.promotions.i18n import _
from plugins.promotions.services import SUMMARY, PromotionRefused, save_evaluation
from plugins.promotions.views import _promotion, bp

SHOWN = ("filed", "completed", "evaluated")


@bp.route("/<id:promotion_id>/evaluation", methods=["GET", "POST"])
@permission_required("promotions.view")
def evaluation(promotion_id: int):
    record = _promotion(promotion_id)
    if record.state not in SHOWN:
        abort(404)
    form = EvaluationForm()
    if request.method == "GET":
        for name in (*SUMMARY, "success_case"):
            getattr(form, name).data = getattr(record, name)
    elif not current_user.can("promotions.evaluate"):
        abort(403)
    elif form.validate_on_submit():
        record = _promotion(promotion_id, lock=True)
        try:
            save_evaluation(record, current_user, {name: getattr(form, name).data for name in (*SUMMARY, "success_case")})
            commit()
        except PromotionRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            flash(_("Evaluation saved."), "success")
            return redirect(url_for("promotions.evaluation", promotion_id=record.id))
    return render_template("promotions/evaluation.html", promotion=record, figures=evaluate(record), form=form)
