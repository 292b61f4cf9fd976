"""Customer archives on the work engine (客户档案建立流程, manual 4(1)–(3)).

An archive's verification and filing is an approval chain, ``core.customer_archive``:

1. *verify*: the regional manager of the archive's region checks it on site within one month
   (30 days on the wall clock) and signs. Four eyes: whoever submitted it never verifies it; when
   the submitter is the region's only verifier, the customer-management department's manager
   verifies. Late, the sweep tells the verifier's next level up (and at twice the time the
   general manager).
2. *file*: the customer-management department (its queue) files the verified archive.

A verifier or the department may send the archive back with a comment: its submitter (and its
owner, when a manager submitted it) gets a “Revise and resubmit” task, and the next submission is
a new round (earlier rounds stay visible). The archive's ``state`` column stays its state, moved by the chain's callbacks; only
“submit” is a user's own action. Editing a field the chain watches (name, business type, region,
owner, legal representative) voids a verification and starts it again; any other edit keeps the
archive as it is (档案动态管理).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain as chained
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from core.approvals import (
    RESUBMIT,
    ApprovalChain,
    ApprovalRefused,
    ApprovalRequest,
    ApprovalStep,
    EarlierDecision,
    Resolver,
    Step,
    adopt_review,
    latest_request,
    note_edit,
    reviewer,
    submit_for_approval,
)
from core.audit import AuditEvent
from core.auth.models import User
from core.db import db, utcnow
from core.i18n import N_
from core.org import department, department_head, members, regional_manager
from core.registry.archive_flow import ARCHIVE_FLOW
from core.registry.models import Customer, KeyPerson
from core.settings import setting
from core.tasks import (
    ON_HOLD,
    OPEN,
    Queue,
    Task,
    TaskRefused,
    can_act,
    complete_task,
    create_task,
    path_for,
    queue_label,
)
from core.workflow import Transition, TransitionRefused

CHAIN = "core.customer_archive"
VERIFY, FILE = "verify", "file"
VERIFY_DAYS = 30  # “within one month” (一个月之内): 30 days on the wall clock
FILE_DAYS = 30  # the department files new archives monthly (新开发客户每月补充)
CM = "cm"  # the customer-management department (客户管理部)
LEGAL_REP = "legal_representative"  # kept among the key people, as the role legal_rep
LEGAL_REP_ROLE = "legal_rep"
WATCHED = ("name", "business_type", "region_id", "owner_id")
DECISION_OF = {"verify": "approved", "file": "approved", "send_back": "sent_back"}
# sent by the retired daily overdue check: kept in the catalogue so those inbox messages still read
RETIRED_MESSAGES = (N_("Archive %(code)s %(name)s has waited over a month for verification."),)


# -- who verifies and who files -------------------------------------------------------------------

def region_verifiers(region_id: int | None) -> list[User]:
    """The region's regional manager (organisation page), then the other active holders of
    ``customers.verify`` in the region, in that order."""
    if region_id is None:
        return []
    found = []
    manager = regional_manager(region_id)
    if manager is not None:
        found.append(manager)
    found += [user for user in Queue.permission("customers.verify").members()
              if user.region_id == region_id and user not in found]
    return found


def cm_manager(applicant: User | None = None) -> User | Queue:
    """The head of the customer-management department, else the holders of the role cm_manager."""
    head = department_head(CM)
    if head is not None and (applicant is None or head.id != applicant.id):
        return head
    return Queue.role("cm_manager")


def _verifier(record: Customer, applicant: User) -> User | Queue:
    found = region_verifiers(record.region_id)
    return found[0] if found else cm_manager()


def _second_verifier(record: Customer, applicant: User) -> User | Queue:
    """Four eyes: another verifier of the region, else the customer-management manager."""
    others = [user for user in region_verifiers(record.region_id) if user.id != applicant.id]
    return others[0] if others else cm_manager(applicant)


def _filer(record: Customer, applicant: User) -> Queue:
    """The customer-management department's queue; while nobody is put in the department on the
    organisation page, the holders of ``customers.file``."""
    found = department(CM)
    if found is not None and found.active and members(found.id):
        return Queue.department(CM)
    return Queue.permission("customers.file")


RESOLVERS = [
    Resolver("core.archive_verifier", _l("Regional manager of the archive's region"), _verifier),
    Resolver("core.archive_second_verifier",
             _l("Another verifier of the region, else the customer-management manager"), _second_verifier),
    Resolver("core.archive_filer", _l("The customer-management department"), _filer),
]


# -- the chain's callbacks: they move the archive's state --------------------------------------------

def _step_comment(request: ApprovalRequest, **where: Any) -> str:
    stmt = select(ApprovalStep.comment).where(ApprovalStep.request_id == request.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(ApprovalStep, key) == value)
    return db.session.scalar(stmt.limit(1)) or ""


def _submitted(customer: Customer, request: ApprovalRequest, user: Any) -> None:
    if customer.state in ARCHIVE_FLOW.transitions["submit"].source:
        ARCHIVE_FLOW.apply(customer, "submit", user, request.comment or "", authorised=True)


def _verified(customer: Customer, request: ApprovalRequest, user: Any) -> None:
    ARCHIVE_FLOW.apply(customer, "verify", user, _step_comment(request, name=VERIFY), authorised=True)


def _filed(customer: Customer, request: ApprovalRequest, user: Any) -> None:
    ARCHIVE_FLOW.apply(customer, "file", user, _step_comment(request, name=FILE), authorised=True)


def _sent_back(customer: Customer, request: ApprovalRequest, user: Any) -> None:
    """Back to the rep: the engine gives the submitter “Revise and resubmit”; when someone else
    submitted (a regional manager), the owner gets the task too, and either one's resubmission
    closes both."""
    ARCHIVE_FLOW.apply(customer, "send_back", user, _step_comment(request, state="sent_back"),
                       authorised=True)
    if customer.owner_id and customer.owner_id != request.applicant_id:
        create_task(customer, RESUBMIT, N_("Revise and resubmit"), assignee=customer.owner_id,
                    reference=request.reference, link=request.link, by=user)


def _voided(customer: Customer, request: ApprovalRequest, applicant: Any) -> None:
    """A watched field changed: a verified (or filed) archive goes back to verification; the
    engine then starts the new round. The history names whoever made the edit."""
    if customer.state in ARCHIVE_FLOW.transitions["reopen"].source:
        ARCHIVE_FLOW.apply(customer, "reopen", None, authorised=True)


def archive_chain() -> ApprovalChain:
    return ApprovalChain(
        CHAIN, N_("Customer archive"), Customer,
        stages=[
            Step(VERIFY, N_("On-site verification by the regional manager"), reviewer("core.archive_verifier"),
                 four_eyes=reviewer("core.archive_second_verifier"), budget_minutes=VERIFY_DAYS * 24 * 60,
                 clock="wall", task_title=N_("Verify the archive on site and sign"),
                 approve_label=N_("Verify and sign"), on_approved=_verified),
            Step(FILE, N_("Filing by the customer-management department"), reviewer("core.archive_filer"),
                 budget_minutes=FILE_DAYS * 24 * 60, clock="wall", task_title=N_("File the archive"),
                 approve_label=N_("File the archive"), on_approved=_filed),
        ],
        watched=WATCHED, watched_related=(LEGAL_REP,), decisions=("approved", "sent_back"),
        link=lambda customer: path_for("customers.detail", customer_id=customer.id),
        on_submitted=_submitted, on_sent_back=_sent_back, on_voided=_voided)


# -- what users do ---------------------------------------------------------------------------------

def submit_archive(customer: Customer, user: Any, comment: str = "") -> ApprovalRequest:
    """The owner (or a regional manager) submits a draft or sent-back archive for verification:
    the verifier's task is due in 30 days. The caller commits."""
    reason = ARCHIVE_FLOW.refusal(customer, "submit", user, comment)
    if reason:
        raise TransitionRefused(reason)
    try:
        return submit_for_approval(customer, CHAIN, user, comment)
    except ApprovalRefused as refusal:
        raise TransitionRefused(str(refusal)) from None


def current_step(customer: Customer) -> tuple[ApprovalRequest, ApprovalStep, Task] | None:
    """The round under review, its open step and that step's task; None when nothing is open."""
    request = latest_request(customer, CHAIN)
    if request is None or request.state != "pending":
        return None
    step = db.session.scalar(select(ApprovalStep).where(
        ApprovalStep.request_id == request.id, ApprovalStep.state == "open", ApprovalStep.task_id.is_not(None))
        .order_by(ApprovalStep.position).limit(1))
    task = db.session.get(Task, step.task_id) if step is not None else None
    return (request, step, task) if task is not None else None


@dataclass(frozen=True)
class Waiting:
    """What the archive waits for: a step (or the submitter's revision), who, and the task."""

    what: str
    who: str
    task: Task


def archive_status(customer: Customer) -> Waiting | None:
    """The open verify or filing step of the archive, or its open revise task (the owner's first)."""
    found = current_step(customer)
    if found is not None:
        _request, step, task = found
        what = step.label_text()
    else:
        revise = list(db.session.scalars(select(Task).where(
            Task.record_type == Customer.__tablename__, Task.record_id == customer.id, Task.kind == RESUBMIT,
            Task.state.in_((OPEN, ON_HOLD))).order_by(Task.id.desc())))
        if not revise:
            return None
        task = next((t for t in revise if t.assignee_id == customer.owner_id), revise[0])
        what = task.title_text()
    if task.assignee_id:
        assignee = db.session.get(User, task.assignee_id)
        who = assignee.display_name if assignee is not None else ""
    else:
        who = queue_label(task.queue_kind, task.queue_key)
    return Waiting(what, who, task)


def available_actions(customer: Customer, user: Any) -> list[Transition]:
    """The archive-flow buttons ``user`` has on the customer page: submit, or the decisions of
    the open verify or filing task they may take (never on their own submission: four eyes)."""
    flow = ARCHIVE_FLOW.transitions
    actions = []
    if ARCHIVE_FLOW.refusal(customer, "submit", user, comment="-") is None:
        actions.append(flow["submit"])
    found = current_step(customer)
    if found is not None:
        request, step, task = found
        own = setting("core.four_eyes") and user.id == request.applicant_id
        if task.state == OPEN and not own and can_act(task, user):
            actions.append(flow["verify"] if step.name == VERIFY else flow["file"])
            if "sent_back" in task.allowed:
                actions.append(flow["send_back"])
    return actions


def act(customer: Customer, name: str, user: Any, comment: str = "") -> Transition:
    """A button of the customer page: submit, or decide the open task (verify, file, send back).
    Raises ``TransitionRefused`` with the reason. The caller commits."""
    transition = ARCHIVE_FLOW.transitions.get(name)
    if transition is None or name == "reopen":
        raise TransitionRefused(_("Unknown action."))
    if name == "submit":
        submit_archive(customer, user, comment)
        return transition
    found = current_step(customer)
    wanted = {"verify": VERIFY, "file": FILE}.get(name)
    if found is None or (wanted is not None and found[1].name != wanted):
        raise TransitionRefused(_("“%(action)s” is not possible while the record is “%(state)s”.",
                                  action=transition.label, state=ARCHIVE_FLOW.state_label(customer.state)))
    if transition.comment_required and not comment.strip():
        raise TransitionRefused(_("“%(action)s” needs a comment.", action=transition.label))
    try:
        complete_task(found[2], user, DECISION_OF[name], comment)
    except TaskRefused as refusal:
        raise TransitionRefused(str(refusal)) from None
    return transition


def overdue_verifications(now: datetime | None = None) -> Any:
    """SQL condition on ``Customer``: its open verify task is past its due time."""
    late = (select(Task.record_id)
            .join(ApprovalStep, ApprovalStep.task_id == Task.id)
            .join(ApprovalRequest, ApprovalRequest.id == ApprovalStep.request_id)
            .where(ApprovalRequest.chain == CHAIN, ApprovalStep.name == VERIFY,
                   Task.record_type == Customer.__tablename__, Task.state == OPEN,
                   Task.due_at < (now or utcnow())))
    return Customer.id.in_(late)


# -- the legal representative is one of the key people ----------------------------------------------

def _legal_rep_changed(person: KeyPerson, session: Session) -> bool:
    """Whether a key person's change adds, removes, renames or re-roles a legal representative."""
    if person in session.new or person in session.deleted:
        return person.role == LEGAL_REP_ROLE
    state = inspect(person)
    role, name = state.attrs.role.history, state.attrs.name.history
    was = role.deleted[0] if role.deleted else person.role
    if LEGAL_REP_ROLE not in (was, person.role):
        return False
    renamed = name.has_changes() and (name.deleted[0] if name.deleted else None) != person.name
    return was != person.role or renamed


@event.listens_for(Session, "before_flush")
def _notice_legal_representative(session: Session, flush_context: Any, instances: Any) -> None:
    """Adding, removing, renaming or re-roling the legal representative counts as an edit of the
    archive's watched value ``legal_representative``; the rest of a key person does not."""
    for person in chained(session.new, session.dirty, session.deleted):
        if isinstance(person, KeyPerson) and person.customer_id and _legal_rep_changed(person, session):
            customer = session.get(Customer, person.customer_id)
            if customer is not None:
                note_edit(customer, LEGAL_REP)


# -- archives already in the flow on an upgraded database -------------------------------------------

ADOPTED_STATES = ("submitted", "verified", "returned", "filed")


def _flow_history(customer_id: int) -> dict[str, AuditEvent]:
    """The latest audit row of each archive-flow transition of a customer."""
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == Customer.__tablename__, AuditEvent.record_id == customer_id,
        AuditEvent.action == "transition").order_by(AuditEvent.id))
    return {str((row.changes or {}).get("transition")): row for row in rows}


def adopt_archives() -> int:
    """Give archives that entered the flow before it ran on the work engine the round they would
    have: submitted ones their verify task, its 30 days counted from the submission (so a late one
    is late at once); verified ones the department's filing task; sent-back ones their
    submitter's revise task; filed ones an approved round, which a watched edit voids. Archives
    with a round already are left alone, so ``guanxi db upgrade`` runs it every time. Returns how
    many it took over; the caller commits."""
    taken = select(ApprovalRequest.record_id).where(ApprovalRequest.chain == CHAIN,
                                                    ApprovalRequest.record_type == Customer.__tablename__)
    customers = db.session.scalars(select(Customer).where(
        Customer.state.in_(ADOPTED_STATES), Customer.id.not_in(taken)).order_by(Customer.id)).all()
    count = 0
    for customer in customers:
        if _adopt(customer):
            count += 1
    return count


def _adopt(customer: Customer) -> bool:
    history = _flow_history(customer.id)
    since = customer.state_changed_at or utcnow()
    submit = history.get("submit")
    applicant = db.session.get(User, submit.user_id) if submit is not None and submit.user_id else None
    applicant = applicant or customer.owner
    if applicant is None:
        return False

    def earlier(name: str, decision: str = "approved") -> EarlierDecision:
        row = history.get(name)
        # nothing was decided after the state it led to (clamped for data set by hand, like the demo's)
        return (EarlierDecision(decision, row.user_id, min(row.at, since), row.comment) if row is not None
                else EarlierDecision(decision, None, since))

    state = customer.state
    decided = {}
    if state in ("verified", "filed"):
        decided[VERIFY] = earlier("verify")
    if state == "filed":
        decided[FILE] = earlier("file")
    if state == "returned":
        decided[VERIFY] = earlier("send_back", "sent_back")
    outcome = {"filed": "approved", "returned": "sent_back"}.get(state, "pending")
    # a submitted archive has been waiting since it changed state; the others since their submission
    submitted_at = since if state == "submitted" or submit is None else min(submit.at, since)
    try:
        with db.session.begin_nested():
            adopt_review(customer, CHAIN, applicant, submitted_at=submitted_at, decided=decided, outcome=outcome,
                         opened_at=since)
    except ApprovalRefused:
        return False
    return True
