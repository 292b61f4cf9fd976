"""Tasks: one table for every unit of work on any record, whoever owns the record.

A task names its record (table and id, and the customer when the record has one, so it shows on
the customer's timeline), what is to be done (a kind and a translatable title), who does it (one
user, or a queue: the holders of a role, the members of a department or the holders of a
permission, one of whom claims it), by when (a budget on a clock, paused while on hold) and, once
done, the decision taken. Overdue is not a state: it is an open task whose due time has passed.

Every change goes through the functions below, which write the record's history, notify people
through the inbox and fire ``task_assigned``/``task_completed``/``task_overdue`` after commit.
Two people deciding at once: the decision is a conditional UPDATE (``WHERE state = 'open'``), so
exactly one is recorded and the other is told who was first.
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
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
    and_,
    case,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from core import calendar
from core.audit import acting_as, record_event
from core.auth.models import Role, RolePermission, User, user_roles
from core.auth.roles import role_label
from core.db import db, utcnow
from core.events import commit, fire_after_commit
from core.i18n import CORE, N_, MessageId, local_datetime, translate
from core.notifications import message, notify, shown_param
from core.org import Department, general_manager, label_of, members, next_level_up
from core.settings import setting

log = logging.getLogger(__name__)

OPEN, ON_HOLD, DONE, CANCELLED = "open", "on_hold", "done", "cancelled"
STATES = {OPEN: _l("Open"), ON_HOLD: _l("On hold"), DONE: _l("Done"), CANCELLED: _l("Cancelled")}
DECISIONS = {"done": _l("Done"), "approved": _l("Approved"), "declined": _l("Declined"),
             "sent_back": _l("Sent back")}
QUEUE_KINDS = ("role", "department", "permission")
STAGES = ("warning", "escalated", "escalated_again")
SHOWS = ("all", "overdue", "mine", "queues", "watching")
CLOCKS = ("wall", "working")  # a 24-hour clock, or the company's working calendar


class TaskRefused(Exception):
    """An action on a task that may not happen; ``str()`` is a message for the user."""


@dataclass(frozen=True)
class Queue:
    """Who may claim a task: the holders of a role, a department's members, a permission's holders."""

    kind: str
    key: str

    def __post_init__(self) -> None:
        if self.kind not in QUEUE_KINDS:
            raise ValueError(f"unknown queue kind {self.kind!r}")

    @classmethod
    def role(cls, code: str) -> Queue:
        return cls("role", code)

    @classmethod
    def department(cls, code: str) -> Queue:
        return cls("department", code)

    @classmethod
    def permission(cls, code: str) -> Queue:
        return cls("permission", code)

    def label(self) -> str:
        return queue_label(self.kind, self.key)

    def members(self) -> list[User]:
        """The active users who may claim from this queue."""
        if self.kind == "department":
            found = db.session.scalar(select(Department).where(Department.code == self.key))
            return members(found.id) if found else []
        if self.kind == "role":
            stmt = (select(User).join(user_roles, user_roles.c.user_id == User.id)
                    .join(Role, Role.id == user_roles.c.role_id).where(Role.code == self.key))
        else:
            stmt = (select(User).join(user_roles, user_roles.c.user_id == User.id)
                    .join(RolePermission, RolePermission.role_id == user_roles.c.role_id)
                    .where(RolePermission.permission == self.key))
        return list(db.session.scalars(stmt.where(User.active.is_(True)).distinct().order_by(User.id)))

    def holds(self, user: Any) -> bool:
        """Whether ``user`` belongs to this queue."""
        if self.kind == "role":
            return self.key in user.role_codes
        if self.kind == "permission":
            return user.can(self.key)
        return db.session.scalar(select(Department.id).where(
            Department.code == self.key,
            or_(Department.id == user.department_id, Department.head_id == user.id))) is not None


def queue_label(kind: str | None, key: str | None, department_name: str | None = None,
                department_name_en: str | None = None) -> str:
    """How a queue reads: the role's, department's or permission's name."""
    if kind == "role":
        return role_label(key)
    if kind == "department":
        if department_name is None:
            found = db.session.scalar(select(Department).where(Department.code == key))
            return found.label if found else str(key)
        return label_of(department_name, department_name_en)
    if kind == "permission":
        from core.auth.permissions import declared_permissions

        label = next((p.label for p in declared_permissions() if p.code == key), key)
        return _("Holders of “%(permission)s”", permission=label)
    return ""


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_record", "record_type", "record_id"),
        Index("ix_tasks_queue", "state", "queue_kind", "queue_key"),
        Index("ix_tasks_assignee", "state", "assignee_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(64))  # the record's table
    record_id: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))  # a message id, translated when shown
    title_domain: Mapped[str] = mapped_column(String(64), default=CORE)
    title_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reference: Mapped[str | None] = mapped_column(String(200))  # the record's number or name
    link: Mapped[str | None] = mapped_column(String(300))  # the record's page
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    queue_kind: Mapped[str | None] = mapped_column(String(20))
    queue_key: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(20), default=OPEN)
    decisions: Mapped[str] = mapped_column(String(100), default="done")  # the ones allowed
    decision: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the deadline clock: the budget runs from start_at on ``clock``, except while paused
    start_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    budget_minutes: Mapped[int | None] = mapped_column(Integer)
    clock: Mapped[str] = mapped_column(String(10), default="wall")
    pauses: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[start, end or null], ...]
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)
    warning_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    second_due_at: Mapped[datetime | None] = mapped_column(DateTime)  # twice the budget
    warned_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_again_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def queue(self) -> Queue | None:
        return Queue(self.queue_kind, self.queue_key) if self.queue_kind and self.queue_key else None

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(d for d in self.decisions.split(",") if d)

    def title_text(self) -> str:
        params = {key: shown_param(value) for key, value in (self.title_params or {}).items()}
        return translate(self.title, self.title_domain, **params)

    def title_message(self) -> dict[str, Any]:
        return message(MessageId(self.title, self.title_domain), self.title_params)

    def is_open(self) -> bool:
        return self.state in (OPEN, ON_HOLD)

    def overdue(self, now: datetime | None = None) -> bool:
        return self.state == OPEN and self.due_at is not None and self.due_at < (now or utcnow())

    def pause_list(self) -> list[tuple[datetime, datetime | None]]:
        return [(datetime.fromisoformat(begin), datetime.fromisoformat(end) if end else None)
                for begin, end in self.pauses or []]


class TaskWatcher(db.Model):
    """Someone who follows a task and may act on it: escalation makes the next level up one."""

    __tablename__ = "task_watchers"
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    reason: Mapped[str] = mapped_column(String(20), default="added")  # escalated, escalated_again
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# Kinds whose decisions another part of core carries out (approvals): kind -> handler(task, user,
# decision, comment), which checks, records the decision with ``record_decision`` and goes on.
_HANDLERS: dict[str, Callable[..., Task]] = {}


def register_handler(kind: str, handler: Callable[..., Task]) -> None:
    _HANDLERS[kind] = handler


# -- creating ----------------------------------------------------------------------------------

def path_for(endpoint: str, **values: Any) -> str:
    """The path of a page, inside or outside a request (a sweep builds links too)."""
    adapter = current_app.url_map.bind("", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values)


def record_reference(record: Any) -> str | None:
    for name in ("number", "name", "title", "code"):
        value = getattr(record, name, None)
        if value:
            return str(value)[:200]
    return None


def _customer_id(record: Any) -> int | None:
    if record.__tablename__ == "customers":
        return record.id
    return getattr(record, "customer_id", None)


def _user_id(user: Any) -> int | None:
    if user is None:
        return None
    return user if isinstance(user, int) else user.id


def create_task(record: Any, kind: str, title: str, *, assignee: Any = None,
                queue: Queue | None = None, params: dict[str, Any] | None = None,
                budget_minutes: int | None = None, clock: str = "wall", due: datetime | None = None,
                start: datetime | None = None, warn_share: Any = None,
                decisions: Sequence[str] = ("done",), reference: str | None = None,
                link: str | None = None, by: Any = None, notify_people: bool = True,
                history: bool = True) -> Task:
    """Create a task about ``record`` (any model instance with an ``id``) for ``assignee`` (a
    user or user id) or ``queue``, due ``budget_minutes`` after ``start`` (default now) on
    ``clock`` ("wall" or "working"), or at ``due``.

    ``title`` is a message id marked with your domain's ``N_``, formatted with ``params``.
    ``decisions`` are those allowed when completing it; ``warn_share`` (default: the company
    setting ``core.task_warn_percent``) is the share of the budget after which the sweep warns.
    The caller commits (``core.events.commit``).
    """
    if (assignee is None) == (queue is None):
        raise ValueError("a task goes to one assignee or one queue")
    if not isinstance(title, str) or type(title).__name__ == "LazyString":
        raise TypeError("mark a task title with N_ (your domain's mark), not _l")
    if record.id is None:
        db.session.flush()
    start = start or utcnow()
    if due is not None and budget_minutes is None:
        budget_minutes, clock = max(1, math.ceil((due - start).total_seconds() / 60)), "wall"
    if clock not in CLOCKS:
        raise ValueError(f"unknown clock {clock!r}")
    unknown = set(decisions) - set(DECISIONS)
    if unknown or not decisions:
        raise ValueError(f"unknown decisions {sorted(unknown)}")
    percent = (setting("core.task_warn_percent") if warn_share is None
               else int(round(float(warn_share) * 100)))
    task = Task(
        record_type=record.__tablename__, record_id=record.id, customer_id=_customer_id(record),
        kind=kind, title=str(title), title_domain=getattr(title, "domain", CORE),
        title_params=params or {}, reference=reference or record_reference(record),
        link=link or _default_link(record), assignee_id=_user_id(assignee),
        queue_kind=queue.kind if queue else None, queue_key=queue.key if queue else None,
        decisions=",".join(decisions), created_by_id=_user_id(by), start_at=start,
        budget_minutes=budget_minutes, clock=clock, pauses=[], warn_percent=min(max(percent, 1), 99))
    _schedule(task)
    db.session.add(task)
    db.session.flush()
    if history:
        _event(task, "created", assignee_id=task.assignee_id, queue=_queue_text(task),
               due=task.due_at.isoformat() if task.due_at else None)
    if notify_people:
        users, roles = _recipients(task)
        subject = N_("New task: %(title)s (%(reference)s)") if task.reference else N_("New task: %(title)s")
        notify(subject, users=[u for u in users if u != task.created_by_id], roles=roles,
               params={"title": task.title_message(), "reference": task.reference or ""},
               link=task_path(task))
    fire_after_commit("task_assigned", task=task)
    return task


def _default_link(record: Any) -> str | None:
    if record.__tablename__ == "customers":
        return path_for("customers.detail", customer_id=record.id)
    return None


def task_path(task: Task) -> str:
    return path_for("work.task", task_id=task.id)


def _schedule(task: Task) -> None:
    """Warning, due and second-breach times from the budget, the clock and the pauses."""
    if task.budget_minutes is None:
        task.warning_due_at = task.due_at = task.second_due_at = None
        return
    pauses = task.pause_list()
    budget = task.budget_minutes
    task.warning_due_at = calendar.due_at(task.start_at, max(1, budget * task.warn_percent // 100),
                                          task.clock, pauses)
    task.due_at = calendar.due_at(task.start_at, budget, task.clock, pauses)
    task.second_due_at = calendar.due_at(task.start_at, 2 * budget, task.clock, pauses)


def _queue_text(task: Task) -> str | None:
    return f"{task.queue_kind}:{task.queue_key}" if task.queue_kind else None


def _event(task: Task, event: str, comment: str | None = None, **changes: Any) -> None:
    """A line on the record's history (and its customer's): what happened to this task."""
    record_event(task.record_type, task.record_id, "task",
                 {"event": event, "task": task.id, "title": task.title, "domain": task.title_domain,
                  "params": task.title_params or {},
                  **{key: value for key, value in changes.items() if value not in (None, [], "")}},
                 comment=comment or None, customer_id=task.customer_id)


def _recipients(task: Task) -> tuple[list[int], list[str]]:
    """Whom a message about the task reaches: the assignee, or everyone in its queue."""
    if task.assignee_id:
        return [task.assignee_id], []
    queue = task.queue
    if queue is None:
        return [], []
    if queue.kind == "role":
        return [], [queue.key]
    return [user.id for user in queue.members()], []


# -- who may act -------------------------------------------------------------------------------

def is_watcher(task: Task, user: Any) -> bool:
    return db.session.get(TaskWatcher, (task.id, user.id)) is not None


def watchers(task: Task) -> list[tuple[User, TaskWatcher]]:
    rows = db.session.execute(
        select(User, TaskWatcher).join(TaskWatcher, TaskWatcher.user_id == User.id)
        .where(TaskWatcher.task_id == task.id).order_by(TaskWatcher.added_at))
    return [(user, watch) for user, watch in rows]


def can_act(task: Task, user: Any) -> bool:
    """Whether ``user`` may decide, hold or resume ``task``: its assignee, a member of its queue
    while nobody has claimed it, or a watcher (the next level up after an escalation)."""
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    if task.assignee_id is not None:
        if task.assignee_id == user.id:
            return True
    elif task.queue is not None and task.queue.holds(user):
        return True
    return is_watcher(task, user)


def can_manage(task: Task, user: Any) -> bool:
    """Whether ``user`` may cancel ``task``: its creator or a holder of ``tasks.manage``."""
    return user is not None and (task.created_by_id == user.id or user.can("tasks.manage"))


def can_see(task: Task, user: Any) -> bool:
    """Whether ``user`` may open the task's page: anyone who may act or manage, who closed it,
    or who was in its queue (so a late colleague learns who was first)."""
    return (can_act(task, user) or can_manage(task, user) or task.completed_by_id == user.id
            or (task.queue is not None and task.queue.holds(user)))


# -- acting ------------------------------------------------------------------------------------

def _closed_message(task: Task) -> str:
    """Why a task can no longer be decided, naming who closed it."""
    db.session.refresh(task)
    who = db.session.get(User, task.completed_by_id) if task.completed_by_id else None
    name = who.display_name if who else _("the system")
    if task.state == DONE:
        return _("%(name)s already completed this task at %(time)s (%(decision)s).", name=name,
                 time=local_datetime(task.completed_at),
                 decision=DECISIONS.get(task.decision, task.decision))
    if task.state == CANCELLED:
        return _("This task was cancelled at %(time)s.", time=local_datetime(task.completed_at))
    if task.state == ON_HOLD:
        return _("This task is on hold: resume it first.")
    return _("This task changed meanwhile; reload the page.")


def _set(task: Task, **values: Any) -> None:
    """Mirror values an UPDATE statement wrote onto the loaded task, without a second write."""
    for key, value in values.items():
        set_committed_value(task, key, value)


def check_decision(task: Task, user: Any, decision: str, comment: str) -> None:
    if task.state != OPEN:
        raise TaskRefused(_closed_message(task))
    if decision not in task.allowed:
        raise TaskRefused(_("“%(decision)s” is not a decision of this task.",
                            decision=DECISIONS.get(decision, decision)))
    if not can_act(task, user):
        raise TaskRefused(_("This task is not yours to decide."))
    if decision in ("sent_back", "declined") and not (comment or "").strip():
        raise TaskRefused(_("“%(decision)s” needs a comment.", decision=DECISIONS[decision]))


def record_decision(task: Task, user: Any, decision: str, comment: str = "") -> None:
    """Close ``task`` with ``decision``, exactly once: a conditional UPDATE of an open task, so
    of two people deciding at once one succeeds and the other gets ``TaskRefused`` naming who
    was first."""
    now = utcnow()
    values = {"state": DONE, "decision": decision, "comment": (comment or "").strip() or None,
              "completed_by_id": user.id if user else None, "completed_at": now}
    if task.assignee_id is None and user is not None:
        values.update(assignee_id=user.id, claimed_at=now)
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.state == OPEN).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise TaskRefused(_closed_message(task))
    _set(task, **values)


def complete_task(task: Task, user: Any, decision: str = "done", comment: str = "") -> Task:
    """Complete ``task`` with one of its decisions; raises ``TaskRefused`` with a message (not
    yours, already decided by someone, a decision that needs a comment). The caller commits."""
    handler = _HANDLERS.get(task.kind)
    if handler is not None:
        return handler(task, user, decision, comment)
    check_decision(task, user, decision, comment)
    record_decision(task, user, decision, comment)
    _event(task, "completed", comment, decision=decision)
    if task.created_by_id and task.created_by_id != user.id:
        notify(N_("%(name)s completed: %(title)s"), users=[task.created_by_id],
               params={"name": user.display_name, "title": task.title_message()}, link=task_path(task))
    fire_after_commit("task_completed", task=task, user=user)
    return task


def claim_task(task: Task, user: Any) -> Task:
    """Take a queue's task: it becomes ``user``'s. Refused when someone else was quicker."""
    if not task.is_open():
        raise TaskRefused(_closed_message(task))
    if task.queue is None or not task.queue.holds(user):
        raise TaskRefused(_("Only members of the queue can take this task."))
    now = utcnow()
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.assignee_id.is_(None),
                           Task.state.in_((OPEN, ON_HOLD)))
        .values(assignee_id=user.id, claimed_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(task)
        if task.assignee_id:
            taker = db.session.get(User, task.assignee_id)
            raise TaskRefused(_("%(name)s has already taken this task.", name=taker.display_name))
        raise TaskRefused(_closed_message(task))
    _set(task, assignee_id=user.id, claimed_at=now)
    _event(task, "claimed", assignee_id=user.id)
    return task


def release_task(task: Task, user: Any) -> Task:
    """Give a claimed task back to its queue."""
    if task.queue is None or task.assignee_id != user.id or not task.is_open():
        raise TaskRefused(_("Only the person who took a queue's task can give it back."))
    task.assignee_id = None
    task.claimed_at = None
    _event(task, "released", queue=_queue_text(task))
    return task


def hold_task(task: Task, user: Any, comment: str = "") -> Task:
    """Put an open task on hold (waiting for the customer, for samples): its clock stops."""
    if not can_act(task, user):
        raise TaskRefused(_("This task is not yours to decide."))
    now = utcnow()
    pauses = [*(task.pauses or []), [now.isoformat(), None]]
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.state == OPEN)
        .values(state=ON_HOLD, pauses=pauses).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise TaskRefused(_closed_message(task))
    _set(task, state=ON_HOLD, pauses=pauses)
    _event(task, "held", comment)
    return task


def resume_task(task: Task, user: Any, comment: str = "") -> Task:
    """Start the clock of a task on hold again; its deadlines move by the time it waited."""
    if user is not None and not can_act(task, user):
        raise TaskRefused(_("This task is not yours to decide."))
    if task.state != ON_HOLD:
        raise TaskRefused(_("This task is not on hold."))
    now = utcnow()
    pauses = [list(pause) for pause in task.pauses or []]
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = now.isoformat()
    task.pauses = pauses
    task.state = OPEN
    _schedule(task)
    _event(task, "resumed", comment, due=task.due_at.isoformat() if task.due_at else None)
    return task


def cancel_task(task: Task, user: Any = None, comment: str = "", history: bool = True) -> Task:
    """Cancel an open task (``user`` None: the system or the record's own rules)."""
    if user is not None and not can_manage(task, user):
        raise TaskRefused(_("Only the task's creator or a task manager can cancel it."))
    now = utcnow()
    values = {"state": CANCELLED, "completed_at": now, "completed_by_id": _user_id(user),
              "comment": (comment or "").strip() or None}
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.state.in_((OPEN, ON_HOLD))).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise TaskRefused(_closed_message(task))
    _set(task, **values)
    if history:
        _event(task, "cancelled", comment)
    return task


def add_watcher(task: Task, user_id: int, reason: str = "added") -> bool:
    if db.session.get(TaskWatcher, (task.id, user_id)) is not None:
        return False
    db.session.add(TaskWatcher(task_id=task.id, user_id=user_id, reason=reason))
    return True


# -- reading -----------------------------------------------------------------------------------

def tasks_of(record: Any, open_only: bool = False) -> list[Task]:
    """The tasks about ``record``, newest first."""
    stmt = select(Task).where(Task.record_type == record.__tablename__, Task.record_id == record.id)
    if open_only:
        stmt = stmt.where(Task.state.in_((OPEN, ON_HOLD)))
    return list(db.session.scalars(stmt.order_by(Task.created_at.desc(), Task.id.desc())))


def _conditions(user: Any) -> dict[str, Any]:
    """SQL conditions on ``Task``: assigned to ``user``, waiting in one of their queues, watched."""
    departments = select(Department.code).where(
        or_(Department.id == user.department_id, Department.head_id == user.id))
    queues = and_(Task.assignee_id.is_(None), or_(
        and_(Task.queue_kind == "role", Task.queue_key.in_(sorted(user.role_codes))),
        and_(Task.queue_kind == "permission", Task.queue_key.in_(sorted(user.permissions))),
        and_(Task.queue_kind == "department", Task.queue_key.in_(departments))))
    watching = Task.id.in_(select(TaskWatcher.task_id).where(TaskWatcher.user_id == user.id))
    return {"mine": Task.assignee_id == user.id, "queues": queues, "watching": watching}


def _overdue(now: datetime) -> Any:
    return and_(Task.state == OPEN, Task.due_at.is_not(None), Task.due_at < now)


def work_counts(user: Any, now: datetime | None = None) -> dict[str, int]:
    """How many open tasks ``user`` has (all, overdue, assigned, in their queues, watched): one query."""
    now = now or utcnow()
    cond = _conditions(user)

    def count_if(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(func.count(Task.id), count_if(_overdue(now)), count_if(cond["mine"]),
               count_if(cond["queues"]), count_if(cond["watching"]))
        .where(Task.state.in_((OPEN, ON_HOLD)), or_(*cond.values()))).one()
    return dict(zip(("all", "overdue", "mine", "queues", "watching"), map(int, row), strict=True))


@dataclass(frozen=True)
class WorkRow:
    """One line of My work: the task and what it needs from the joined tables."""

    task: Task
    customer: str | None
    assignee: str | None
    queue: str | None
    overdue: bool


def task_rows(where: Any, page: int = 1, per_page: int = 25, now: datetime | None = None) -> list[WorkRow]:
    """Open tasks matching ``where``, overdue first, then open before on hold, then by due time,
    with their customer's, assignee's and queue's names: one query whatever the page's length."""
    from core.registry.models import Customer

    now = now or utcnow()
    assignee = aliased(User)
    overdue = _overdue(now)
    stmt = (
        select(Task, Customer.name, assignee.display_name, Department.name, Department.name_en,
               case((overdue, 1), else_=0))
        .outerjoin(Customer, Customer.id == Task.customer_id)
        .outerjoin(assignee, assignee.id == Task.assignee_id)
        .outerjoin(Department, and_(Task.queue_kind == "department", Department.code == Task.queue_key))
        .where(Task.state.in_((OPEN, ON_HOLD)), where)
        .order_by(case((overdue, 0), else_=1), case((Task.state == OPEN, 0), else_=1),
                  Task.due_at.is_(None), Task.due_at, Task.created_at, Task.id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page))
    rows = []
    for task, customer, assignee_name, dept_name, dept_en, late in db.session.execute(stmt):
        label = queue_label(task.queue_kind, task.queue_key, dept_name, dept_en) if task.queue_kind else None
        rows.append(WorkRow(task, customer, assignee_name, label, bool(late)))
    return rows


def my_open_tasks(user: Any, show: str = "all", page: int = 1, per_page: int = 25,
                  now: datetime | None = None) -> list[WorkRow]:
    """``user``'s open tasks (assigned, in a queue of theirs, or watched; ``show`` narrows to
    one of these or to the overdue ones), overdue first, then by due time."""
    now = now or utcnow()
    cond = _conditions(user)
    where = {"all": or_(*cond.values()), "overdue": and_(or_(*cond.values()), _overdue(now)),
             "mine": cond["mine"], "queues": cond["queues"],
             "watching": cond["watching"]}.get(show, false())
    return task_rows(where, page, per_page, now)


# -- the deadline sweep ------------------------------------------------------------------------

def _claim_stage(task: Task, column: str, now: datetime) -> bool:
    """Mark one stage as done (warned, escalated, escalated again) exactly once: whichever sweep
    sets the column first performs the stage."""
    attr = getattr(Task, column)
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.state == OPEN, attr.is_(None)).values({column: now})
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        _set(task, **{column: now})
        return True
    return False


def _head_of_queue(queue: Queue) -> User | None:
    """For an unclaimed queue task: the head of its department, or of the department most of
    the queue's members belong to."""
    if queue.kind == "department":
        found = db.session.scalar(select(Department).where(Department.code == queue.key))
        if found is not None and found.head_id:
            head = db.session.get(User, found.head_id)
            return head if head is not None and head.active else None
        return None
    counts = Counter(user.department_id for user in queue.members() if user.department_id)
    for department_id, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        found = db.session.get(Department, department_id)
        if found is not None and found.active and found.head_id:
            head = db.session.get(User, found.head_id)
            if head is not None and head.active:
                return head
    return None


def escalation_target(task: Task) -> User | None:
    """Who hears of a missed deadline: for a user's task their next level up; for a queue's
    task the head of its department (or, for that head, the general manager)."""
    if task.assignee_id:
        assignee = db.session.get(User, task.assignee_id)
        target = next_level_up(assignee) if assignee is not None else None
    else:
        target = _head_of_queue(task.queue) if task.queue else None
    if target is None:
        target = general_manager()
    if target is not None and target.id == task.assignee_id:  # the top's own task: nobody above
        target = None
    return target


def _sweep_task(task: Task, now: datetime) -> list[str]:
    """The stages ``task`` reaches at ``now`` and has not had yet, each performed once."""
    done = []
    reached_due = task.due_at is not None and task.due_at <= now
    reached_second = task.second_due_at is not None and task.second_due_at <= now
    if task.warned_at is None and task.warning_due_at is not None and task.warning_due_at <= now:
        if _claim_stage(task, "warned_at", now) and not reached_due:
            users, roles = _recipients(task)
            notify(N_("Due soon: %(title)s"), users=users, roles=roles,
                   params={"title": task.title_message(), "due": local_datetime(task.due_at)},
                   link=task_path(task))
            _event(task, "warned", due=task.due_at.isoformat() if task.due_at else None)
            done.append("warning")
    if reached_due and task.escalated_at is None and _claim_stage(task, "escalated_at", now):
        target = escalation_target(task)
        users, roles = _recipients(task)
        notify(N_("Overdue: %(title)s"), users=users, roles=roles,
               params={"title": task.title_message()}, link=task_path(task))
        if target is not None:
            add_watcher(task, target.id, "escalated")
            notify(N_("Overdue and escalated to you: %(title)s"), users=[target.id],
                   params={"title": task.title_message()}, link=task_path(task))
        _event(task, "escalated", to=target.id if target else None)
        done.append("escalated")
    if reached_second and task.escalated_again_at is None and _claim_stage(task, "escalated_again_at", now):
        top = general_manager()
        if top is not None:
            add_watcher(task, top.id, "escalated_again")
            notify(N_("Twice over its deadline: %(title)s"), users=[top.id],
                   params={"title": task.title_message()}, link=task_path(task))
        _event(task, "escalated_again", to=top.id if top else None)
        done.append("escalated_again")
    for stage in done:
        fire_after_commit("task_overdue", task=task, stage=stage)
    return done


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Warn at the warning share of each open task's budget, escalate at 100 % and again at
    200 %: each exactly once however often (or however many workers) run it. Performed and
    audited as the system; commits task by task. Returns how many of each stage it performed."""
    now = now or utcnow()
    performed = dict.fromkeys(STAGES, 0)
    due = or_(
        and_(Task.warned_at.is_(None), Task.warning_due_at <= now),
        and_(Task.escalated_at.is_(None), Task.due_at <= now),
        and_(Task.escalated_again_at.is_(None), Task.second_due_at <= now))
    ids = list(db.session.scalars(select(Task.id).where(Task.state == OPEN, due).order_by(Task.id)))
    with acting_as(None):
        for task_id in ids:
            try:
                task = db.session.get(Task, task_id)
                stages = _sweep_task(task, now) if task is not None and task.state == OPEN else []
                commit()
            except Exception:  # noqa: BLE001 - one broken task must not stop the sweep
                db.session.rollback()
                log.exception("deadline sweep failed on task %s", task_id)
                continue
            for stage in stages:
                performed[stage] += 1
    return performed


def remaining(task: Task, now: datetime | None = None) -> timedelta | None:
    """Time left until the task is due (negative when overdue), None without a deadline."""
    if task.due_at is None:
        return None
    return task.due_at - (now or utcnow())

