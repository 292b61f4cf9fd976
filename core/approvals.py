"""Approval chains: who signs a document, in which order, and what their signatures are worth.

The plugin (or core) that owns a document type declares its chain in code: ordered stages, each a
``Step`` or a ``Parallel`` group of steps with a join rule (all must sign, or any one); each step's
reviewer comes from a named resolver (a role's queue, the head of a department, the record's
regional manager, the applicant's manager, a named user, or one a plugin registers); a step may
apply only under a condition (an amount above a company setting's threshold).

On submission every reviewer is resolved and kept in the request's step rows, so changing the
chain or someone's job later re-routes nothing in flight; each stage's reviewers get a task when
the stage opens. A reviewer approves, sends back to the applicant (comment required; the applicant
revises and resubmits, which starts a new round, every earlier round staying visible) or rejects.
Four eyes (company setting ``core.four_eyes``): nobody decides on their own application, and a
resolver that would pick the applicant picks the next level up. Editing a field the chain watches
while the document is under review or approved voids its approvals and starts the chain again.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, object_session

from core.audit import plain, record_event
from core.auth.models import User
from core.auth.service import find_user
from core.db import db, utcnow
from core.events import fire_after_commit
from core.i18n import CORE, N_, MessageId, translate
from core.notifications import message, notify
from core.org import (
    Department,
    department_head,
    general_manager,
    manager_of,
    next_level_up,
    regional_manager,
)
from core.plugins import PluginError, implementations
from core.settings import setting
from core.tasks import (
    DECISIONS,
    ON_HOLD,
    OPEN,
    Queue,
    Task,
    TaskRefused,
    cancel_task,
    check_decision,
    create_task,
    queue_label,
    record_decision,
    register_handler,
)

EXTENSION = "guanxi.approvals"
APPROVAL = "approval"  # the kind of a reviewer's task
RESUBMIT = "approval_resubmit"  # the kind of the applicant's task after a send-back
JOINS = ("all", "any")
REQUEST_STATES = {"pending": _l("Under review"), "approved": _l("Approved"), "rejected": _l("Rejected"),
                  "sent_back": _l("Sent back"), "voided": _l("Void"), "withdrawn": _l("Withdrawn")}
STEP_STATES = {"waiting": _l("Waiting"), "open": _l("Under review"), "approved": _l("Approved"),
               "declined": _l("Rejected"), "sent_back": _l("Sent back"), "skipped": _l("Not required"),
               "cancelled": _l("Not needed"), "voided": _l("Void")}
STEP_DECISION = {"approved": "approved", "declined": "declined", "sent_back": "sent_back"}


class ApprovalRefused(Exception):
    """A submission or withdrawal that may not happen; ``str()`` is a message for the user."""


# -- declarations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reviewer:
    """A named resolver and its arguments, e.g. ``Reviewer("department_head", ("qc",))``."""

    resolver: str
    args: tuple[Any, ...] = ()


def reviewer(resolver: str, *args: Any) -> Reviewer:
    """``reviewer("role", "marketing_manager")``, ``reviewer("department_head", "qc")``, …"""
    return Reviewer(resolver, tuple(args))


@dataclass(frozen=True)
class Resolver:
    """Finds a step's reviewer: ``resolve(record, applicant, *args)`` returns a ``User``, a
    ``Queue`` or None (nobody: the step then goes to the general manager)."""

    name: str
    label: Any
    resolve: Callable[..., Any]


@dataclass(frozen=True)
class Step:
    """One signature. ``label`` is marked with your domain's ``N_``; ``when(record)`` makes the
    step conditional (``amount_above``); ``budget_minutes``/``clock`` set its task's deadline.

    ``four_eyes`` names who reviews when the reviewer found would be the applicant (default: the
    applicant's next level up); ``task_title`` (``N_``) is the title of the reviewer's task
    instead of “Review: <label>”, ``approve_label`` (``N_``) what its approve button says instead
    of “Approve”; ``on_approved(record, request, user)`` runs when this step is
    approved, inside the decision's transaction, before the next stage opens (move the
    document's workflow a step there)."""

    name: str
    label: str
    reviewer: Reviewer
    when: Callable[[Any], bool] | None = None
    budget_minutes: int | Callable[[Any], int | None] | None = None
    clock: str | Callable[[Any], str] | None = None
    four_eyes: Reviewer | None = None
    task_title: str | None = None
    approve_label: str | None = None
    on_approved: Callable[[Any, ApprovalRequest, Any], None] | None = None


@dataclass(frozen=True)
class Parallel:
    """Steps signed at the same time; ``join="all"``: every one must approve, ``"any"``: the
    first approval is enough (the others are no longer needed). A rejection or a send-back by
    any of them decides for the group."""

    name: str
    label: str
    steps: Sequence[Step]
    join: str = "all"

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))


@dataclass(frozen=True)
class AmountAbove:
    """A condition: the record's ``field`` (integer cents) is above the company setting
    ``setting`` (an amount in yuan, ``decimal`` or ``int``)."""

    setting: str
    field: str

    def threshold_cents(self) -> int:
        value = setting(self.setting)
        return int((Decimal(str(value)) * 100).quantize(Decimal(1), ROUND_HALF_UP))

    def __call__(self, record: Any) -> bool:
        return int(getattr(record, self.field) or 0) > self.threshold_cents()

    def note(self, record: Any) -> dict[str, Any]:
        return {"amount": int(getattr(record, self.field) or 0), "threshold": self.threshold_cents()}


def amount_above(setting_key: str, field_name: str) -> AmountAbove:
    """The step applies when ``record.<field_name>`` (cents) exceeds the setting (yuan)."""
    return AmountAbove(setting_key, field_name)


Callback = Callable[[Any, "ApprovalRequest", Any], None]


@dataclass(frozen=True)
class ApprovalChain:
    """The approval chain of one document type, declared by its owner and returned by the hook
    ``register_approval_chains``. ``name`` is ``<plugin>.<document>``; ``model`` the document's
    model; ``watched`` the fields whose change voids approvals; ``watched_related`` names of
    values kept outside the model's columns (a related record's) whose change the owner reports
    with ``note_edit(record, name)``; ``decisions`` those a reviewer may take (approve always;
    send back, reject). The callbacks run inside the transaction of the decision, with
    ``(record, request, user)``: move the document's own workflow there."""

    name: str
    label: str
    model: type
    stages: Sequence[Step | Parallel]
    watched: Sequence[str] = ()
    watched_related: Sequence[str] = ()
    decisions: Sequence[str] = ("approved", "sent_back", "declined")
    budget_minutes: int | None = None
    clock: str = "wall"
    reference: Callable[[Any], str] | None = None
    link: Callable[[Any], str] | None = None
    on_submitted: Callback | None = None
    on_approved: Callback | None = None
    on_rejected: Callback | None = None
    on_sent_back: Callback | None = None
    on_voided: Callback | None = None
    owner: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", tuple(self.stages))
        object.__setattr__(self, "watched", tuple(self.watched))
        object.__setattr__(self, "watched_related", tuple(self.watched_related))
        object.__setattr__(self, "decisions", tuple(self.decisions))

    def steps(self) -> list[tuple[int, Step, Parallel | None]]:
        found = []
        for index, stage in enumerate(self.stages):
            for step in stage.steps if isinstance(stage, Parallel) else (stage,):
                found.append((index, step, stage if isinstance(stage, Parallel) else None))
        return found


# -- the stored requests -------------------------------------------------------------------------

class ApprovalRequest(db.Model):
    """One round of review of one document: submitted, then decided or sent back (a new round
    follows) or voided by an edit."""

    __tablename__ = "approval_requests"
    __table_args__ = (Index("ix_approval_requests_record", "record_type", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(100))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(300))  # the document's page
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    voided_fields: Mapped[list[str] | None] = mapped_column(JSON)


class ApprovalStep(db.Model):
    """One reviewer's place in a round, with the reviewer resolved at submission (the snapshot)."""

    __tablename__ = "approval_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"),
                                            index=True)
    stage: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))  # message id, translated when shown
    label_domain: Mapped[str] = mapped_column(String(64), default=CORE)
    group_name: Mapped[str | None] = mapped_column(String(64))
    group_label: Mapped[str | None] = mapped_column(String(200))
    join: Mapped[str | None] = mapped_column(String(8))
    resolver: Mapped[str] = mapped_column(String(64))
    resolver_args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    queue_kind: Mapped[str | None] = mapped_column(String(20))
    queue_key: Mapped[str | None] = mapped_column(String(100))
    fallback: Mapped[str | None] = mapped_column(String(20))  # four_eyes, unresolved
    note: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # why a step was skipped
    state: Mapped[str] = mapped_column(String(20), default="waiting")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    comment: Mapped[str | None] = mapped_column(Text)

    def label_text(self) -> str:
        return translate(self.label, self.label_domain)

    def label_message(self) -> dict[str, Any]:
        return message(MessageId(self.label, self.label_domain))


# -- resolvers -----------------------------------------------------------------------------------

def _region_of(record: Any, applicant: User) -> int | None:
    from core.registry.models import Customer

    region_id = getattr(record, "region_id", None)
    if region_id is None and getattr(record, "customer_id", None):
        region_id = db.session.scalar(select(Customer.region_id).where(Customer.id == record.customer_id))
    return region_id if region_id is not None else applicant.region_id


def _named_user(record: Any, applicant: User, name: str | int) -> User | None:
    return db.session.get(User, name) if isinstance(name, int) else find_user(name)


BUILTIN_RESOLVERS = (
    Resolver("role", _l("Holders of a role (a queue)"), lambda record, applicant, code: Queue.role(code)),
    Resolver("department", _l("Members of a department (a queue)"),
             lambda record, applicant, code: Queue.department(code)),
    Resolver("permission", _l("Holders of a permission (a queue)"),
             lambda record, applicant, code: Queue.permission(code)),
    Resolver("department_head", _l("Head of a department"),
             lambda record, applicant, code: department_head(code)),
    Resolver("regional_manager", _l("Regional manager of the record"),
             lambda record, applicant: regional_manager(_region_of(record, applicant))),
    Resolver("applicants_manager", _l("The applicant's manager"),
             lambda record, applicant: manager_of(applicant)),
    Resolver("next_level_up", _l("The applicant's next level up"),
             lambda record, applicant: next_level_up(applicant)),
    Resolver("general_manager", _l("The general manager"), lambda record, applicant: general_manager()),
    Resolver("user", _l("A named user"), _named_user),
)


# -- the registry, built at start --------------------------------------------------------------

@dataclass(frozen=True)
class Registry:
    chains: dict[str, ApprovalChain]
    resolvers: dict[str, Resolver]
    by_model: dict[type, list[ApprovalChain]]


def _owned(owner: str, name: str, what: str) -> None:
    if not name.startswith(f"{owner}."):
        raise PluginError(f"{what} {name!r} of {owner!r} must be named {owner}.<name>.")


def build_registry(app: Flask) -> Registry:
    """Collect and check every declared chain and resolver; a mistake stops the start."""
    resolvers = {r.name: r for r in BUILTIN_RESOLVERS}
    for owner, caller in implementations(app, "register_reviewer_resolvers"):
        for resolver in (item for answer in caller() for item in answer or []):
            _owned(owner, resolver.name, "Resolver")
            if resolver.name in resolvers:
                raise PluginError(f"Resolver {resolver.name!r} is declared twice.")
            resolvers[resolver.name] = resolver
    chains: dict[str, ApprovalChain] = {}
    by_model: dict[type, list[ApprovalChain]] = {}
    for owner, caller in implementations(app, "register_approval_chains"):
        for chain in (item for answer in caller() for item in answer or []):
            _owned(owner, chain.name, "Approval chain")
            if chain.name in chains:
                raise PluginError(f"Approval chain {chain.name!r} is declared twice.")
            _check_chain(chain, resolvers)
            object.__setattr__(chain, "owner", owner)
            chains[chain.name] = chain
            by_model.setdefault(chain.model, []).append(chain)
            for name in chain.watched:
                getattr(chain.model, name).impl.active_history = True  # old values for the check
    return Registry(chains, resolvers, by_model)


def _check_chain(chain: ApprovalChain, resolvers: dict[str, Resolver]) -> None:
    where = f"Approval chain {chain.name!r}"
    if not chain.stages:
        raise PluginError(f"{where} has no steps.")
    names = [step.name for _index, step, _group in chain.steps()]
    names += [stage.name for stage in chain.stages if isinstance(stage, Parallel)]
    if len(names) != len(set(names)):
        raise PluginError(f"{where} names a step twice.")
    columns = {attr.key for attr in inspect(chain.model).column_attrs}
    unknown = [name for name in chain.watched if name not in columns]
    if unknown:
        raise PluginError(f"{where} watches fields its model lacks: {unknown}.")
    for stage in chain.stages:
        if isinstance(stage, Parallel) and (stage.join not in JOINS or not stage.steps):
            raise PluginError(f"{where}: group {stage.name!r} needs steps and a join of {JOINS}.")
    if "approved" not in chain.decisions or set(chain.decisions) - set(STEP_DECISION):
        raise PluginError(f"{where}: decisions must include approved and be among {tuple(STEP_DECISION)}.")
    overlap = set(chain.watched) & set(chain.watched_related)
    if overlap:
        raise PluginError(f"{where} names {sorted(overlap)} both in watched and in watched_related.")
    for _index, step, _group in chain.steps():
        for found in (step.reviewer, step.four_eyes):
            if found is not None and found.resolver not in resolvers:
                raise PluginError(f"{where}: step {step.name!r} names an unknown resolver "
                                  f"{found.resolver!r}.")
        if not all(isinstance(text, str) for text in (step.label, step.task_title, step.approve_label)
                   if text is not None):
            raise PluginError(f"{where}: mark the label of step {step.name!r} with N_, not _l.")


def registry() -> Registry:
    return current_app.extensions[EXTENSION]


def chain_named(chain: ApprovalChain | str) -> ApprovalChain:
    name = chain if isinstance(chain, str) else chain.name
    try:
        return registry().chains[name]
    except KeyError:
        raise KeyError(f"No approval chain {name!r} is declared by core or an enabled plugin.") from None


# -- submitting ----------------------------------------------------------------------------------

def _customer_id(record: Any) -> int | None:
    return record.id if record.__tablename__ == "customers" else getattr(record, "customer_id", None)


def _requests(record: Any, chain: str | None = None) -> Any:
    stmt = select(ApprovalRequest).where(ApprovalRequest.record_type == record.__tablename__,
                                         ApprovalRequest.record_id == record.id)
    return stmt.where(ApprovalRequest.chain == chain) if chain else stmt


def latest_request(record: Any, chain: ApprovalChain | str | None = None) -> ApprovalRequest | None:
    """The newest round of ``record``'s review (of ``chain``), or None."""
    name = chain if isinstance(chain, str) or chain is None else chain.name
    return db.session.scalar(_requests(record, name).order_by(ApprovalRequest.round.desc(),
                                                              ApprovalRequest.id.desc()).limit(1))


def _reference(chain: ApprovalChain, record: Any) -> str | None:
    if chain.reference is not None:
        return chain.reference(record)
    from core.tasks import record_reference

    return record_reference(record)


def _resolve(chain: ApprovalChain, step: Step, record: Any, applicant: User) -> dict[str, Any]:
    """The step's reviewer now, with four eyes and the fallback to the general manager."""
    found = registry().resolvers[step.reviewer.resolver].resolve(record, applicant, *step.reviewer.args)
    fallback = None
    if isinstance(found, User) and not found.active:
        found = None
    four_eyes = setting("core.four_eyes")
    if four_eyes and isinstance(found, User) and found.id == applicant.id:
        found, fallback = _instead_of_applicant(step, record, applicant), "four_eyes"
    if found is None:
        top = general_manager()
        if top is not None and not (four_eyes and top.id == applicant.id):
            found, fallback = top, fallback or "unresolved"
    if found is None:
        raise ApprovalRefused(_("Nobody can review “%(step)s”: set up departments and managers on "
                                "the organisation page.", step=translate(step.label, _domain(step.label))))
    if isinstance(found, Queue):
        return {"queue_kind": found.kind, "queue_key": found.key, "fallback": fallback}
    return {"reviewer_id": found.id, "fallback": fallback}


def _instead_of_applicant(step: Step, record: Any, applicant: User) -> User | Queue | None:
    """Four eyes: the step's own ``four_eyes`` reviewer, else the applicant's next level up."""
    if step.four_eyes is not None:
        other = registry().resolvers[step.four_eyes.resolver].resolve(record, applicant, *step.four_eyes.args)
        if isinstance(other, Queue) or (isinstance(other, User) and other.active and other.id != applicant.id):
            return other
    return next_level_up(applicant)


def _domain(label: str) -> str:
    return getattr(label, "domain", CORE)


def submit_for_approval(record: Any, chain: ApprovalChain | str, user: Any, comment: str = "") -> ApprovalRequest:
    """Start a round of review of ``record`` by ``user`` (the applicant): every reviewer is
    resolved now and kept; the first stage's reviewers get their tasks. Raises
    ``ApprovalRefused`` while a round is under review or approved. The caller commits."""
    chain = chain_named(chain)
    request = _new_round(record, chain, user, comment)
    _event(request, "submitted", request.comment)
    for task in db.session.scalars(select(Task).where(
            Task.record_type == record.__tablename__, Task.record_id == record.id,
            Task.kind == RESUBMIT, Task.state.in_((OPEN, ON_HOLD)))):
        record_decision(task, user, "done")
    if chain.on_submitted is not None:
        chain.on_submitted(record, request, user)
    _open_next_stage(request, chain, record, user, after=-1)
    return request


def _new_round(record: Any, chain: ApprovalChain, applicant: Any, comment: str = "") -> ApprovalRequest:
    """A new round of ``record``'s review with every step's reviewer resolved now."""
    if not isinstance(record, chain.model):
        raise TypeError(f"{chain.name} reviews {chain.model.__name__}, not {type(record).__name__}")
    if record.id is None:
        db.session.flush()
    latest = latest_request(record, chain)
    reference = _reference(chain, record)
    if latest is not None and latest.state == "pending":
        raise ApprovalRefused(_("%(reference)s is already under review.", reference=reference))
    if latest is not None and latest.state == "approved":
        raise ApprovalRefused(_("%(reference)s is already approved.", reference=reference))
    request = ApprovalRequest(chain=chain.name, record_type=record.__tablename__, record_id=record.id,
                              customer_id=_customer_id(record), round=(latest.round + 1) if latest else 1,
                              reference=reference, link=chain.link(record) if chain.link else None,
                              applicant_id=applicant.id,
                              comment=(comment or "").strip() or None)
    db.session.add(request)
    db.session.flush()
    for position, (index, step, group) in enumerate(chain.steps()):
        row = ApprovalStep(request_id=request.id, stage=index, position=position, name=step.name,
                           label=str(step.label), label_domain=_domain(step.label),
                           group_name=group.name if group else None,
                           group_label=str(group.label) if group else None,
                           join=group.join if group else None, resolver=step.reviewer.resolver,
                           resolver_args=[plain(arg) for arg in step.reviewer.args])
        if step.when is not None and not step.when(record):
            row.state = "skipped"
            row.note = step.when.note(record) if hasattr(step.when, "note") else None
        else:
            for key, value in _resolve(chain, step, record, applicant).items():
                setattr(row, key, value)
        db.session.add(row)
    db.session.flush()
    return request


@dataclass(frozen=True)
class EarlierDecision:
    """A step decided before its document came under an approval chain (see ``adopt_review``)."""

    decision: str  # approved, sent_back, declined
    user_id: int | None
    at: datetime
    comment: str | None = None


def adopt_review(record: Any, chain: ApprovalChain | str, applicant: Any, *, submitted_at: datetime,
                 decided: dict[str, EarlierDecision] | None = None, outcome: str = "pending",
                 opened_at: datetime | None = None) -> ApprovalRequest:
    """Take over a review that began before ``record``'s document type had its chain (an
    upgraded database): a round submitted by ``applicant`` at ``submitted_at``, the steps in
    ``decided`` taken as decided then. ``outcome`` "pending" gives the next stage's reviewers
    their tasks, their clocks started at ``opened_at`` (default now), so a deadline already
    missed shows as missed; "approved" closes the round as approved; "sent_back" closes it and
    gives the applicant a “Revise and resubmit” task. No callback runs: the document's state is
    already what the review says. The caller commits."""
    chain = chain_named(chain)
    if outcome not in ("pending", "approved", "sent_back"):
        raise ValueError(f"unknown outcome {outcome!r}")
    decided = decided or {}
    request = _new_round(record, chain, applicant)
    request.submitted_at = submitted_at
    last_stage = -1
    for row in _steps(request):
        earlier = decided.get(row.name)
        if earlier is None:
            continue
        row.state = STEP_DECISION[earlier.decision]
        row.decided_by_id, row.decided_at, row.comment = earlier.user_id, earlier.at, earlier.comment
        last_stage = max(last_stage, row.stage)
    _event(request, "adopted")
    if outcome == "pending" and any(s.stage > last_stage and s.state == "waiting" for s in _steps(request)):
        _open_next_stage(request, chain, record, None, after=last_stage, start=opened_at)
        return request
    outcome = "approved" if outcome == "pending" else outcome  # nothing left to review
    request.state = outcome
    request.decided_at = max((e.at for e in decided.values()), default=submitted_at)
    _close_open(request, "cancelled")
    if outcome == "sent_back":
        create_task(record, RESUBMIT, N_("Revise and resubmit"), assignee=applicant,
                    reference=request.reference, link=request.link, start=opened_at,
                    notify_people=False)
    return request


def _steps(request: ApprovalRequest, fresh: bool = False) -> list[ApprovalStep]:
    stmt = select(ApprovalStep).where(ApprovalStep.request_id == request.id).order_by(ApprovalStep.position)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    return list(db.session.scalars(stmt))


def _open_next_stage(request: ApprovalRequest, chain: ApprovalChain, record: Any, user: Any,
                     after: int, start: datetime | None = None) -> None:
    """Give the reviewers of the next stage with work their tasks, or approve when none is left."""
    waiting = [s for s in _steps(request) if s.stage > after and s.state == "waiting"]
    if not waiting:
        _finish(request, chain, record, user, "approved")
        return
    stage = min(s.stage for s in waiting)
    request.stage = stage
    definitions = {step.name: step for _index, step, _group in chain.steps()}
    for row in (s for s in waiting if s.stage == stage):
        step = definitions.get(row.name)
        queue = Queue(row.queue_kind, row.queue_key) if row.queue_kind else None
        if step is not None and step.task_title:
            title, params = step.task_title, {}
        else:
            title, params = N_("Review: %(step)s"), {"step": row.label_message()}
        budget = step.budget_minutes if step and step.budget_minutes else chain.budget_minutes
        clock = step.clock if step and step.clock else chain.clock
        task = create_task(
            record, APPROVAL, title, params=params,
            assignee=None if queue else row.reviewer_id, queue=queue,
            budget_minutes=budget(record) if callable(budget) else budget,
            clock=clock(record) if callable(clock) else clock, start=start,
            decisions=chain.decisions, reference=request.reference,
            link=request.link, history=False)
        row.state = "open"
        row.task_id = task.id


def _close_open(request: ApprovalRequest, state: str) -> None:
    """Cancel the tasks still open in a round and mark the steps not reached."""
    for row in _steps(request):
        if row.state == "open" and row.task_id:
            task = db.session.get(Task, row.task_id)
            if task is not None and task.is_open():
                cancel_task(task, None, history=False)
            row.state = state
        elif row.state == "waiting":
            row.state = state


def _applicant_notice(request: ApprovalRequest, subject: str, **params: Any) -> None:
    if request.applicant_id:
        notify(subject, users=[request.applicant_id],
               params={"reference": request.reference or "", **params}, link=request.link)


def _finish(request: ApprovalRequest, chain: ApprovalChain, record: Any, user: Any, outcome: str,
            comment: str = "") -> None:
    request.state = outcome
    request.decided_at = utcnow()
    if outcome != "approved":
        _close_open(request, "cancelled")
    _event(request, outcome)  # a reviewer's comment is on their decision already
    callback = {"approved": chain.on_approved, "rejected": chain.on_rejected,
                "sent_back": chain.on_sent_back}.get(outcome)
    if callback is not None:
        callback(record, request, user)
    if outcome == "approved":
        _applicant_notice(request, N_("%(reference)s was approved."))
    elif outcome == "rejected":
        _applicant_notice(request, N_("%(reference)s was rejected by %(name)s."), name=user.display_name)
    elif outcome == "sent_back":
        _applicant_notice(request, N_("%(reference)s was sent back to you by %(name)s."),
                          name=user.display_name)
        if request.applicant_id:
            create_task(record, RESUBMIT, N_("Revise and resubmit"), assignee=request.applicant_id,
                        reference=request.reference, link=request.link, by=user,
                        notify_people=False)


# -- deciding ------------------------------------------------------------------------------------

def approve_label(step: ApprovalStep) -> str | None:
    """What the approve button of ``step``'s task says, when its chain names it (translated)."""
    chain = registry().chains.get(db.session.get(ApprovalRequest, step.request_id).chain)
    definition = next((d for _index, d, _group in chain.steps() if d.name == step.name), None) if chain else None
    if definition is None or not definition.approve_label:
        return None
    return translate(definition.approve_label, _domain(definition.approve_label))


def _record_of(request: ApprovalRequest, chain: ApprovalChain) -> Any:
    return db.session.get(chain.model, request.record_id)


def decide(task: Task, user: Any, decision: str, comment: str = "") -> Task:
    """A reviewer's decision on their step (``complete_task`` of an approval task comes here).

    The round is locked first (``SELECT … FOR UPDATE``), so two reviewers of one parallel group
    deciding at once both count, and of two people deciding one task exactly one is recorded.
    """
    step = db.session.scalar(select(ApprovalStep).where(ApprovalStep.task_id == task.id))
    if step is None:
        raise TaskRefused(_("This task belongs to no review."))
    request = db.session.scalar(select(ApprovalRequest).where(ApprovalRequest.id == step.request_id)
                                .with_for_update().execution_options(populate_existing=True))
    check_decision(task, user, decision, comment)
    if request.state != "pending":
        raise TaskRefused(_("This review is over: %(state)s.",
                            state=REQUEST_STATES.get(request.state, request.state)))
    if setting("core.four_eyes") and user.id == request.applicant_id:
        raise TaskRefused(_("Four eyes: nobody decides on their own application."))
    record_decision(task, user, decision, comment)
    db.session.refresh(step)
    step.state = STEP_DECISION[decision]
    step.decided_by_id = user.id
    step.decided_at = task.completed_at
    step.comment = task.comment
    chain = chain_named(request.chain)
    record = _record_of(request, chain)
    _event(request, "decided", task.comment, step=step.label, step_domain=step.label_domain,
           decision=decision)
    if decision == "approved":
        siblings = [s for s in _steps(request, fresh=True) if s.stage == step.stage]
        if step.join == "any":
            for other in siblings:
                if other.id != step.id and other.state in ("open", "waiting"):
                    if other.task_id:
                        other_task = db.session.get(Task, other.task_id)
                        if other_task is not None and other_task.is_open():
                            cancel_task(other_task, None, history=False)
                    other.state = "cancelled"
            stage_done = True
        else:
            stage_done = all(s.state in ("approved", "skipped") for s in siblings)
        if request.applicant_id and request.applicant_id != user.id:
            notify(N_("%(reference)s: “%(step)s” approved by %(name)s."), users=[request.applicant_id],
                   params={"reference": request.reference or "", "step": step.label_message(),
                           "name": user.display_name}, link=task.link)
        definition = next((d for _index, d, _group in chain.steps() if d.name == step.name), None)
        if definition is not None and definition.on_approved is not None:
            definition.on_approved(record, request, user)
        if stage_done:
            _open_next_stage(request, chain, record, user, after=step.stage)
    else:
        _finish(request, chain, record, user, "rejected" if decision == "declined" else "sent_back",
                task.comment or "")
    fire_after_commit("task_completed", task=task, user=user)
    fire_after_commit("approval_decided", approval=request, step=step, decision=decision,
                      outcome=request.state, record=record, user=user)
    return task


register_handler(APPROVAL, decide)


def withdraw_application(record: Any, chain: ApprovalChain | str, user: Any, comment: str = "") -> ApprovalRequest:
    """The applicant takes back a document under review; its open tasks are cancelled. The round
    is locked first, as a decision locks it: a withdrawal and a decision at the same moment are
    one after the other, and the later one is refused."""
    chain = chain_named(chain)
    request = latest_request(record, chain)
    if request is not None:
        request = db.session.scalar(select(ApprovalRequest).where(ApprovalRequest.id == request.id)
                                    .with_for_update().execution_options(populate_existing=True))
    if request is None or request.state != "pending":
        raise ApprovalRefused(_("Nothing is under review."))
    if request.applicant_id != user.id and not user.can("tasks.manage"):
        raise ApprovalRefused(_("Only the applicant can withdraw an application."))
    request.state = "withdrawn"
    request.decided_at = utcnow()
    _close_open(request, "cancelled")
    _event(request, "withdrawn", comment or None)
    return request


# -- an edit voids the approvals -----------------------------------------------------------------

PENDING_EDITS = "guanxi_approval_edits"


def _changed(record: Any, names: Sequence[str]) -> list[str]:
    state = inspect(record)
    changed = []
    for name in names:
        history = state.attrs[name].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if plain(old) != plain(new):
                changed.append(name)
    return changed


@event.listens_for(Session, "before_flush")
def _notice_edits(session: Session, flush_context: Any, instances: Any) -> None:
    """Remember watched fields changed on documents; the void happens before the commit."""
    if not has_app_context() or EXTENSION not in current_app.extensions:
        return
    by_model = current_app.extensions[EXTENSION].by_model
    if not by_model:
        return
    for record in session.dirty:
        chains = by_model.get(type(record))
        if not chains:
            continue
        fields = _changed(record, sorted({name for chain in chains for name in chain.watched}))
        if fields:
            session.info.setdefault(PENDING_EDITS, []).append((record, fields))


def note_edit(record: Any, *fields: str) -> None:
    """Report a change of ``record`` that is not one of its columns (a related record's value the
    chain lists in ``watched_related``): before the commit it voids approvals like an edit of a
    watched column, once per record however many changes were reported."""
    session = object_session(record) or db.session()
    session.info.setdefault(PENDING_EDITS, []).append((record, list(fields)))


@event.listens_for(Session, "before_commit")
def _void_edited(session: Session) -> None:
    if not has_app_context() or not current_app.extensions.get(EXTENSION, Registry({}, {}, {})).by_model:
        return
    session.flush()  # an edit not flushed yet is noticed now
    edits = session.info.pop(PENDING_EDITS, None)
    if not edits:
        return
    seen: dict[tuple[str, int], set[str]] = {}
    records = {}
    for record, fields in edits:
        key = (record.__tablename__, record.id)
        seen.setdefault(key, set()).update(fields)
        records[key] = record
    for key, fields in seen.items():
        void_for_edit(records[key], sorted(fields))
    session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget_edits(session: Session, previous_transaction: Any) -> None:
    session.info.pop(PENDING_EDITS, None)


def void_for_edit(record: Any, fields: Sequence[str]) -> list[ApprovalRequest]:
    """Void the approvals of ``record`` under review or approved whose chain watches one of
    ``fields``, and start each chain again with the same applicant (a new round)."""
    restarted = []
    for chain in registry().by_model.get(type(record), []):
        touched = [name for name in fields if name in chain.watched or name in chain.watched_related]
        if not touched:
            continue
        request = latest_request(record, chain)
        if request is None or request.state not in ("pending", "approved"):
            continue
        was = request.state
        request.state = "voided"
        request.decided_at = utcnow()
        request.voided_fields = touched
        _close_open(request, "voided")
        _event(request, "voided", fields=touched, was=was)
        signed = {s.decided_by_id for s in _steps(request) if s.decided_by_id}
        notify(N_("%(reference)s changed after review: its approvals are void and the review starts again."),
               users=sorted(signed | ({request.applicant_id} if request.applicant_id else set())),
               params={"reference": request.reference or ""}, link=request.link)
        applicant = db.session.get(User, request.applicant_id) if request.applicant_id else None
        if chain.on_voided is not None:
            chain.on_voided(record, request, applicant)
        if applicant is None:
            continue
        try:
            with db.session.begin_nested():
                restarted.append(submit_for_approval(record, chain, applicant))
        except ApprovalRefused:  # nobody to review now: the applicant resubmits once that is fixed
            create_task(record, RESUBMIT, N_("Revise and resubmit"), assignee=applicant,
                        reference=request.reference, link=request.link)
    return restarted


# -- reading -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepView:
    """A step as pages and printed forms show it."""

    step: ApprovalStep
    label: str
    group: str | None
    reviewer: str  # who decided, else who was asked (a person or a queue)
    state: str
    decision: str | None
    decided_at: datetime | None
    comment: str | None
    fallback: str | None


@dataclass(frozen=True)
class Round:
    request: ApprovalRequest
    chain: str
    state: str
    applicant: str | None
    steps: list[StepView]


def _views(requests: list[ApprovalRequest]) -> dict[int, list[StepView]]:
    """The steps of these rounds with the names they need, in one query."""
    if not requests:
        return {}
    asked, decider = aliased(User), aliased(User)
    rows = db.session.execute(
        select(ApprovalStep, asked.display_name, decider.display_name, Department.name, Department.name_en)
        .outerjoin(asked, asked.id == ApprovalStep.reviewer_id)
        .outerjoin(decider, decider.id == ApprovalStep.decided_by_id)
        .outerjoin(Department, (ApprovalStep.queue_kind == "department")
                   & (Department.code == ApprovalStep.queue_key))
        .where(ApprovalStep.request_id.in_([r.id for r in requests]))
        .order_by(ApprovalStep.request_id, ApprovalStep.position))
    views: dict[int, list[StepView]] = {}
    for step, asked_name, decider_name, dept, dept_en in rows:
        who = decider_name or asked_name or (queue_label(step.queue_kind, step.queue_key, dept, dept_en)
                                             if step.queue_kind else "")
        decision = step.state if step.state in ("approved", "declined", "sent_back") else None
        views.setdefault(step.request_id, []).append(StepView(
            step, step.label_text(), translate(step.group_label, step.label_domain) if step.group_label else None,
            who, str(STEP_STATES.get(step.state, step.state)),
            str(DECISIONS.get(decision)) if decision else None, step.decided_at, step.comment,
            step.fallback))
    return views


def approval_rounds(record: Any) -> list[Round]:
    """Every round of review of ``record``, newest first, each with its steps (two queries)."""
    requests = list(db.session.scalars(_requests(record).order_by(ApprovalRequest.id.desc())))
    views = _views(requests)
    applicants = {r.applicant_id for r in requests if r.applicant_id}
    names = {uid: name for uid, name in db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(applicants)))} if applicants else {}
    labels = registry().chains
    rounds = []
    for request in requests:
        chain = labels.get(request.chain)
        title = translate(chain.label, _domain(chain.label)) if chain else request.chain
        rounds.append(Round(request, title, str(REQUEST_STATES.get(request.state, request.state)),
                            names.get(request.applicant_id), views.get(request.id, [])))
    return rounds


def signature_rows(record: Any, chain: ApprovalChain | str | None = None) -> list[StepView]:
    """The signature block of ``record``: the steps of its current round (under review or
    approved) that apply, for the ``signature_block`` macro."""
    request = latest_request(record, chain)
    if request is None or request.state not in ("pending", "approved"):
        return []
    return [view for view in _views([request]).get(request.id, [])
            if view.step.state not in ("skipped", "cancelled", "voided")]


def approval_state(record: Any, chain: ApprovalChain | str | None = None) -> str | None:
    """The state of ``record``'s newest round: pending, approved, rejected, sent_back, voided,
    withdrawn; None if it was never submitted."""
    request = latest_request(record, chain)
    return request.state if request else None


def _event(request: ApprovalRequest, name: str, comment: str | None = None, **changes: Any) -> None:
    chain = registry().chains.get(request.chain)
    record_event(request.record_type, request.record_id, "approval",
                 {"event": name, "chain": request.chain, "round": request.round,
                  "label": str(chain.label) if chain else request.chain,
                  "domain": _domain(chain.label) if chain else CORE,
                  **{key: value for key, value in changes.items() if value not in (None, [], "")}},
                 comment=comment, customer_id=request.customer_id)
