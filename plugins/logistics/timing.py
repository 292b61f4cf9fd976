"""Delivery timing (RULES.md W-21): calendar days from order to gate-out, in the company's days.

0 days: same day (当天, lucky); 1-3: within three days (合理); 4 or more: an incident (事故).
"""
from __future__ import annotations

from datetime import date

from plugins.logistics.i18n import _l

PROMISE_DAYS = 3
TIMINGS = {"same_day": _l("same day"), "on_time": _l("within three days"), "incident": _l("late (incident)")}


def classify(ordered_on: date, left_on: date) -> str:
    days = (left_on - ordered_on).days
    if days <= 0:
        return "same_day"
    if days <= PROMISE_DAYS:
        return "on_time"
    return "incident"


def is_overdue(ordered_on: date, today: date) -> bool:
    """An open order past the promise is an incident already, before it ships."""
    return (today - ordered_on).days > PROMISE_DAYS
