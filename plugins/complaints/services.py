"""What people do with a complaint, from intake to archive (manual (四), RULES.md C-1 … C-8).

Every step is a task of core's work engine (or an approval chain's step, see ``chains.py``); a
step's service checks that the user may act on that open task, completes it, moves the
complaint's state and gives the next step its task. The caller commits (``core.api.commit``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import has_request_context, url_for
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from core.api import (
    ApprovalRefused,
    Customer,
    Queue,
    Task,
    TaskRefused,
    User,
    budget_minutes,
    call,
    can_act,
    cancel_task,
    complete_task,
    create_task,
    db,
    default_clock,
    department_head,
    document_number,
    fire_after_commit,
    general_manager,
    local_now,
    message,
    notify,
    record_event,
    regional_manager,
    setting,
    submit_for_approval,
    to_local,
    utcnow,
    visible,
)
from plugins.complaints import chains
from plugins.complaints.flows import (
    CATEGORIES,
    CATEGORY_IDS,
    CHANNELS,
    COMPLAINT_FLOW,
    QUALITY_CATEGORIES,
    REMEDIES,
    SATISFACTION,
    SEVERITIES,
    SIGN_DEPARTMENTS,
    WAYS,
)
from plugins.complaints.i18n import N_, _
from plugins.complaints.models import Complaint, Handover
from plugins.complaints.severity import NOTIFY_ROLES, acknowledgement_budget, suggest

OPEN_TASK_STATES = ("open", "on_hold")
# the step's own task kind in each state (the approval states are the engine's steps)
STAGE_TASK = {
    "assessment": "complaints.assess",
    "minor_findings": "complaints.findings",
    "minor_plan": "complaints.plan",
    "minor_implementation": "complaints.implement_plan",
    "minor_report": "complaints.report",
    "handling_form": "complaints.handling_form",
    "departments": "complaints.choose_departments",
    "settlement": "complaints.propose_settlement",
    "implementation": "complaints.implement",
    "evaluation": "complaints.evaluate",
    "callback": "complaints.callback",
    "archiving": "complaints.archive",
}
ACKNOWLEDGE, HANDOVER, RECALL = "complaints.acknowledge", "complaints.handover", "complaints.recall_call"
FIRST_RECEIVER_KINDS = (ACKNOWLEDGE, "complaints.callback")  # C-7: never handed over


class ComplaintRefused(Exception):
    """An action that may not happen now; ``str()`` is a message for the user."""


# -- small helpers ---------------------------------------------------------------------------------

def complaint_path(complaint: Complaint) -> str:
    if has_request_context():
        return url_for("complaints.detail", complaint_id=complaint.id)
    return f"/complaints/{complaint.id}"


def lock(complaint: Complaint) -> Complaint:
    """Re-read the complaint with a row lock: two people acting on it at once take turns."""
    return db.session.scalar(select(Complaint).where(Complaint.id == complaint.id)
                             .options(lazyload(Complaint.customer)).with_for_update(of=Complaint)
                             .execution_options(populate_existing=True))


def day_budget(days: Decimal | int = 1) -> tuple[int, str]:
    """``days`` on the clock the company chose for sign-offs (C-5: wall or working)."""
    clock = default_clock()
    return budget_minutes(days=days, clock=clock), clock


def department_manager() -> User | Queue:
    """The customer-management department's manager (客户管理部经理), else the role's holders."""
    return department_head("cm") or Queue.role("cm_manager")


def marketing_manager() -> User | Queue:
    return department_head("marketing") or Queue.role("marketing_manager")


def signer(code: str) -> Queue:
    """A department's queue; while nobody is put in it on the organisation page, its role's holders."""
    queue = Queue.department(code)
    if queue.members():
        return queue
    return Queue.role({"qc": "qc", "production": "production", "warehouse": "warehouse_keeper",
                       "sales": "sales_manager", "finance": "specialist",
                       "marketing": "marketing_manager"}.get(code, "cm_manager"))


def _who(target: User | Queue) -> dict[str, Any]:
    return {"queue": target} if isinstance(target, Queue) else {"assignee": target}


def new_task(complaint: Complaint, kind: str, title: str, target: User | Queue | int, *,
             budget: tuple[int, str] | None = None, by: Any = None, params: dict[str, Any] | None = None,
             decisions: tuple[str, ...] = ("done",), start: datetime | None = None) -> Task:
    minutes, clock = budget or day_budget()
    who = {"assignee": target} if isinstance(target, int) else _who(target)
    return create_task(complaint, kind, title, **who, params=params or {}, budget_minutes=minutes,
                       clock=clock, reference=complaint.number, link=complaint_path(complaint), by=by,
                       decisions=decisions, start=start)


def open_tasks(complaint: Complaint, kind: str | None = None) -> list[Task]:
    stmt = select(Task).where(Task.record_type == Complaint.__tablename__, Task.record_id == complaint.id,
                              Task.state.in_(OPEN_TASK_STATES))
    if kind is not None:
        stmt = stmt.where(Task.kind == kind)
    return list(db.session.scalars(stmt.order_by(Task.id)))


def acting_task(complaint: Complaint, kind: str, user: Any, task_id: int | None = None) -> Task:
    """The open task of ``kind`` that ``user`` may complete now, or ``ComplaintRefused``."""
    if complaint.closed:
        raise ComplaintRefused(_("The complaint is archived and can no longer change."))
    for task in open_tasks(complaint, kind):
        if (task_id is None or task.id == task_id) and can_act(task, user):
            return task
    raise ComplaintRefused(_("This step is not yours to take now (%(step)s).",
                             step=COMPLAINT_FLOW.state_label(complaint.state)))


def finish(task: Task, user: Any, comment: str = "", decision: str = "done") -> None:
    try:
        complete_task(task, user, decision, comment)
    except TaskRefused as refusal:
        raise ComplaintRefused(str(refusal)) from None


def move(complaint: Complaint, transition: str, user: Any, comment: str = "") -> None:
    COMPLAINT_FLOW.apply(complaint, transition, user, comment, authorised=True)


def text(value: str | None, limit: int = 5000) -> str:
    cleaned = (value or "").replace("\x00", "").strip()
    return cleaned[:limit]


def need(value: str | None, message: str) -> str:
    cleaned = text(value)
    if not cleaned:
        raise ComplaintRefused(message)
    return cleaned


def is_quality(complaint: Complaint) -> bool:
    return complaint.category in QUALITY_CATEGORIES


# -- intake (受理) -------------------------------------------------------------------------------

@dataclass
class Intake:
    customer_id: int
    channel: str
    category: str
    description: str
    customer_request: str = ""
    severity: str | None = None  # None: the suggestion
    severity_reason: str = ""
    order_ref: str | None = None
    ticket_ref: str | None = None
    batch_ref: str | None = None
    product: str | None = None
    spot_answer: str = ""  # an answer given at once closes the complaint (充分把握立即回复)


def intake(data: Intake, user: Any) -> Complaint:
    """Record a complaint: the user is its first receiver and owner (C-7); the acknowledgement
    is due by severity from now (C-6); the department manager assesses it; people are told."""
    customer = db.session.scalar(select(Customer).where(Customer.id == data.customer_id, visible(Customer, user)))
    if customer is None:
        raise ComplaintRefused(_("Choose a customer you may see."))
    if data.channel not in CHANNELS or data.category not in CATEGORIES:
        raise ComplaintRefused(_("Choose a channel and a category from the lists."))
    description = need(data.description, _("Describe the complaint."))
    suggested = suggest(data.category, data.description, data.customer_request)
    severity = data.severity or suggested
    if severity not in SEVERITIES:
        raise ComplaintRefused(_("Choose a severity from the list."))
    reason = text(data.severity_reason, 1000)
    if severity != suggested and not reason:
        raise ComplaintRefused(_("Say why the severity differs from the suggested %(level)s.", level=suggested))
    now = utcnow()
    complaint = Complaint(
        number=document_number("complaints", "TS", to_local(now).date()), customer_id=customer.id,
        channel=data.channel, category=data.category, severity=severity, suggested_severity=suggested,
        severity_reason=reason or None, description=description,
        customer_request=text(data.customer_request) or None,
        order_ref=text(data.order_ref, 40) or None, ticket_ref=text(data.ticket_ref, 40) or None,
        batch_ref=text(data.batch_ref, 40) or None, product=text(data.product, 100) or None,
        first_receiver_id=user.id, owner_id=user.id, received_at=now)
    db.session.add(complaint)
    db.session.flush()
    spot = text(data.spot_answer)
    if spot:
        # the answer at once is still C-1's steps: acknowledged, assessed, decision told, closed
        complaint.spot_answer = spot
        complaint.path = "spot"
        complaint.acknowledged_at = complaint.assessed_at = complaint.decision_communicated_at = now
        complaint.closed_at = now
        move(complaint, "answer_on_spot", user, spot)
        fire_after_commit("complaint_closed", complaint=complaint)
    else:
        new_task(complaint, ACKNOWLEDGE, N_("Acknowledge complaint %(number)s to the customer"), user,
                 budget=acknowledgement_budget(severity), params={"number": complaint.number}, by=user,
                 start=now)
        new_task(complaint, "complaints.assess", N_("Assess complaint %(number)s"), department_manager(),
                 budget=acknowledgement_budget(severity), params={"number": complaint.number}, by=user,
                 start=now)
    _report_intake(complaint, customer, user)
    return complaint


def _report_intake(complaint: Complaint, customer: Customer, user: Any) -> None:
    """Tell the department manager and the customer's regional manager, plus C-6's first
    recipient for the severity (S1: the general manager at once)."""
    users, roles = [], list(NOTIFY_ROLES[complaint.severity])
    manager = department_manager()
    if isinstance(manager, Queue):
        roles.append(manager.key)
    else:
        users.append(manager.id)
    regional = regional_manager(customer.region_id)
    if regional is not None:
        users.append(regional.id)
    if complaint.severity == "S1":
        top = general_manager()
        if top is not None:
            users.append(top.id)
    notify(N_("Complaint %(number)s (%(severity)s) from %(customer)s: %(category)s"),
           users=[u for u in dict.fromkeys(users) if u != user.id], roles=roles,
           params={"number": complaint.number, "severity": complaint.severity, "customer": customer.name,
                   "category": message(CATEGORY_IDS[complaint.category])},
           link=complaint_path(complaint))


def acknowledge(complaint: Complaint, user: Any, note: str = "") -> None:
    """The first receiver acknowledged the complaint to the customer (C-1 step 3, C-7)."""
    task = acting_task(complaint, ACKNOWLEDGE, user)
    if user.id != complaint.first_receiver_id and not task.assignee_id == user.id:
        raise ComplaintRefused(_("The first receiver acknowledges the complaint."))
    finish(task, user, text(note, 1000))
    complaint.acknowledged_at = utcnow()


def record_arrival(complaint: Complaint, user: Any, when: datetime) -> None:
    """The time the handler reached the customer's site (到达现场的时间), once."""
    if complaint.closed:
        raise ComplaintRefused(_("The complaint is archived and can no longer change."))
    if not may_handle(complaint, user):
        raise ComplaintRefused(_("Only the people handling the complaint record the arrival."))
    if complaint.arrived_on_site_at is not None:
        raise ComplaintRefused(_("The arrival on site is recorded already."))
    if when < complaint.received_at - timedelta(minutes=1) or when > utcnow() + timedelta(minutes=5):
        raise ComplaintRefused(_("The arrival must lie between the intake and now."))
    complaint.arrived_on_site_at = when


def may_handle(complaint: Complaint, user: Any) -> bool:
    """The owner, the first receiver, the customer's regional manager, the managers."""
    if user.id in (complaint.owner_id, complaint.first_receiver_id) or user.can("complaints.manage"):
        return True
    regional = regional_manager(complaint.customer.region_id)
    return regional is not None and regional.id == user.id


# -- handover (C-7) --------------------------------------------------------------------------------

def hand_over(complaint: Complaint, user: Any, to: User, reason: str) -> Handover:
    """The owner offers the complaint to ``to``; it moves only when ``to`` accepts the task."""
    if complaint.closed:
        raise ComplaintRefused(_("The complaint is archived and can no longer change."))
    if user.id != complaint.owner_id:
        raise ComplaintRefused(_("Only the owner hands the complaint over."))
    if to is None or not to.active or to.id == complaint.owner_id:
        raise ComplaintRefused(_("Choose another active colleague."))
    if db.session.scalar(select(Handover.id).where(Handover.complaint_id == complaint.id,
                                                    Handover.state == "pending")) is not None:
        raise ComplaintRefused(_("A handover is waiting for its answer already."))
    handover = Handover(complaint_id=complaint.id, customer_id=complaint.customer_id, from_id=user.id,
                        to_id=to.id, reason=need(reason, _("Say why you hand the complaint over.")))
    db.session.add(handover)
    db.session.flush()
    task = new_task(complaint, HANDOVER, N_("Accept complaint %(number)s from %(name)s"), to.id, by=user,
                    params={"number": complaint.number, "name": user.display_name},
                    decisions=("approved", "declined"))
    handover.task_id = task.id
    return handover


def answer_handover(complaint: Complaint, user: Any, accept: bool, comment: str = "") -> Handover:
    handover = db.session.scalar(select(Handover).where(Handover.complaint_id == complaint.id,
                                                        Handover.state == "pending"))
    if handover is None:
        raise ComplaintRefused(_("No handover is waiting."))
    task = db.session.get(Task, handover.task_id)
    if task is None or not can_act(task, user):
        raise ComplaintRefused(_("This handover is not yours to answer."))
    finish(task, user, comment, "approved" if accept else "declined")
    settle_handover(handover, task)
    return handover


def settle_handover(handover: Handover, task: Task) -> None:
    """Apply a decided handover task once: accepted moves the ownership and the owner's open
    work (the first receiver keeps the acknowledgement and the call-back)."""
    if handover.state != "pending" or task.state != "done":
        return
    complaint = lock(db.session.get(Complaint, handover.complaint_id))
    handover.decided_at = utcnow()
    if task.decision != "approved":
        handover.state = "declined"
        notify(N_("%(name)s declined complaint %(number)s."), users=[handover.from_id],
               params={"name": _name(task.completed_by_id), "number": complaint.number},
               link=complaint_path(complaint))
        return
    handover.state = "accepted"
    old = complaint.owner_id
    complaint.owner_id = handover.to_id
    complaint.handover_count = (complaint.handover_count or 0) + 1
    for other in open_tasks(complaint):
        if other.assignee_id == old and other.kind not in FIRST_RECEIVER_KINDS + (HANDOVER,) \
                and other.kind.startswith("complaints."):
            cancel_task(other, None, history=False)
            create_task(complaint, other.kind, other.title, assignee=handover.to_id,
                        params=other.title_params, budget_minutes=other.budget_minutes, clock=other.clock,
                        start=other.start_at, decisions=other.allowed, reference=other.reference,
                        link=other.link)
    notify(N_("%(name)s accepted complaint %(number)s."), users=[handover.from_id],
           params={"name": _name(handover.to_id), "number": complaint.number}, link=complaint_path(complaint))


def _name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.display_name if user else ""


# -- assessment (C-1 step 4) -------------------------------------------------------------------------

def assess(complaint: Complaint, user: Any, path: str, severity: str | None = None, reason: str = "") -> None:
    """The department manager judges the complaint: minor (the regional manager on site) or
    serious (handling form, departments, settlement); the severity may change with a reason."""
    task = acting_task(complaint, "complaints.assess", user)
    if path not in ("minor", "serious"):
        raise ComplaintRefused(_("Choose minor or serious."))
    if severity and severity != complaint.severity:
        if severity not in SEVERITIES:
            raise ComplaintRefused(_("Choose a severity from the list."))
        complaint.severity_reason = need(reason, _("Say why the severity changes."))
        complaint.severity = severity
    finish(task, user, text(reason, 1000))
    complaint.assessed_at = utcnow()
    complaint.path = path
    params = {"number": complaint.number}
    if path == "minor":
        move(complaint, "minor", user)
        new_task(complaint, "complaints.findings", N_("Complaint %(number)s: go on site and record the findings"),
                 _regional(complaint), params=params, by=user)
    else:
        move(complaint, "serious", user)
        new_task(complaint, "complaints.handling_form", N_("Complaint %(number)s: fill in the handling form"),
                 complaint.owner_id, params=params, by=user)
        notify(N_("Serious complaint %(number)s from %(customer)s."),
               roles=["sales_manager", "marketing_manager"],
               params={"number": complaint.number, "customer": complaint.customer.name},
               link=complaint_path(complaint))


def _regional(complaint: Complaint) -> User | Queue:
    return regional_manager(complaint.customer.region_id) or Queue.role("regional_manager")


# -- the minor path (区域经理现场处理) -----------------------------------------------------------------

def record_findings(complaint: Complaint, user: Any, findings: str) -> None:
    task = acting_task(complaint, "complaints.findings", user)
    complaint.findings = need(findings, _("Record what you found on site."))
    finish(task, user)
    move(complaint, "findings", user)
    new_task(complaint, "complaints.plan", N_("Complaint %(number)s: propose a plan"), user.id,
             params={"number": complaint.number}, by=user)


def propose_plan(complaint: Complaint, user: Any, plan: str) -> None:
    """The plan goes to the department manager's approval (汇报、沟通、批准)."""
    if complaint.state != "minor_plan":
        raise ComplaintRefused(_("This step is not yours to take now (%(step)s).",
                                 step=COMPLAINT_FLOW.state_label(complaint.state)))
    tasks = open_tasks(complaint, "complaints.plan") + open_tasks(complaint, "approval_resubmit")
    task = next((t for t in tasks if can_act(t, user)), None)
    if task is None:
        raise ComplaintRefused(_("This step is not yours to take now (%(step)s).",
                                 step=COMPLAINT_FLOW.state_label(complaint.state)))
    complaint.plan = need(plan, _("Write the plan."))
    if task.kind == "complaints.plan":
        finish(task, user)
    _submit(complaint, chains.MINOR_PLAN, user)


def _submit(complaint: Complaint, chain: str, user: Any, comment: str = "") -> None:
    try:
        submit_for_approval(complaint, chain, user, comment)
    except ApprovalRefused as refusal:
        raise ComplaintRefused(str(refusal)) from None


def plan_approved(complaint: Complaint, user: Any) -> None:
    """Chain callback: the regional manager carries the plan out."""
    move(complaint, "plan_approved", user)
    new_task(complaint, "complaints.implement_plan", N_("Complaint %(number)s: carry out the plan"),
             _planner(complaint), params={"number": complaint.number}, by=user,
             budget=day_budget(setting("complaints.implementation_days")))


def _planner(complaint: Complaint) -> int | User | Queue:
    done = db.session.scalar(select(Task.completed_by_id).where(
        Task.record_type == Complaint.__tablename__, Task.record_id == complaint.id,
        Task.kind == "complaints.findings", Task.state == "done").order_by(Task.id.desc()).limit(1))
    return done or _regional(complaint)


def plan_carried_out(complaint: Complaint, user: Any, evidence: str) -> None:
    task = acting_task(complaint, "complaints.implement_plan", user)
    finish(task, user, need(evidence, _("Say what was done.")))
    move(complaint, "implemented", user)
    new_task(complaint, "complaints.report", N_("Complaint %(number)s: report the result"), user.id,
             params={"number": complaint.number}, by=user)


def report_minor(complaint: Complaint, user: Any, report: str) -> None:
    task = acting_task(complaint, "complaints.report", user)
    complaint.report = need(report, _("Write the report."))
    finish(task, user)
    move(complaint, "reported", user)
    _callback_task(complaint, user)


# -- the serious path (严重客户投诉) ------------------------------------------------------------------

@dataclass
class HandlingForm:
    loss: str
    claim: str
    findings: str
    cause: str
    remedy: str


def fill_handling_form(complaint: Complaint, user: Any, form: HandlingForm) -> None:
    """《客户投诉处理单》: the customer's actual loss, the claim, the on-site findings, the cause."""
    task = acting_task(complaint, "complaints.handling_form", user)
    if form.remedy not in REMEDIES:
        raise ComplaintRefused(_("Choose a remedy from the list."))
    complaint.loss = need(form.loss, _("Describe the customer's actual loss."))
    complaint.claim = need(form.claim, _("Write down the customer's claim."))
    complaint.findings = need(form.findings, _("Record the on-site findings."))
    complaint.cause = text(form.cause) or None
    complaint.remedy = form.remedy
    finish(task, user)
    move(complaint, "form", user)
    new_task(complaint, "complaints.choose_departments",
             N_("Complaint %(number)s: choose the departments to sign"), department_manager(),
             params={"number": complaint.number}, by=user)


def choose_departments(complaint: Complaint, user: Any, codes: list[str], lab_days: Decimal | None) -> None:
    """The department manager sends the form to the departments concerned, who sign in parallel
    within a day of now (QC: its lab time plus half a day), on the company's clock (C-5). After a
    disagreement this is the resubmission: a new round."""
    if complaint.state != "departments":
        raise ComplaintRefused(_("This step is not yours to take now (%(step)s).",
                                 step=COMPLAINT_FLOW.state_label(complaint.state)))
    tasks = open_tasks(complaint, "complaints.choose_departments") + open_tasks(complaint, "approval_resubmit")
    task = next((t for t in tasks if can_act(t, user)), None)
    if task is None:
        raise ComplaintRefused(_("This step is not yours to take now (%(step)s).",
                                 step=COMPLAINT_FLOW.state_label(complaint.state)))
    chosen = [code for code in SIGN_DEPARTMENTS if code in set(codes)]
    if not chosen:
        raise ComplaintRefused(_("Choose at least one department."))
    if "qc" in chosen:
        if lab_days is None or not Decimal(0) <= lab_days <= Decimal(60):
            raise ComplaintRefused(_("Give QC's lab time in days (0 to 60)."))
        complaint.lab_days = lab_days
    else:
        complaint.lab_days = None
    complaint.sign_departments = ",".join(chosen)
    if task.kind == "complaints.choose_departments":
        finish(task, user)
    _submit(complaint, chains.SIGN_OFF, user)


def signed(complaint: Complaint, user: Any) -> None:
    """Chain callback: every department agreed. Money or goods: the marketing manager proposes
    the settlement; otherwise the departments carry it out."""
    if complaint.remedy and complaint.remedy != "none":
        move(complaint, "signed", user)
        new_task(complaint, "complaints.propose_settlement", N_("Complaint %(number)s: propose the settlement"),
                 marketing_manager(), params={"number": complaint.number}, by=user)
    else:
        move(complaint, "signed_no_money", user)
        start_implementation(complaint, user)


@dataclass
class Settlement:
    amount_cents: int
    way: str
    on: date
    note: str = ""


def propose_settlement(complaint: Complaint, user: Any, proposal: Settlement) -> None:
    """The marketing manager proposes amount, way and date; the general manager decides (C-8).
    Also the new proposal after a rejection or a send-back (a new round)."""
    if complaint.state != "settlement":
        raise ComplaintRefused(_("This step is not yours to take now (%(step)s).",
                                 step=COMPLAINT_FLOW.state_label(complaint.state)))
    task = _settlement_task(complaint, user)
    if proposal.way not in WAYS:
        raise ComplaintRefused(_("Choose a way of settlement."))
    if not 0 < proposal.amount_cents <= 10**12:
        raise ComplaintRefused(_("Give an amount above zero."))
    today = local_now().date()
    if not today - timedelta(days=366) <= proposal.on <= today + timedelta(days=366):
        raise ComplaintRefused(_("Give a settlement date within a year of today."))
    complaint.settlement_cents = proposal.amount_cents
    complaint.settlement_way = proposal.way
    complaint.settlement_on = proposal.on
    complaint.settlement_note = text(proposal.note) or None
    complaint.settlement_outcome = "proposed"
    if task.kind != "approval_resubmit":
        finish(task, user)
    _submit(complaint, chains.SETTLEMENT, user)


def _settlement_task(complaint: Complaint, user: Any) -> Task:
    tasks = open_tasks(complaint, "complaints.propose_settlement") + open_tasks(complaint, "approval_resubmit")
    task = next((t for t in tasks if can_act(t, user)), None)
    if task is None or not user.can("complaints.settle"):
        raise ComplaintRefused(_("Only the marketing manager proposes the settlement."))
    return task


def refuse_settlement(complaint: Complaint, user: Any, reason: str) -> None:
    """After a rejection: no settlement, the refusal to the customer is on record."""
    if complaint.state != "settlement" or complaint.settlement_outcome != "rejected":
        raise ComplaintRefused(_("A refusal is recorded only after the general manager rejected the settlement."))
    task = _settlement_task(complaint, user)
    reason = need(reason, _("Say what the customer is told."))
    finish(task, user, reason)
    complaint.settlement_outcome = "refused"
    move(complaint, "refused", user, reason)
    start_implementation(complaint, user)


def linked_text(created: list[Any]) -> str:
    """The records a hook answered (``{"number", "url"}``, or a bare number) as one line the
    complaint keeps: ``"TH-2026-00001 /logistics/returns/1, …"``; the page turns each into a link."""
    parts = [f"{ref['number']} {ref.get('url') or ''}".strip() if isinstance(ref, dict) else str(ref)
             for ref in created]
    return ", ".join(parts)[:200]


def settlement_approved(complaint: Complaint, user: Any) -> None:
    complaint.settlement_outcome = "approved"
    move(complaint, "settlement_approved", user)
    if complaint.remedy in ("return", "exchange"):
        created = call("complaint_remedy_order", complaint=complaint, kind=complaint.remedy, user=user)
        if created:
            complaint.linked_records = linked_text(created)
    start_implementation(complaint, user)


def settlement_rejected(complaint: Complaint, request: Any, user: Any) -> None:
    """C-8: a rejection returns to the marketing manager for a new proposal or a refusal."""
    complaint.settlement_outcome = "rejected"
    move(complaint, "settlement_rejected", user)
    new_task(complaint, "complaints.propose_settlement",
             N_("Complaint %(number)s: new settlement proposal or a recorded refusal"),
             request.applicant_id, params={"number": complaint.number}, by=user)


def start_implementation(complaint: Complaint, user: Any) -> None:
    """Each signed department carries out its part in time, with evidence (各部门在要求时间内执行完毕)."""
    budget = day_budget(setting("complaints.implementation_days"))
    for code in complaint.departments:
        new_task(complaint, "complaints.implement", N_("Complaint %(number)s: carry out your part (%(department)s)"),
                 signer(code), budget=budget, by=user,
                 params={"number": complaint.number, "department": message(chains.LABELS[code]), "code": code})
    if not complaint.departments:
        carried_out(complaint, user)


def implement(complaint: Complaint, user: Any, task_id: int, evidence: str) -> Task:
    task = acting_task(complaint, "complaints.implement", user, task_id)
    finish(task, user, need(evidence, _("Describe what was done (the evidence).")))
    if not open_tasks(complaint, "complaints.implement"):
        carried_out(complaint, user)
    return task


def carried_out(complaint: Complaint, user: Any) -> None:
    move(complaint, "carried_out", user)
    new_task(complaint, "complaints.evaluate", N_("Complaint %(number)s: evaluate process, plan and result"),
             department_manager(), params={"number": complaint.number}, by=user)


@dataclass
class Evaluation:
    process: str
    plan: str
    result: str
    root_cause: str = ""
    capa: str = ""


def evaluate(complaint: Complaint, user: Any, evaluation: Evaluation) -> None:
    """过程评估、方案评估、结果评估; quality complaints also record root cause and CAPA."""
    task = acting_task(complaint, "complaints.evaluate", user)
    complaint.evaluation_process = need(evaluation.process, _("Evaluate the process."))
    complaint.evaluation_plan = need(evaluation.plan, _("Evaluate the plan."))
    complaint.evaluation_result = need(evaluation.result, _("Evaluate the result."))
    if is_quality(complaint):
        complaint.root_cause = need(evaluation.root_cause, _("A quality complaint needs its root cause."))
        complaint.capa = need(evaluation.capa, _("A quality complaint needs its corrective and preventive action."))
    else:
        complaint.root_cause = text(evaluation.root_cause) or None
        complaint.capa = text(evaluation.capa) or None
    finish(task, user)
    move(complaint, "evaluated", user)
    _callback_task(complaint, user)


# -- closing: the first receiver's call, the archive -------------------------------------------------

def _callback_task(complaint: Complaint, user: Any) -> None:
    new_task(complaint, "complaints.callback",
             N_("Complaint %(number)s: call the customer back (decision and satisfaction)"),
             complaint.first_receiver_id, params={"number": complaint.number}, by=user)


def call_back(complaint: Complaint, user: Any, satisfaction: str, note: str, rejects: bool = False,
              recourse: str = "") -> None:
    """The first receiver tells the customer the decision and asks about satisfaction (C-7); a
    customer who rejects the decision is recorded with the recourse offered (C-1 step 8)."""
    task = acting_task(complaint, "complaints.callback", user)
    if user.id != complaint.first_receiver_id:
        raise ComplaintRefused(_("The first receiver makes the closing call."))
    if complaint.acknowledged_at is None:
        raise ComplaintRefused(_("Acknowledge the complaint first."))
    if satisfaction not in SATISFACTION:
        raise ComplaintRefused(_("Choose how satisfied the customer is."))
    complaint.satisfaction = satisfaction
    complaint.callback_note = need(note, _("Note what the customer said."))
    complaint.customer_rejects = bool(rejects)
    complaint.recourse = text(recourse) or None
    if rejects and not complaint.recourse:
        raise ComplaintRefused(_("Record the further recourse offered to the customer."))
    finish(task, user)
    complaint.decision_communicated_at = utcnow()
    move(complaint, "called_back", user)
    new_task(complaint, "complaints.archive", N_("Archive complaint %(number)s"),
             Queue.permission("complaints.archive"), params={"number": complaint.number}, by=user)


def archive(complaint: Complaint, user: Any) -> None:
    """Closing (C-1 step 8): only after acknowledged, assessed and the decision communicated."""
    task = acting_task(complaint, "complaints.archive", user)
    missing = [name for name, value in (("acknowledged", complaint.acknowledged_at),
                                        ("assessed", complaint.assessed_at),
                                        ("decision_communicated", complaint.decision_communicated_at))
               if value is None]
    if missing:
        raise ComplaintRefused(_("The complaint cannot close before it is acknowledged, assessed and the "
                                 "decision communicated."))
    finish(task, user)
    complaint.closed_at = utcnow()
    move(complaint, "archive", user)
    for other in open_tasks(complaint):
        cancel_task(other, None, history=False)
    fire_after_commit("complaint_closed", complaint=complaint)


def s1_breached(task: Task) -> None:
    """An S1 complaint's step missed its deadline: the general manager hears of it now, not only at
    twice the time (C-6), unless the escalation already reached them."""
    complaint = db.session.get(Complaint, task.record_id)
    top = general_manager()
    if complaint is None or complaint.severity != "S1" or top is None or complaint.closed:
        return
    if top.id == task.assignee_id:
        return
    notify(N_("S1 complaint %(number)s: “%(title)s” is overdue."), users=[top.id],
           params={"number": complaint.number, "title": task.title_message()}, link=complaint_path(complaint))


# -- the engine's other doors: a step's task completed on the generic task page ----------------------

def task_done_elsewhere(task: Task) -> None:
    """A complaint task completed on the task page (not the complaint's own form): a handover
    decision or an acknowledgement counts as it is; a step that needs its form's answers gets
    its task again (same deadline) and says so, so the complaint never stalls unseen."""
    if task.record_type != Complaint.__tablename__ or not task.kind.startswith("complaints."):
        return
    complaint = db.session.get(Complaint, task.record_id)
    if complaint is None:
        return
    if task.kind == HANDOVER:
        handover = db.session.scalar(select(Handover).where(Handover.task_id == task.id))
        if handover is not None:
            settle_handover(handover, task)
        return
    if task.kind == ACKNOWLEDGE:
        if complaint.acknowledged_at is None:
            complaint.acknowledged_at = task.completed_at
        return
    if STAGE_TASK.get(complaint.state) != task.kind or complaint.closed:
        return
    if task.kind == "complaints.implement":
        if task.comment and not open_tasks(complaint, "complaints.implement"):
            carried_out(complaint, None)
        if task.comment:
            return
    if open_tasks(complaint, task.kind) and task.kind != "complaints.implement":
        return
    again = create_task(complaint, task.kind, task.title, assignee=task.assignee_id,
                        params=task.title_params, budget_minutes=task.budget_minutes, clock=task.clock,
                        start=task.start_at, decisions=task.allowed, reference=task.reference,
                        link=task.link, notify_people=False)
    record_event(Complaint.__tablename__, complaint.id, "note",
                 {"event": "task_reopened", "task": again.id}, customer_id=complaint.customer_id,
                 comment=_("Complete this step with its form on the complaint page."))
