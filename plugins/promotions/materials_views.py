"""Promotional materials pages: stock and receipts, regional plans, issues, ledger and report."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.api import (
    Region,
    approval_rounds,
    choices,
    commit,
    db,
    id_arg,
    local_now,
    parse_day,
    permission_required,
    signature_rows,
    timeline,
)
from plugins.promotions import forms
from plugins.promotions.flows import PLAN_FLOW
from plugins.promotions.i18n import _
from plugins.promotions.materials import (
    PLAN_EDITABLE,
    MaterialsRefused,
    PlanData,
    issue_for_plan,
    issue_for_promotion,
    receive,
    report_by_region_and_item,
    save_plan,
    submit_plan,
)
from plugins.promotions.models import (
    MaterialItem,
    MaterialPlan,
    MaterialPlanLine,
    MaterialRequest,
    StockMove,
)
from plugins.promotions.views import PAGE_SIZE, _back, _items, _promotion, bp, page_arg

LEDGER_PAGE = 100


def _all_regions() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Region.id, Region.name).order_by(Region.name)).all())


def _flash_form(form: Any) -> None:
    flash("; ".join(f"{form[name].label.text}: {error}" for name, errors in form.errors.items()
                    for error in (errors if isinstance(errors, list) else [errors])), "error")


@bp.route("/materials", methods=["GET"])
@permission_required("promotions.view")
def materials():
    items = db.session.scalars(select(MaterialItem).order_by(MaterialItem.code)).all()
    receipt = forms.ReceiptForm()
    receipt.item_id.choices = choices([(i.id, i.name) for i in items if i.active])
    return render_template("promotions/materials.html", items=items, item_form=forms.ItemForm(),
                           receipt_form=receipt)


@bp.route("/materials/items", methods=["POST"])
@permission_required("promotions.materials")
def add_item():
    form = forms.ItemForm()
    if not form.validate_on_submit():
        _flash_form(form)
        return redirect(url_for("promotions.materials"))
    db.session.add(MaterialItem(code=form.code.data.strip(), name=form.name.data.strip(),
                                unit=(form.unit.data or "").strip(), stock=0))
    try:
        commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("The code %(code)s is taken.", code=form.code.data.strip()), "error")
    else:
        flash(_("Added %(name)s.", name=form.name.data.strip()), "success")
    return redirect(url_for("promotions.materials"))


@bp.route("/materials/receipts", methods=["POST"])
@permission_required("promotions.materials")
def add_receipt():
    form = forms.ReceiptForm()
    form.item_id.choices = choices([(i.id, i.name) for i in db.session.scalars(select(MaterialItem))])
    if not form.validate_on_submit():
        _flash_form(form)
        return redirect(url_for("promotions.materials"))
    item = db.session.get(MaterialItem, form.item_id.data)
    receive(item, form.quantity.data, current_user, form.note.data or "")
    commit()
    flash(_("Received %(quantity)d of %(item)s: %(stock)d in stock.", quantity=form.quantity.data, item=item.name,
            stock=item.stock), "success")
    return redirect(url_for("promotions.materials"))


@bp.route("/materials/ledger")
@permission_required("promotions.view")
def ledger():
    item_id = id_arg(request.args, "item")
    page = page_arg()
    stmt = select(StockMove)
    if item_id:
        stmt = stmt.where(StockMove.item_id == item_id)
    rows = db.session.scalars(stmt.order_by(StockMove.at.desc(), StockMove.id.desc())
                              .limit(LEDGER_PAGE + 1).offset((page - 1) * LEDGER_PAGE)).all()
    items = db.session.scalars(select(MaterialItem).order_by(MaterialItem.code)).all()
    return render_template("promotions/ledger.html", moves=rows[:LEDGER_PAGE], more=len(rows) > LEDGER_PAGE,
                           page=page, items=items, item_id=item_id)


@bp.route("/materials/report")
@permission_required("promotions.view")
def report():
    first, last = parse_day(request.args.get("from")), parse_day(request.args.get("to"))
    return render_template("promotions/report.html", rows=report_by_region_and_item(first, last),
                           first=first, last=last)


# -- plans --------------------------------------------------------------------------------------------

@bp.route("/plans")
@permission_required("promotions.view")
def plans():
    page = page_arg()
    rows = db.session.scalars(select(MaterialPlan).order_by(MaterialPlan.created_at.desc(), MaterialPlan.id.desc())
                              .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("promotions/plans.html", plans=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, page=page,
                           flow=PLAN_FLOW)


def _plan_form() -> forms.PlanForm:
    form = forms.PlanForm()
    form.region_id.choices = choices(_all_regions())
    items = _items()
    for entry in form.lines:
        entry.item_id.choices = items
    return form


def _plan_data(form: forms.PlanForm) -> PlanData:
    lines: dict[int, int] = {}
    for entry in form.lines:
        if entry.item_id.data and entry.quantity.data:
            lines[entry.item_id.data] = lines.get(entry.item_id.data, 0) + entry.quantity.data
    return PlanData(form.region_id.data, form.period_start.data, form.period_end.data,
                    (form.note.data or "").strip(), lines)


def _plan(plan_id: int, lock: bool = False) -> MaterialPlan:
    stmt = select(MaterialPlan).where(MaterialPlan.id == plan_id)
    if lock:
        stmt = stmt.with_for_update(of=MaterialPlan).execution_options(populate_existing=True)
    found = db.session.scalar(stmt)
    if found is None:
        abort(404)
    return found


@bp.route("/plans/new", methods=["GET", "POST"])
@bp.route("/plans/<id:plan_id>/edit", methods=["GET", "POST"])
@permission_required("promotions.materials")
def plan_form(plan_id: int | None = None):
    plan = _plan(plan_id) if plan_id else None
    if plan is not None and plan.state not in PLAN_EDITABLE:
        abort(404)
    form = _plan_form()
    if request.method == "GET":
        if plan is not None:
            form.region_id.data, form.note.data = plan.region_id, plan.note
            form.period_start.data, form.period_end.data = plan.period_start, plan.period_end
            for entry, line in zip(form.lines, plan.lines, strict=False):
                entry.item_id.data, entry.quantity.data = line.item_id, line.quantity
        else:
            form.period_start.data = local_now().date().replace(day=1)
    elif form.validate_on_submit():
        try:
            plan = save_plan(_plan_data(form), current_user, _plan(plan_id, lock=True) if plan_id else None)
            commit()
        except MaterialsRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            flash(_("Plan %(number)s saved.", number=plan.number), "success")
            return redirect(url_for("promotions.plan", plan_id=plan.id))
    return render_template("promotions/plan_form.html", form=form, plan=plan)


@bp.route("/plans/<id:plan_id>")
@permission_required("promotions.view")
def plan(plan_id: int):
    record = _plan(plan_id)
    return render_template("promotions/plan.html", plan=record, flow=PLAN_FLOW, rounds=approval_rounds(record),
                           signatures=signature_rows(record), comment_form=forms.CommentForm(),
                           issue_form=forms.IssueForm(), events=timeline(record, parts=(MaterialPlanLine.plan_id,)),
                           editable=PLAN_EDITABLE)


@bp.route("/plans/<id:plan_id>/submit", methods=["POST"])
@permission_required("promotions.materials")
def submit_plan_view(plan_id: int):
    record, form = _plan(plan_id, lock=True), forms.CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        submit_plan(record, current_user, form.comment.data or "")
        commit()
    except MaterialsRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        flash(_("Submitted: the reviewers are told in turn."), "success")
    return redirect(url_for("promotions.plan", plan_id=record.id))


def _issue(line: Any, issue: Any) -> None:
    form = forms.IssueForm()
    if not form.validate_on_submit():
        _flash_form(form)
        return
    try:
        move = issue(line, form.quantity.data, current_user, form.note.data or "")
        commit()
    except MaterialsRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        flash(_("Issued %(quantity)d of %(item)s: %(stock)d left in stock.", quantity=-move.quantity,
                item=move.item.name, stock=move.balance), "success")


@bp.route("/plans/<id:plan_id>/issue", methods=["POST"])
@permission_required("promotions.materials")
def issue_plan(plan_id: int):
    record = _plan(plan_id)
    line = db.session.scalar(select(MaterialPlanLine).where(
        MaterialPlanLine.id == id_arg(request.form, "line_id"), MaterialPlanLine.plan_id == record.id))
    if line is None:
        abort(404)
    _issue(line, issue_for_plan)
    return redirect(url_for("promotions.plan", plan_id=record.id))


@bp.route("/<id:promotion_id>/issue", methods=["POST"])
@permission_required("promotions.materials")
def issue_promotion(promotion_id: int):
    record = _promotion(promotion_id)
    line = db.session.scalar(select(MaterialRequest).where(
        MaterialRequest.id == id_arg(request.form, "line_id"), MaterialRequest.promotion_id == record.id))
    if line is None:
        abort(404)
    _issue(line, issue_for_promotion)
    return _back(record, "#materials")

