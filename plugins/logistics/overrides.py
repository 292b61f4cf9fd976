"""Weighbridge overrides on the work engine (RULES.md W-10, action level 2).

A gross capture that only override-level checks stand in the way of (net outside the tolerance,
a tare too old), taken by a weigher without the override right, becomes a request: the capture is
kept (``WeightOverride``) and core's approval chain ``logistics.weight_override`` puts one task in
My work of the holders of ``logistics.override`` (30 minutes on the wall clock, then the engine
warns and escalates). Four eyes: nobody decides their own request. Approved, the gross pass is
taken with the kept capture; refused, the ticket stays loaded and the reason stays on the form for
a new request or a new weighing. A holder of the right still overrides at once with a reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from core.api import (
    ApprovalChain,
    ApprovalRefused,
    Queue,
    Step,
    Task,
    TaskRefused,
    User,
    db,
    reviewer,
    submit_for_approval,
    utcnow,
    withdraw_application,
)
from plugins.logistics.flows import TRIP_FLOW
from plugins.logistics.i18n import N_, _
from plugins.logistics.override_models import WeightOverride
from plugins.logistics.services import (
    OverrideNeeded,
    WeighingRefused,
    finding_record,
    locked,
    take_gross,
)

CHAIN = "logistics.weight_override"
PERMISSION = "logistics.override"
BUDGET_MINUTES = 30  # a truck is waiting on the scale
OPEN_TASK = ("open", "on_hold")


def approval_chain() -> ApprovalChain:
    from plugins.logistics.models import Trip

    return ApprovalChain(
        CHAIN, N_("Weighbridge override"), Trip,
        stages=[Step("override", N_("Override of the weighbridge checks"), reviewer("permission", PERMISSION),
                     task_title=N_("Weighbridge override to decide"), approve_label=N_("Approve the override"))],
        decisions=("approved", "declined"), budget_minutes=BUDGET_MINUTES, clock="wall",
        reference=lambda trip: f"{trip.number} · {trip.vehicle.plate}", link=_link,
        on_approved=_approved, on_rejected=_refused)


def _link(trip: Any) -> str:
    """The request's page, inside or outside a request (the deadline sweep builds links too)."""
    adapter = current_app.url_map.bind("", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build("logistics.trip_override", {"trip_id": trip.id})


def deciders() -> str:
    """Who decides, as the pages say it."""
    return Queue.permission(PERMISSION).label()


# -- asking ------------------------------------------------------------------------------------

def pending(trip: Any) -> WeightOverride | None:
    return db.session.scalar(select(WeightOverride).where(WeightOverride.trip_id == trip.id,
                                                          WeightOverride.outcome.is_(None))
                             .order_by(WeightOverride.id.desc()).limit(1))


def latest(trip: Any) -> WeightOverride | None:
    return db.session.scalar(select(WeightOverride).where(WeightOverride.trip_id == trip.id)
                             .order_by(WeightOverride.id.desc()).limit(1))


def refuse_while_pending(trip: Any) -> None:
    """No second gross capture while one waits for its decision."""
    waiting = pending(trip)
    if waiting is not None:
        raise WeighingRefused(_("Ticket %(number)s waits for the decision on its override request (%(kg)s kg); "
                                "withdraw the request to weigh again.", number=trip.number, kg=waiting.weight_kg))


def weigh_gross(trip: Any, weight_kg: int, user: Any, manual: bool = False, reason: str = "") -> Any:
    """The gross pass, or, when only override-level checks refuse it and ``user`` may not override,
    a request for an override keeping the capture (the reason is then required). Returns the
    ticket, or the ``WeightOverride`` asked for."""
    own_right = user.can(PERMISSION)  # otherwise the reason serves only a request (a kept one may be prefilled)
    try:
        return take_gross(trip, weight_kg, user, manual=manual, reason=reason if own_right else "")
    except OverrideNeeded as needed:
        if not reason.strip():
            raise WeighingRefused(_("%(problems)s Write the reason for an override: the weight is then kept "
                                    "and goes to %(who)s to approve.", problems=str(needed),
                                    who=deciders())) from needed
        return _ask(trip, weight_kg, user, manual, reason, [finding_record(f) for f in needed.findings],
                    utcnow())


def gross_done(result: Any) -> str:
    """What the weigher is told after posting a gross weight."""
    if isinstance(result, WeightOverride):
        return _("%(kg)s kg kept: the override request went to %(who)s; the station shows their decision.",
                 kg=result.weight_kg, who=deciders())
    return _("Gross pass %(number)s: net %(kg)s kg.", number=result.number, kg=result.net_kg)


def ask_again(trip: Any, user: Any, reason: str) -> WeightOverride:
    """After a refusal (or a withdrawal): the kept capture goes to review again with a reason."""
    trip = locked(trip)
    refusal = TRIP_FLOW.refusal(trip, "weigh_gross", user)
    if refusal:
        raise WeighingRefused(refusal)
    refuse_while_pending(trip)
    last = latest(trip)
    if last is None:
        raise WeighingRefused(_("Ticket %(number)s has no override request to repeat.", number=trip.number))
    return _ask(trip, last.weight_kg, user, last.manual, reason, list(last.findings), last.captured_at)


def _ask(trip: Any, weight_kg: int, user: Any, manual: bool, reason: str, findings: list[dict[str, Any]],
         captured_at: datetime) -> WeightOverride:
    reason = reason.strip()
    if not reason:
        raise WeighingRefused(_("Write the reason for the override."))
    capture = WeightOverride(trip_id=trip.id, weight_kg=weight_kg, captured_at=captured_at, manual=manual,
                             findings=findings, reason=reason, requested_by_id=user.id)
    db.session.add(capture)
    try:
        request = submit_for_approval(trip, CHAIN, user, reason)
    except ApprovalRefused as refusal:
        raise WeighingRefused(str(refusal)) from refusal
    capture.request_id = request.id
    db.session.flush()
    return capture


def withdraw(trip: Any, user: Any) -> WeightOverride:
    """The requester takes the request back (to weigh the truck again); its task is cancelled.
    The review is locked before the ticket, in the order a decision locks them."""
    waiting = pending(trip)
    try:
        if waiting is None:
            raise ApprovalRefused(_("No override request of ticket %(number)s is waiting.", number=trip.number))
        withdraw_application(trip, CHAIN, user)
    except ApprovalRefused as refusal:  # decided a moment ago, or never asked
        raise WeighingRefused(str(refusal)) from refusal
    _decided(waiting, "withdrawn", user.id)
    return waiting


def withdraw_for_void(trip: Any, reason: str) -> None:
    """A ticket voided while its override waits: the request goes with it (in the requester's
    name, as a withdrawal the voiding caused). Called before the ticket is locked, like a decision."""
    waiting = pending(trip)
    if waiting is None:
        return
    requester = db.session.get(User, waiting.requested_by_id)
    try:
        withdraw_application(trip, CHAIN, requester, reason)
    except ApprovalRefused:  # decided a moment ago: the ticket is voided as it now stands
        return
    _decided(waiting, "withdrawn", None, reason)


# -- the engine's callbacks, inside the decision's transaction --------------------------------

def _capture(request: Any) -> WeightOverride:
    return db.session.scalar(select(WeightOverride).where(WeightOverride.request_id == request.id))


def _decided(capture: WeightOverride, outcome: str, user_id: int | None, comment: str | None = None) -> None:
    capture.outcome, capture.decided_by_id, capture.decided_at = outcome, user_id, utcnow()
    capture.decision_comment = comment


def _approved(trip: Any, request: Any, user: Any) -> None:
    """The gross pass is taken with the kept capture, by the weigher who captured it."""
    capture = _capture(request)
    trip = locked(trip)
    if trip.state != "loaded" or trip.gross_kg is not None:
        raise TaskRefused(_("Ticket %(number)s no longer waits for its gross pass (it is “%(state)s”).",
                            number=trip.number, state=TRIP_FLOW.state_label(trip.state)))
    weigher = db.session.get(User, capture.requested_by_id)
    TRIP_FLOW.apply(trip, "weigh_gross", weigher, capture.reason, authorised=True)
    trip.gross_kg, trip.gross_at, trip.gross_manual = capture.weight_kg, capture.captured_at, capture.manual
    trip.gross_by_id = capture.requested_by_id
    trip.net_kg = capture.weight_kg - trip.tare_kg
    trip.findings = list(trip.findings or []) + list(capture.findings)
    trip.override_reason = "; ".join(filter(None, [trip.override_reason, capture.reason]))
    _decided(capture, "approved", user.id)


def _refused(trip: Any, request: Any, user: Any) -> None:
    decision = db.session.scalar(select(Task).where(
        Task.record_type == trip.__tablename__, Task.record_id == trip.id, Task.completed_by_id == user.id,
        Task.decision == "declined").order_by(Task.completed_at.desc(), Task.id.desc()).limit(1))
    _decided(_capture(request), "rejected", user.id, decision.comment if decision else None)


# -- reading -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OverrideView:
    """The newest override request of a ticket as the station and its page show it."""

    capture: WeightOverride
    requested_by: str
    decided_by: str | None
    waiting_for: str | None  # who has the task: the person who took it, else the queue
    due_at: datetime | None
    task_id: int | None

    @property
    def state(self) -> str:
        return self.capture.outcome or "pending"


def override_views(trip_ids: list[int]) -> dict[int, OverrideView]:
    """The newest request of each ticket, with names and open tasks: three queries for any number."""
    if not trip_ids:
        return {}
    newest: dict[int, WeightOverride] = {}
    for capture in db.session.scalars(select(WeightOverride).where(WeightOverride.trip_id.in_(trip_ids))
                                      .order_by(WeightOverride.id)):
        newest[capture.trip_id] = capture
    if not newest:
        return {}
    waiting = [trip_id for trip_id, capture in newest.items() if capture.outcome is None]
    tasks = {task.record_id: task for task in db.session.scalars(select(Task).where(
        Task.record_type == "logistics_trips", Task.record_id.in_(waiting), Task.kind == "approval",
        Task.state.in_(OPEN_TASK)))} if waiting else {}
    people = {c.requested_by_id for c in newest.values()} | {c.decided_by_id for c in newest.values()}
    people |= {t.assignee_id for t in tasks.values()}
    people.discard(None)
    names = {uid: name for uid, name in db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(people)))} if people else {}
    views = {}
    for trip_id, capture in newest.items():
        task = tasks.get(trip_id)
        who = None
        if task is not None:
            who = names.get(task.assignee_id) if task.assignee_id else (task.queue.label() if task.queue else None)
        views[trip_id] = OverrideView(capture, names.get(capture.requested_by_id, ""),
                                      names.get(capture.decided_by_id), who, task.due_at if task else None,
                                      task.id if task else None)
    return views
