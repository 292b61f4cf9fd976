"""Customer tiering pages: the overview with its charts, recomputes, runs, overrides."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from core.api import Customer, commit, db, get_visible_or_404, permission_required, start_job
from plugins.tiering.forms import OverrideForm
from plugins.tiering.i18n import _
from plugins.tiering.labels import ATTRIBUTE_LABELS, GRADE_LABELS, attribute_value
from plugins.tiering.models import Run
from plugins.tiering.services import OverrideRefused, end_override, set_override

bp = Blueprint("tiering", __name__, url_prefix="/tiering", template_folder="templates")
RUNS_SHOWN = 10


@bp.route("/")
@permission_required("tiering.view")
def index():
    from plugins.tiering.charts import overview

    runs = db.session.scalars(select(Run).order_by(Run.id.desc()).limit(RUNS_SHOWN)).all()
    return render_template("tiering/index.html", runs=runs, charts=overview(current_user), form=FlaskForm())


@bp.route("/recompute", methods=["POST"])
@permission_required("tiering.recompute")
def recompute():
    if not FlaskForm().validate_on_submit():
        abort(400)
    run = start_job("tiering.recompute", current_user.id, user=current_user, link=url_for("tiering.index"))
    return redirect(url_for("jobs.detail", run_id=run.id), 303)


@bp.route("/runs/<id:run_id>")
@permission_required("tiering.view")
def run(run_id: int):
    found = db.session.get(Run, run_id) or abort(404)
    changes = sorted(found.summary.items(), key=lambda item: (-item[1], item[0]))
    rows = []
    for change, count in changes:
        attribute, _colon, pair = change.partition(":")
        old, _arrow, new = pair.partition("→")
        rows.append((ATTRIBUTE_LABELS.get(attribute, attribute), attribute_value(attribute, _none(old)),
                     attribute_value(attribute, _none(new)), count))
    return render_template("tiering/run.html", run=found, rows=rows)


def _none(text: str) -> str | None:
    return None if text in ("None", "") else text


@bp.route("/customers/<id:customer_id>/override", methods=["POST"])
@permission_required("tiering.override")
def override(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    form = OverrideForm()
    back = url_for("customers.detail", customer_id=customer.id) + "#tiering-panel"
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(back, 303)
    try:
        set_override(customer, form.grade.data, form.reason.data, form.expires_on.data, current_user)
    except OverrideRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(back, 303)
    commit()
    flash(_("%(name)s is %(grade)s until %(date)s; the computed grade stays visible beside it.",
            name=customer.name, grade=GRADE_LABELS[form.grade.data], date=form.expires_on.data.isoformat()),
          "success")
    return redirect(back, 303)


@bp.route("/customers/<id:customer_id>/override/end", methods=["POST"], endpoint="end_override")
@permission_required("tiering.override")
def end_override_view(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if end_override(customer):
        commit()
        flash(_("The override ended; the computed grade applies again."), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id) + "#tiering-panel", 303)

