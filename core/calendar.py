"""Deadlines of budgets in minutes: when a budget started at ``start`` runs out, and how much of it
has been used.

This version counts the 24-hour wall clock only (``clock="working"`` is counted the same way until
the working calendar arrives); paused intervals (a task on hold) never count. Every time is a
naive UTC datetime.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

Pause = tuple[datetime, datetime | None]


def _running(start: datetime, pauses: Sequence[Pause]) -> list[Pause]:
    """The pauses that matter after ``start``, clipped to it and sorted."""
    clipped = []
    for begin, end in sorted(pauses, key=lambda pause: pause[0]):
        if end is not None and end <= start:
            continue
        clipped.append((max(begin, start), end))
    return clipped


def due_at(start: datetime, budget_minutes: int, clock: str = "wall",
           pauses: Sequence[Pause] = ()) -> datetime | None:
    """When ``budget_minutes`` of running time after ``start`` are used up; None while a pause
    is still open (the clock stands still, so there is no deadline yet)."""
    if clock not in ("wall", "working"):
        raise ValueError(f"unknown clock {clock!r}")
    remaining = timedelta(minutes=budget_minutes)
    moment = start
    for begin, end in _running(start, pauses):
        if begin > moment:
            if begin - moment >= remaining:
                return moment + remaining
            remaining -= begin - moment
        if end is None:
            return None
        moment = max(moment, end)
    return moment + remaining


def elapsed_minutes(start: datetime, now: datetime, clock: str = "wall",
                    pauses: Sequence[Pause] = ()) -> int:
    """Whole minutes of running time between ``start`` and ``now`` (pauses left out)."""
    if clock not in ("wall", "working"):
        raise ValueError(f"unknown clock {clock!r}")
    if now <= start:
        return 0
    paused = timedelta()
    for begin, end in _running(start, pauses):
        stop = min(end or now, now)
        if stop > begin:
            paused += stop - begin
    return int((now - start - paused).total_seconds() // 60)
