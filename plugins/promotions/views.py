"""Promotion pages: the list, the application form, the promotion's page with its review,
execution log, completion and evaluation, and the case library."""
from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select

from core.api import (
    Region,
    approval_rounds,
    choices,
    commit,
    db,
    local_now,
    permission_required,
    signature_rows,
    tasks_of,
    timeline,
)
from plugins.promotions import forms
from plugins.promotions.flows import EDITABLE, PROMOTION_FLOW
from plugins.promotions.i18n import _
from plugins.promotions.models import (
    RATINGS,
    ExecutionEntry,
    ExecutionPhoto,
    MaterialItem,
    MaterialRequest,
    Promotion,
)
from plugins.promotions.photos import MAX_PHOTOS, PhotoRefused, photo_dir
from plugins.promotions.services import (
    LOG_SHOWN,
    ApplicationData,
    PromotionRefused,
    complete,
    execution_log,
    load_promotion,
    log_execution,
    may_execute,
    promotion_condition,
    save_application,
    submit,
    target_codes,
    target_rules,
    withdraw,
)

bp = Blueprint("promotions", __name__, url_prefix="/promotions")
PAGE_SIZE = 50
SHOWN_CODES = 500
MAX_PAGE = 10_000


def page_arg() -> int:
    """The ``page`` of a paged list, 1 up to a bound (a huge number would overflow the OFFSET)."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def _promotion(promotion_id: int, lock: bool = False) -> Promotion:
    found = load_promotion(promotion_id, current_user, lock=lock)
    if found is None:
        abort(404)
    return found


def _back(promotion: Promotion, anchor: str = "") -> Any:
    return redirect(url_for("promotions.promotion", promotion_id=promotion.id) + anchor)


@bp.route("/")
@permission_required("promotions.view")
def index():
    state = request.args.get("state", "")
    mine = request.args.get("mine") == "1"
    stmt = select(Promotion).where(promotion_condition(current_user))
    if state in PROMOTION_FLOW.states:
        stmt = stmt.where(Promotion.state == state)
    if mine:
        stmt = stmt.where(Promotion.applicant_id == current_user.id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page_arg(), pages)
    promotions = db.session.scalars(stmt.order_by(Promotion.created_at.desc(), Promotion.id.desc())
                                    .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("promotions/index.html", promotions=promotions, flow=PROMOTION_FLOW, state=state,
                           mine=mine, page=page, pages=pages, total=total)


def _regions() -> list[tuple[int, str]]:
    stmt = select(Region.id, Region.name).order_by(Region.name)
    if not current_user.can("customers.view_all") and current_user.region_id is not None:
        stmt = stmt.where(Region.id == current_user.region_id)
    return list(db.session.execute(stmt).all())


def _items() -> list[Any]:
    return choices([(0, "—")] + [(i.id, f"{i.name} ({i.unit})" if i.unit else i.name) for i in db.session.scalars(
        select(MaterialItem).where(MaterialItem.active.is_(True)).order_by(MaterialItem.code))])


def _application_form(promotion: Promotion | None = None) -> forms.ApplicationForm:
    form = forms.ApplicationForm(obj=None)
    form.region_id.choices = choices(_regions())
    form.target_rule.choices = choices([("", _("None: by code only"))] + [(key, rule.label)
                                                                          for key, rule in target_rules().items()])
    items = _items()
    for entry in form.materials:
        entry.item_id.choices = items
    return form


def _fill(form: forms.ApplicationForm, promotion: Promotion) -> None:
    for name in ("title", "region_id", "period_start", "period_end", "situation_before", "purpose", "plan",
                 "target_new_customers"):
        getattr(form, name).data = getattr(promotion, name)
    form.target_rule.data = promotion.target_rule or ""
    form.target_tonnes.data = f"{promotion.target_kg / 1000:g}" if promotion.target_kg else ""
    form.target_amount.data = promotion.target_amount_cents
    form.budget.data = promotion.budget_cents
    if not promotion.target_rule:
        form.target_codes.data = "\n".join(target_codes(promotion))
    requested = list(db.session.scalars(select(MaterialRequest).where(MaterialRequest.promotion_id == promotion.id)))
    while len(form.materials) < len(requested) + 1 and len(form.materials) < form.materials.max_entries:
        form.materials.append_entry()
        form.materials[-1].item_id.choices = form.materials[0].item_id.choices
    for entry, row in zip(form.materials, requested, strict=False):
        entry.item_id.data, entry.quantity.data = row.item_id, row.quantity


def _data(form: forms.ApplicationForm) -> ApplicationData:
    materials: dict[int, int] = {}
    for entry in form.materials:
        if entry.item_id.data and entry.quantity.data:
            materials[entry.item_id.data] = materials.get(entry.item_id.data, 0) + entry.quantity.data
    return ApplicationData(
        title=form.title.data.strip(), region_id=form.region_id.data, period_start=form.period_start.data,
        period_end=form.period_end.data, situation_before=form.situation_before.data.strip(),
        purpose=form.purpose.data.strip(), plan=form.plan.data.strip(), target_kg=forms.kg_of(form.target_tonnes.data),
        target_amount_cents=form.target_amount.data or 0, target_new_customers=form.target_new_customers.data or 0,
        budget_cents=form.budget.data, target_codes=form.target_codes.data or "",
        target_rule=form.target_rule.data or None, materials=materials)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("promotions.apply")
def new():
    form = _application_form()
    if request.method == "GET":
        form.region_id.data = current_user.region_id
        today = local_now().date()
        form.period_start.data = today
    if form.validate_on_submit():
        try:
            promotion = save_application(_data(form), current_user)
            commit()
        except PromotionRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            flash(_("Draft %(number)s saved. Submit it for approval when it is complete.", number=promotion.number),
                  "success")
            return _back(promotion)
    return render_template("promotions/form.html", form=form, promotion=None)


@bp.route("/<id:promotion_id>/edit", methods=["GET", "POST"])
@permission_required("promotions.apply")
def edit(promotion_id: int):
    promotion = _promotion(promotion_id)
    if promotion.applicant_id != current_user.id or promotion.state not in EDITABLE:
        abort(404)
    form = _application_form(promotion)
    if request.method == "GET":
        _fill(form, promotion)
    elif form.validate_on_submit():
        promotion = _promotion(promotion_id, lock=True)
        was_reviewed = promotion.state in ("submitted", "approved", "filed")
        try:
            save_application(_data(form), current_user, promotion)
            commit()
        except PromotionRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            if was_reviewed and promotion.state == "submitted":
                flash(_("Saved. The change voids the approvals: the review starts again."), "warning")
            else:
                flash(_("Saved."), "success")
            return _back(promotion)
    return render_template("promotions/form.html", form=form, promotion=promotion)


@bp.route("/<id:promotion_id>")
@permission_required("promotions.view")
def promotion(promotion_id: int):
    record = _promotion(promotion_id)
    open_tasks = [task for task in tasks_of(record, open_only=True)]
    requested = list(db.session.scalars(select(MaterialRequest).where(MaterialRequest.promotion_id == record.id)))
    codes = target_codes(record, SHOWN_CODES)
    execution_form = forms.ExecutionForm()
    if not execution_form.happened_on.data:
        execution_form.happened_on.data = local_now().date()
    return render_template(
        "promotions/promotion.html", promotion=record, flow=PROMOTION_FLOW, rounds=approval_rounds(record),
        signatures=signature_rows(record), open_tasks=open_tasks, requested=requested, codes=codes,
        log=execution_log(record), events=timeline(record, parts=(ExecutionEntry.promotion_id, MaterialRequest.promotion_id)),
        comment_form=forms.CommentForm(), execution_form=execution_form, completion_form=forms.CompletionForm(),
        issue_form=forms.IssueForm(), may_execute=may_execute(record, current_user), ratings=RATINGS,
        max_photos=MAX_PHOTOS, log_shown=LOG_SHOWN)


@bp.route("/<id:promotion_id>/submit", methods=["POST"])
@permission_required("promotions.apply")
def submit_promotion(promotion_id: int):
    record, form = _promotion(promotion_id, lock=True), forms.CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        submit(record, current_user, form.comment.data or "")
        commit()
    except PromotionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        flash(_("Submitted: the reviewers are told in turn."), "success")
    return _back(record)


@bp.route("/<id:promotion_id>/withdraw", methods=["POST"])
@permission_required("promotions.apply")
def withdraw_promotion(promotion_id: int):
    record, form = _promotion(promotion_id, lock=True), forms.CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        withdraw(record, current_user)
        commit()
    except PromotionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        flash(_("Withdrawn: the application is a draft again."), "success")
    return _back(record)


@bp.route("/<id:promotion_id>/execution", methods=["POST"])
@permission_required("promotions.execute")
def add_execution(promotion_id: int):
    record, form = _promotion(promotion_id, lock=True), forms.ExecutionForm()
    if not form.validate_on_submit():
        flash("; ".join(f"{form[name].label.text}: {error}" for name, errors in form.errors.items()
                        for error in errors), "error")
        return _back(record, "#execution")
    photos = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if len(photos) > MAX_PHOTOS:
        flash(_("At most %(count)d photos per entry.", count=MAX_PHOTOS), "error")
        return _back(record, "#execution")
    try:
        log_execution(record, current_user, form.happened_on.data, form.activity.data, form.spend.data or 0, photos)
        commit()
    except (PromotionRefused, PhotoRefused) as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        flash(_("Logged."), "success")
    return _back(record, "#execution")


@bp.route("/photos/<id:photo_id>")
@permission_required("promotions.view")
def photo(photo_id: int):
    found = db.session.execute(select(ExecutionPhoto, ExecutionEntry.promotion_id)
                               .join(ExecutionEntry, ExecutionEntry.id == ExecutionPhoto.entry_id)
                               .where(ExecutionPhoto.id == photo_id)).first()
    if found is None:
        abort(404)
    _promotion(found[1])
    return send_from_directory(photo_dir(), found[0].stored_name, mimetype=found[0].content_type,
                               download_name=found[0].original_name, max_age=3600)


@bp.route("/<id:promotion_id>/complete", methods=["POST"])
@permission_required("promotions.view")
def complete_promotion(promotion_id: int):
    record, form = _promotion(promotion_id, lock=True), forms.CompletionForm()
    if not form.validate_on_submit():
        flash(_("Choose how far the targets were met and describe it."), "error")
        return _back(record, "#completion")
    try:
        complete(record, current_user, form.rating.data, form.note.data)
        commit()
    except PromotionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        flash(_("Completion assessed: the department evaluates the effect next."), "success")
    return _back(record)


@bp.route("/cases")
@permission_required("promotions.view")
def cases():
    """The shared library of success cases: every success case, whoever ran it (学习推广)."""
    page = page_arg()
    rows = db.session.scalars(select(Promotion).where(Promotion.success_case.is_(True))
                              .order_by(Promotion.evaluated_at.desc(), Promotion.id.desc())
                              .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("promotions/cases.html", cases=rows[:PAGE_SIZE], page=page,
                           more=len(rows) > PAGE_SIZE)


from plugins.promotions import evaluation_views, materials_views  # noqa: E402,F401  (their routes)
