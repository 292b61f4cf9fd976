"""Recompute every customer's grades: gather inputs, apply the rules, store, tell who must act.

Set-based: a fixed number of statements whatever the number of customers (one delete and one
bulk insert for the current grades, one bulk insert for the history of what changed). The
follow-up tasks and ``tier_changed`` events are per moved customer, the price of telling people.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text

from core.api import (
    Customer,
    Queue,
    Task,
    create_task,
    db,
    department_head,
    fire_after_commit,
    message,
    notify,
    utcnow,
)
from plugins.tiering.i18n import N_
from plugins.tiering.inputs import as_json, gather, windows
from plugins.tiering.labels import FOCUS_MARKS
from plugins.tiering.models import Grade, Run, Snapshot
from plugins.tiering.rules import (
    RULE_VERSION,
    CustomerInputs,
    Result,
    Thresholds,
    grade_all,
    nine_grid,
)
from plugins.tiering.settings import thresholds

Progress = Callable[[int, int, str], None]
FOLLOW_UP = "tiering.follow_up"
FOLLOW_UP_DAYS = 3
TRACKED = ("grade", "size_class", "focus", "lifecycle", "pyramid", "segment", "churn")
FOLLOW_UP_TITLES = {
    "focus": N_("%(name)s became a focus customer (%(reasons)s): call and find out why"),
    "churn": N_("%(name)s shows a churn trend: call within three days"),
    "left_key": N_("%(name)s is no longer a key customer: talk to them about their volume"),
}


def row(result: Result, inputs: CustomerInputs, now: datetime, t: Thresholds) -> dict[str, Any]:
    potential, relationship = nine_grid(inputs, result, t)
    return {
        "customer_id": result.customer_id, "grade": result.grade, "size_class": result.size_class,
        "focus": ",".join(result.focus) or None, "churn": result.churn, "old": result.old,
        "key_rank": result.key_rank.rank if result.key_rank else None,
        "ranked": result.key_rank.count if result.key_rank else None, "lifecycle": result.lifecycle,
        "pyramid": result.pyramid, "recency": result.rfm[0] if result.rfm else None,
        "frequency": result.rfm[1] if result.rfm else None, "monetary": result.rfm[2] if result.rfm else None,
        "segment": result.segment, "clv_cents": result.clv_cents, "potential_score": potential,
        "relationship_score": relationship, "rule_version": RULE_VERSION, "computed_at": now,
        "inputs": as_json(inputs)}


def thresholds_json(t: Thresholds) -> dict[str, Any]:
    """The thresholds a run used, as JSON (decimals as text), kept with the run."""
    return {key: [str(v) for v in value] if isinstance(value, tuple) else
            value if isinstance(value, (int, str)) else str(value) for key, value in vars(t).items()}


def changes_of(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{attribute: [old, new]}`` of the tracked attributes that differ (everything when new)."""
    return {key: [old.get(key) if old else None, new[key]] for key in TRACKED
            if old is None or old.get(key) != new[key]}


def follow_ups(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a move asks of the owner rep: entering focus, entering churn, leaving key."""
    found = []
    if new["grade"] == "focus" and old.get("grade") != "focus":
        found.append("focus")
    if new["churn"] and not old.get("churn"):
        found.append("churn")
    if old.get("grade") == "key" and new["grade"] != "key":
        found.append("left_key")
    return found


def recompute(trigger: str, by: Any = None, report: Progress | None = None) -> Run:
    """Grade every customer now; the caller commits (``core.api.commit``), which fires the events."""
    report = report or (lambda done, total, step: None)
    if db.engine.dialect.name == "postgresql":  # one recompute at a time; the next waits its turn
        db.session.execute(text("LOCK TABLE tiering_grades IN EXCLUSIVE MODE"))
    now, t = utcnow(), thresholds()
    report(0, 4, "inputs")
    inputs = gather(select(Customer.id), now)
    report(1, 4, "rules")
    results = grade_all(inputs, windows(now).today, t)
    rows = [row(results[c.customer_id], c, now, t) for c in inputs]
    report(2, 4, "store")
    previous = {r["customer_id"]: r for r in db.session.execute(
        select(Grade.customer_id, *[getattr(Grade, k) for k in TRACKED])).mappings()}
    run = Run(trigger=trigger, by_id=getattr(by, "id", by), rule_version=RULE_VERSION, started_at=now,
              customers=len(rows), thresholds=thresholds_json(t))
    db.session.add(run)
    db.session.flush()
    db.session.execute(delete(Grade))
    if rows:
        db.session.execute(Grade.__table__.insert(), rows)  # Core: one executemany whatever the None columns
    moved: dict[int, dict[str, list[Any]]] = {}
    snapshots = []
    for new in rows:
        old = previous.get(new["customer_id"])
        changed = changes_of(old, new)
        if not changed:
            continue
        snapshots.append({"customer_id": new["customer_id"], "run_id": run.id, "computed_at": now,
                          "rule_version": RULE_VERSION, "attributes": {k: new[k] for k in TRACKED},
                          "changes": changed, "inputs": new["inputs"]})
        if old is not None:
            moved[new["customer_id"]] = changed
    if snapshots:
        db.session.execute(Snapshot.__table__.insert(), snapshots)
    report(3, 4, "follow_up")
    summary = Counter(f"{key}:{old}→{new}" for changed in moved.values() for key, (old, new) in changed.items())
    run.changed, run.summary, run.finished_at = len(moved), dict(summary), utcnow()
    _tell(moved, {r["customer_id"]: r for r in rows}, previous, run)
    report(4, 4, "done")
    return run


def _tell(moved: dict[int, dict[str, list[Any]]], rows: dict[int, dict[str, Any]],
          previous: dict[int, dict[str, Any]], run: Run) -> None:
    """``tier_changed`` for each moved customer; follow-up tasks for the owner rep; one message for
    the department manager."""
    if not moved:
        return
    customers = {c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(list(moved))))}
    asks = {cid: follow_ups(previous[cid], rows[cid]) for cid in moved}
    asked = [cid for cid, what in asks.items() if what]
    open_already = set(db.session.scalars(select(Task.record_id).where(
        Task.kind == FOLLOW_UP, Task.record_type == "customers", Task.record_id.in_(asked),
        Task.state.in_(("open", "on_hold"))))) if asked else set()
    for cid, changed in moved.items():
        customer = customers[cid]
        old_grade, new_grade = previous[cid].get("grade"), rows[cid]["grade"]
        fire_after_commit("tier_changed", customer=customer, old_tier=old_grade, new_tier=new_grade,
                          changes=changed)
        if cid in asked and cid not in open_already:
            _follow_up(customer, asks[cid], rows[cid])
    if asked:
        head = department_head("cm")
        notify(N_("Grades recomputed: %(count)s customers need a follow-up call."),
               users=[head.id] if head else [], roles=() if head else ["cm_manager"],
               params={"count": len(asked)}, link=f"/tiering/runs/{run.id}")


def _follow_up(customer: Customer, what: list[str], new: dict[str, Any]) -> None:
    first = "churn" if "churn" in what else what[0]
    detectors = [d for d in (new["focus"] or "").split(",") if d in FOCUS_MARKS]
    reasons = message(FOCUS_MARKS[detectors[0]]) if detectors else ""
    target = {"assignee": customer.owner_id} if customer.owner_id else {"queue": Queue.department("cm")}
    create_task(customer, FOLLOW_UP, FOLLOW_UP_TITLES[first], params={"name": customer.name, "reasons": reasons},
                budget_minutes=FOLLOW_UP_DAYS * 24 * 60, **target)
