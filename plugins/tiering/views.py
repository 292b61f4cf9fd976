"""Customer tiering pages: the overview with its charts, recomputes, runs, overrides."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select

from core.api import (
    ApprovalRefused,
    Customer,
    MaxFileSize,
    TransitionRefused,
    approval_rounds,
    commit,
    db,
    get_visible_or_404,
    in_date_window,
    local_now,
    permission_required,
    read_table,
    record_event,
    remove_stale,
    start_job,
    store_upload,
    upload_dir,
    write_xlsx,
)
from plugins.tiering import sales_import
from plugins.tiering.forms import KeyEvaluationForm, KeyPlanForm, OverrideForm
from plugins.tiering.i18n import _, _l
from plugins.tiering.key_accounts import (
    EDITABLE_STATES,
    PLAN_FLOW,
    evaluation_recorded,
    submit_plan,
)
from plugins.tiering.labels import ATTRIBUTE_LABELS, GRADE_LABELS, attribute_value
from plugins.tiering.models import KeyEvaluation, KeyPlan, Run
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
@permission_required("tiering.recompute")  # company-wide movements: for the managers who recompute
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


def sales_source_elsewhere() -> bool:
    from flask import current_app

    from plugins.tiering.plugin import sales_source_elsewhere as elsewhere

    return elsewhere(current_app)


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



# -- contact plan ------------------------------------------------------------------------------

@bp.route("/contact-plan")
@permission_required("tiering.compliance")
def contact_plan():
    from plugins.tiering.contact_plan import compliance
    from plugins.tiering.settings import calls_per_month

    today = local_now().date()
    month = _month_arg(request.args.get("month", "")) or today.replace(day=1)
    reps, regions = compliance(month, current_user)
    return render_template("tiering/contact_plan.html", reps=reps, regions=regions, month=month,
                           plan=calls_per_month(), grades=GRADE_LABELS)


def _month_arg(text: str) -> date | None:
    """``2026-11`` from the query string; anything else (or an absurd year) is ignored."""
    year, _dash, month = text.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
        return None
    found = date(int(year), int(month), 1)
    return found if in_date_window(found) else None


# -- imported monthly sales --------------------------------------------------------------------

SALES_KIND = "tiering_sales"
SALES_MAX_AGE_HOURS = 24


class SalesUploadForm(FlaskForm):
    upload = FileField(_l("Excel (.xlsx) or CSV file"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx", "csv"], _l("Upload an .xlsx or .csv file made from the template.")),
        MaxFileSize("IMPORT_MAX_BYTES")])


def _language() -> str:
    return "zh" if str(get_locale() or "zh").startswith("zh") else "en"


def _stored_sales(token: str) -> Path:
    name = session.get(SALES_KIND, {}).get(token)
    path = upload_dir(SALES_KIND) / name if name else None
    if path is None or not path.exists():
        abort(404)
    return path


def _sales_report(path: Path) -> sales_import.SalesReport:
    try:
        table = read_table(path)
    except Exception:  # noqa: BLE001 - a damaged or mislabelled file: a message, never a traceback
        return sales_import.SalesReport([], [_("The file could not be read. Save it again from the template.")])
    return sales_import.validate(table)


@bp.route("/sales", methods=["GET", "POST"])
@permission_required("tiering.import")
def sales_upload():
    form = SalesUploadForm()
    if form.validate_on_submit():
        remove_stale(SALES_KIND, SALES_MAX_AGE_HOURS)
        _original, stored = store_upload(form.upload.data, SALES_KIND)
        token = stored.split(".")[0]
        session[SALES_KIND] = {token: stored}
        return redirect(url_for("tiering.sales_preview", token=token), 303)
    return render_template("tiering/sales_upload.html", form=form, source_elsewhere=sales_source_elsewhere())


@bp.route("/sales/template.xlsx")
@permission_required("tiering.import")
def sales_template():
    data = write_xlsx(sales_import.header_labels(_language()), [])
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = 'attachment; filename="monthly-sales.xlsx"'
    return response


@bp.route("/sales/<token>")
@permission_required("tiering.import")
def sales_preview(token: str):
    report = _sales_report(_stored_sales(token))
    return render_template("tiering/sales_preview.html", report=report, token=token, form=FlaskForm())


@bp.route("/sales/<token>/confirm", methods=["POST"])
@permission_required("tiering.import")
def sales_confirm(token: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    path = _stored_sales(token)
    report = _sales_report(path)
    if not report.ok:
        flash(_("The file has errors; nothing was imported."), "error")
        return redirect(url_for("tiering.sales_preview", token=token), 303)
    added, replaced = sales_import.apply(report)
    record_event("tiering_monthly_sales", None, "import", {"rows": len(report.rows), "added": added,
                                                           "replaced": replaced})
    commit()
    path.unlink(missing_ok=True)
    session.pop(SALES_KIND, None)
    flash(_("Monthly sales imported: %(added)s months added, %(replaced)s replaced. They count from the next "
            "recompute.", added=added, replaced=replaced), "success")
    return redirect(url_for("tiering.index"), 303)


# -- key accounts ------------------------------------------------------------------------------

@bp.route("/customers/<id:customer_id>/plans/new", methods=["GET", "POST"])
@permission_required("tiering.key_accounts")
def plan_new(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    form = KeyPlanForm()
    if form.validate_on_submit():
        plan = KeyPlan(customer_id=customer.id, author_id=current_user.id)
        form.populate_obj(plan)
        db.session.add(plan)
        commit()
        flash(_("Plan saved as a draft; submit it for review when it is complete."), "success")
        return redirect(url_for("tiering.plan", plan_id=plan.id), 303)
    return render_template("tiering/plan_form.html", form=form, customer=customer, plan=None)


@bp.route("/plans/<id:plan_id>", methods=["GET", "POST"])
@permission_required("tiering.view")
def plan(plan_id: int):
    found = get_visible_or_404(KeyPlan, plan_id)
    editable = found.state in EDITABLE_STATES and current_user.can("tiering.key_accounts")
    form = KeyPlanForm(obj=found) if editable else None
    if form is not None and form.validate_on_submit():
        form.populate_obj(found)
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("tiering.plan", plan_id=found.id), 303)
    return render_template("tiering/plan.html", plan=found, form=form, flow=PLAN_FLOW,
                           rounds=approval_rounds(found), customer=found_customer(found),
                           submit_form=FlaskForm())


def found_customer(record: Any) -> Customer:
    return db.session.get(Customer, record.customer_id)


@bp.route("/plans/<id:plan_id>/submit", methods=["POST"])
@permission_required("tiering.key_accounts")
def plan_submit(plan_id: int):
    found = get_visible_or_404(KeyPlan, plan_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        submit_plan(found, current_user)
    except (TransitionRefused, ApprovalRefused) as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("tiering.plan", plan_id=plan_id), 303)
    commit()
    flash(_("Submitted: the department manager reviews it, then the department files it."), "success")
    return redirect(url_for("tiering.plan", plan_id=plan_id), 303)


@bp.route("/customers/<id:customer_id>/evaluations/new", methods=["GET", "POST"])
@permission_required("tiering.key_accounts")
def evaluation_new(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    form = KeyEvaluationForm()
    if request.method == "GET":
        form.evaluated_on.data = local_now().date()
    if form.validate_on_submit():
        evaluation = KeyEvaluation(customer_id=customer.id, author_id=current_user.id)
        form.populate_obj(evaluation)
        for score in ("volume", "payment", "cooperation", "potential"):
            setattr(evaluation, score, int(getattr(form, score).data))
        db.session.add(evaluation)
        evaluation_recorded(customer, current_user)
        commit()
        flash(_("Evaluation recorded."), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id) + "#tiering-panel", 303)
    return render_template("tiering/evaluation_form.html", form=form, customer=customer)
