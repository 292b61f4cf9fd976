"""Complaints pages: the list, intake, the complaint with the step its viewer may take, batch
trace and recall, reports. Views read forms and show results; the rules are in ``services``."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from core.api import (
    Customer,
    User,
    approval_rounds,
    call,
    can_act,
    choices,
    claim_task,
    commit,
    db,
    get_visible_or_404,
    id_arg,
    permission_required,
    record_event,
    restrict,
    signature_rows,
    store_upload,
    timeline,
    upload_dir,
    utcnow,
)
from plugins.complaints import forms
from plugins.complaints import services as s
from plugins.complaints.flows import (
    ATTACHMENT_KINDS,
    CATEGORIES,
    CHANNELS,
    COMPLAINT_FLOW,
    OUTCOMES,
    PATHS,
    REMEDIES,
    SATISFACTION,
    SEVERITIES,
    SIGN_DEPARTMENTS,
    WAYS,
)
from plugins.complaints.i18n import _
from plugins.complaints.models import Attachment, Complaint, Handover
from plugins.complaints.queries import ListQuery, complaint_rows

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
CUSTOMER_CHOICES = 300  # the intake form offers this many of the user's customers (search narrows)


def words() -> dict[str, Any]:
    return {"flow": COMPLAINT_FLOW, "categories": CATEGORIES, "channels": CHANNELS, "severities": SEVERITIES,
            "paths": PATHS, "remedies": REMEDIES, "ways": WAYS, "satisfaction": SATISFACTION,
            "departments": SIGN_DEPARTMENTS, "attachment_kinds": ATTACHMENT_KINDS, "outcomes": OUTCOMES}


@bp.route("/")
@permission_required("complaints.view")
def index():
    query = ListQuery.from_args(request.args)
    rows, more = complaint_rows(query, current_user)
    return render_template("complaints/index.html", rows=rows, more=more, query=query, now_utc=utcnow(),
                           **words())


# -- intake ----------------------------------------------------------------------------------------

def _customer_choices(form: forms.IntakeForm, q: str, chosen: int | None) -> list[Any]:
    stmt = restrict(select(Customer.id, Customer.name, Customer.code), Customer, current_user)
    if q:
        like = f"%{q.replace(chr(0), '')[:50]}%"
        stmt = stmt.where(Customer.name.ilike(like) | Customer.code.ilike(like))
    rows = db.session.execute(stmt.order_by(Customer.name).limit(CUSTOMER_CHOICES)).all()
    if chosen and chosen not in {r.id for r in rows}:
        rows = list(db.session.execute(restrict(select(Customer.id, Customer.name, Customer.code)
                                                .where(Customer.id == chosen), Customer, current_user))) + rows
    form.customer_id.choices = choices((r.id, f"{r.name} ({r.code})" if r.code else r.name) for r in rows)
    return rows


def _document_choices(form: forms.IntakeForm, customer_id: int | None) -> list[dict[str, Any]]:
    documents = call("complaint_documents", customer_id=customer_id) if customer_id else []
    kinds = {"order": _("Order"), "ticket": _("Weighbridge ticket"), "batch": _("Production batch")}
    form.document.choices = choices([("", _("None"))] + [
        (f"{d['kind']}:{d['ref']}", f"{kinds.get(d['kind'], d['kind'])} {d['label']}") for d in documents])
    return documents


@bp.route("/new", methods=["GET", "POST"])
@permission_required("complaints.intake")
def new():
    form = forms.IntakeForm()
    q = (request.args.get("q") or "").strip()
    chosen = id_arg(request.args, "customer") or (id_arg(request.form, "customer_id") if request.method == "POST" else None)
    matches = _customer_choices(form, q, chosen)
    if request.method == "GET" and chosen:
        form.customer_id.data = chosen
    documents = _document_choices(form, chosen if isinstance(chosen, int) else None)
    if form.validate_on_submit():
        picked = {"order": None, "ticket": None, "batch": None}
        product = None
        if form.document.data:
            kind, _sep, ref = form.document.data.partition(":")
            match = next((d for d in documents if d["kind"] == kind and d["ref"] == ref), None)
            if match is not None:
                picked[kind], product = ref, match.get("product")
        data = s.Intake(
            customer_id=form.customer_id.data, channel=form.channel.data, category=form.category.data,
            description=form.description.data, customer_request=form.customer_request.data or "",
            severity=form.severity.data or None, severity_reason=form.severity_reason.data or "",
            order_ref=picked["order"], ticket_ref=picked["ticket"],
            batch_ref=(form.batch_ref.data or "").strip() or picked["batch"], product=product,
            spot_answer=form.spot_answer.data or "")
        try:
            complaint = s.intake(data, current_user)
            _attach(complaint, form.upload.data, form.upload_kind.data)
        except s.ComplaintRefused as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            commit()
            flash(_("Complaint %(number)s recorded.", number=complaint.number), "success")
            return redirect(url_for("complaints.detail", complaint_id=complaint.id), 303)
    return render_template("complaints/new.html", form=form, q=q, matches=matches[:20] if q and not chosen else [],
                           **words())


def _attach(complaint: Complaint, upload: Any, kind: str) -> Attachment | None:
    if not upload or not getattr(upload, "filename", ""):
        return None
    if complaint.closed:
        raise s.ComplaintRefused(_("The complaint is archived and can no longer change."))
    upload.stream.seek(0, io.SEEK_END)
    size = upload.stream.tell()
    upload.stream.seek(0)
    original, stored = store_upload(upload, "complaints")
    attachment = Attachment(complaint_id=complaint.id, customer_id=complaint.customer_id, file_name=original[:200],
                            stored_file=stored, kind=kind if kind in ATTACHMENT_KINDS else "other", size=size,
                            uploaded_by=current_user.id)
    db.session.add(attachment)
    return attachment


# -- the complaint ---------------------------------------------------------------------------------

def _step_forms(complaint: Complaint) -> dict[str, Any]:
    """The forms of the steps the viewer may take now (empty for an archived complaint)."""
    found: dict[str, Any] = {}
    if complaint.closed:
        return found
    mine = [t for t in s.open_tasks(complaint) if can_act(t, current_user)]
    kinds = {t.kind for t in mine}
    if "complaints.acknowledge" in kinds:
        found["acknowledge"] = forms.NoteForm(prefix="ack")
    if "complaints.assess" in kinds:
        found["assess"] = forms.AssessForm(prefix="assess", severity=complaint.severity)
    for kind, name in (("complaints.findings", "findings"), ("complaints.implement_plan", "implement_plan"),
                       ("complaints.report", "report")):
        if kind in kinds:
            found[name] = forms.NoteForm(prefix=name)
    if complaint.state == "minor_plan" and kinds & {"complaints.plan", "approval_resubmit"}:
        found["plan"] = forms.NoteForm(prefix="plan", text=complaint.plan)
    if "complaints.handling_form" in kinds:
        found["handling_form"] = forms.HandlingForm(prefix="form")
    if complaint.state == "departments" and kinds & {"complaints.choose_departments", "approval_resubmit"}:
        found["departments"] = forms.DepartmentsForm(prefix="dept", departments=complaint.departments,
                                                     lab_days=complaint.lab_days)
    if complaint.state == "settlement" and kinds & {"complaints.propose_settlement", "approval_resubmit"} \
            and current_user.can("complaints.settle"):
        found["settlement"] = forms.SettlementForm(prefix="settle")
        if complaint.settlement_outcome == "rejected":
            found["refuse"] = forms.DecisionForm(prefix="refuse")
    approvals = [t for t in mine if t.kind == "approval"]
    if approvals:
        found["decide"] = (approvals, forms.DecisionForm(prefix="decide"))
    implement = [t for t in mine if t.kind == "complaints.implement"]
    if implement:
        found["implement"] = (implement, forms.ImplementForm(prefix="impl"))
    if "complaints.evaluate" in kinds:
        found["evaluate"] = forms.EvaluationForm(prefix="eval")
    if "complaints.callback" in kinds:
        found["callback"] = forms.CallbackForm(prefix="call")
    if "complaints.archive" in kinds:
        found["archive"] = forms.ConfirmForm(prefix="archive")
    return found


@bp.route("/<id:complaint_id>")
@permission_required("complaints.view")
def detail(complaint_id: int):
    complaint = get_visible_or_404(Complaint, complaint_id)
    people_ids = {complaint.first_receiver_id, complaint.owner_id}
    handovers = list(db.session.scalars(select(Handover).where(Handover.complaint_id == complaint.id)
                                        .order_by(Handover.id)))
    people_ids |= {h.from_id for h in handovers} | {h.to_id for h in handovers}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(people_ids)))}
    pending = next((h for h in handovers if h.state == "pending"), None)
    handover_form = None
    if complaint.owner_id == current_user.id and pending is None and not complaint.closed:
        handover_form = forms.HandoverForm(prefix="handover")
        handover_form.to_id.choices = choices((u.id, u.display_name) for u in db.session.scalars(
            select(User).where(User.active.is_(True), User.id != current_user.id).order_by(User.display_name)
            .limit(500)))
    answer_form = forms.DecisionForm(prefix="answer") if pending is not None and pending.to_id == current_user.id \
        else None
    attachments = list(db.session.scalars(select(Attachment).where(Attachment.complaint_id == complaint.id)
                                          .order_by(Attachment.id)))
    tasks = s.open_tasks(complaint)
    return render_template(
        "complaints/detail.html", complaint=complaint, people=people, handovers=handovers, pending=pending,
        handover_form=handover_form, answer_form=answer_form, attachments=attachments, tasks=tasks,
        steps=_step_forms(complaint), rounds=approval_rounds(complaint),
        signatures=signature_rows(complaint, "complaints.sign_off"),
        settlement_signatures=signature_rows(complaint, "complaints.settlement"),
        arrival_form=forms.ArrivalForm(prefix="arrival") if not complaint.arrived_on_site_at
        and not complaint.closed and s.may_handle(complaint, current_user) else None,
        attach_form=forms.AttachForm(prefix="attach") if not complaint.closed else None,
        entries=timeline(complaint, parts=(Handover.complaint_id, Attachment.complaint_id)),
        quality=s.is_quality(complaint), **words())


def _act(complaint_id: int, form_class: type, prefix: str, run: Callable[[Complaint, Any], Any],
         done: str) -> Any:
    complaint = get_visible_or_404(Complaint, complaint_id)
    form = form_class(prefix=prefix)
    if not form.validate_on_submit():
        errors = "; ".join(f"{getattr(form, name).label.text}: {' '.join(map(str, problems))}"
                           for name, problems in form.errors.items() if hasattr(form, name))
        flash(errors or _("The form was not accepted; please try again."), "error")
        return redirect(url_for("complaints.detail", complaint_id=complaint_id), 303)
    try:
        s.lock(complaint)
        run(complaint, form)
        commit()
    except s.ComplaintRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone changed the complaint at the same time; please look again."), "error")
    else:
        flash(done, "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint_id), 303)


ACTIONS: dict[str, tuple[type, Callable[[Complaint, Any], Any], Any]] = {
    "acknowledge": (forms.NoteForm, lambda c, f: s.acknowledge(c, current_user, f.text.data or ""),
                    lambda: _("Acknowledged.")),
    "assess": (forms.AssessForm, lambda c, f: s.assess(c, current_user, f.path.data, f.severity.data,
                                                       f.reason.data or ""), lambda: _("Assessed.")),
    "findings": (forms.NoteForm, lambda c, f: s.record_findings(c, current_user, f.text.data),
                 lambda: _("Findings recorded.")),
    "plan": (forms.NoteForm, lambda c, f: s.propose_plan(c, current_user, f.text.data),
             lambda: _("The plan went to the department manager.")),
    "implement_plan": (forms.NoteForm, lambda c, f: s.plan_carried_out(c, current_user, f.text.data),
                       lambda: _("Recorded.")),
    "report": (forms.NoteForm, lambda c, f: s.report_minor(c, current_user, f.text.data), lambda: _("Reported.")),
    "handling_form": (forms.HandlingForm, lambda c, f: s.fill_handling_form(c, current_user, s.HandlingForm(
        f.loss.data, f.claim.data, f.findings.data, f.cause.data or "", f.remedy.data)),
        lambda: _("The handling form is filled in.")),
    "departments": (forms.DepartmentsForm, lambda c, f: s.choose_departments(
        c, current_user, f.departments.data or [], f.lab_days.data), lambda: _("Sent to the departments.")),
    "settlement": (forms.SettlementForm, lambda c, f: s.propose_settlement(c, current_user, s.Settlement(
        f.amount.data, f.way.data, f.on.data, f.note.data or "")),
        lambda: _("The settlement went to the general manager.")),
    "refuse": (forms.DecisionForm, lambda c, f: s.refuse_settlement(c, current_user, f.comment.data),
               lambda: _("The refusal is recorded.")),
    "evaluate": (forms.EvaluationForm, lambda c, f: s.evaluate(c, current_user, s.Evaluation(
        f.of_process.data, f.of_plan.data, f.of_result.data, f.root_cause.data or "", f.capa.data or "")),
        lambda: _("Evaluated.")),
    "callback": (forms.CallbackForm, lambda c, f: s.call_back(
        c, current_user, f.satisfaction.data, f.note.data, f.rejects.data, f.recourse.data or ""),
        lambda: _("The call-back is recorded.")),
    "archive": (forms.ConfirmForm, lambda c, f: s.archive(c, current_user), lambda: _("Archived.")),
    "arrival": (forms.ArrivalForm, lambda c, f: s.record_arrival(c, current_user, f.at.data),
                lambda: _("Arrival on site recorded.")),
}
PREFIXES = {"handling_form": "form", "departments": "dept", "settlement": "settle", "evaluate": "eval",
            "callback": "call", "acknowledge": "ack"}


@bp.route("/<id:complaint_id>/<action>", methods=["POST"])
@permission_required("complaints.view")
def act(complaint_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    form_class, run, done = ACTIONS[action]
    return _act(complaint_id, form_class, PREFIXES.get(action, action), run, done())


@bp.route("/<id:complaint_id>/decide", methods=["POST"])
@permission_required("complaints.view")
def decide(complaint_id: int):
    """A sign-off or the general manager's settlement decision: the task must be the user's
    (core checks it again); the settlement also needs ``complaints.approve_settlement``."""
    def run(complaint: Complaint, form: Any) -> None:
        task_id = id_arg(request.form, "task")
        decision = request.form.get("decision", "")
        task = next((t for t in s.open_tasks(complaint, "approval") if t.id == task_id), None)
        if task is None or decision not in task.allowed:
            raise s.ComplaintRefused(_("This step is not yours to take now (%(step)s).",
                                       step=COMPLAINT_FLOW.state_label(complaint.state)))
        if complaint.state == "settlement_approval" and not current_user.can("complaints.approve_settlement"):
            raise s.ComplaintRefused(_("Only the general manager decides the settlement."))
        if task.assignee_id is None and can_act(task, current_user):
            claim_task(task, current_user)
        s.finish(task, current_user, form.comment.data or "", decision)
    return _act(complaint_id, forms.DecisionForm, "decide", run, _("Recorded."))


@bp.route("/<id:complaint_id>/implement", methods=["POST"])
@permission_required("complaints.view")
def implement(complaint_id: int):
    def run(complaint: Complaint, form: Any) -> None:
        task = s.implement(complaint, current_user, id_arg(request.form, "task") or 0, form.evidence.data)
        _attach(complaint, form.upload.data, "evidence")
        assert task is not None
    return _act(complaint_id, forms.ImplementForm, "impl", run, _("Recorded."))


@bp.route("/<id:complaint_id>/attach", methods=["POST"])
@permission_required("complaints.view")
def attach(complaint_id: int):
    def run(complaint: Complaint, form: Any) -> None:
        if not form.upload.data or not getattr(form.upload.data, "filename", ""):
            raise s.ComplaintRefused(_("Choose a file."))
        _attach(complaint, form.upload.data, form.kind.data)
    return _act(complaint_id, forms.AttachForm, "attach", run, _("The file is attached."))


@bp.route("/<id:complaint_id>/handover", methods=["POST"])
@permission_required("complaints.view")
def handover(complaint_id: int):
    def run(complaint: Complaint, form: Any) -> None:
        s.hand_over(complaint, current_user, db.session.get(User, form.to_id.data), form.reason.data)
    def bound(prefix: str) -> forms.HandoverForm:
        form = forms.HandoverForm(prefix=prefix)
        form.to_id.choices = choices((u.id, u.display_name) for u in db.session.scalars(
            select(User).where(User.active.is_(True))))
        return form
    return _act(complaint_id, bound, "handover", run, _("The handover waits for the colleague to accept it."))


@bp.route("/<id:complaint_id>/handover/answer", methods=["POST"])
@permission_required("complaints.view")
def handover_answer(complaint_id: int):
    accept = request.form.get("decision") == "accept"

    def run(complaint: Complaint, form: Any) -> None:
        s.answer_handover(complaint, current_user, accept, form.comment.data or "")
    return _act(complaint_id, forms.DecisionForm, "answer", run,
                _("You own the complaint now.") if accept else _("The handover is declined."))


@bp.route("/<id:complaint_id>/files/<id:attachment_id>")
@permission_required("complaints.view")
def attachment(complaint_id: int, attachment_id: int):
    from flask import send_from_directory

    complaint = get_visible_or_404(Complaint, complaint_id)
    found = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id,
                                                       Attachment.complaint_id == complaint.id))
    if found is None:
        abort(404)
    return send_from_directory(upload_dir("complaints"), found.stored_file, as_attachment=True,
                               download_name=found.file_name)


# -- batch trace and recall ---------------------------------------------------------------------------

@bp.route("/<id:complaint_id>/trace")
@permission_required("complaints.recall")
def trace(complaint_id: int):
    complaint = get_visible_or_404(Complaint, complaint_id)
    if not complaint.batch_ref:
        abort(404)
    from plugins.complaints.recall import recall_list, traced

    rows = traced(complaint.batch_ref)
    return render_template("complaints/trace.html", complaint=complaint, rows=rows,
                           calls=recall_list(complaint), form=forms.ConfirmForm(prefix="recall"))


@bp.route("/<id:complaint_id>/trace", methods=["POST"])
@permission_required("complaints.recall")
def open_recall(complaint_id: int):
    from plugins.complaints.recall import open_recall_list

    def run(complaint: Complaint, form: Any) -> None:
        if not complaint.batch_ref:
            raise s.ComplaintRefused(_("The complaint names no production batch."))
        open_recall_list(complaint, current_user)
    _act(complaint_id, forms.ConfirmForm, "recall", run, _("The recall list is open: a call task per customer."))
    return redirect(url_for("complaints.trace", complaint_id=complaint_id), 303)


# -- reports ---------------------------------------------------------------------------------------

@bp.route("/reports")
@permission_required("complaints.report")
def reports():
    from plugins.complaints.charts import report_charts

    query = ListQuery.from_args(request.args)
    return render_template("complaints/reports.html", query=query, charts=report_charts(query, current_user),
                           **words())


@bp.route("/export.csv")
@permission_required("complaints.report")
def export():
    from plugins.complaints.queries import export_rows

    query = ListQuery.from_args(request.args)
    header, rows = export_rows(query, current_user)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    record_event(Complaint.__tablename__, None, "export", {"filter": query.as_args(), "rows": len(rows),
                                                           "format": "csv"})
    db.session.commit()
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=complaints-{utcnow():%Y%m%d}.csv"})

