"""Time: stored as naive UTC, shown and typed in the company's timezone.

The one place that converts between the two, so forms, reports, printed forms and plugins agree
on where a company-local day or month begins.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from core.db import utcnow


def company_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """A stored (naive UTC) moment as naive company-local time."""
    return moment.replace(tzinfo=UTC).astimezone(company_zone()).replace(tzinfo=None)


def to_utc(moment: datetime) -> datetime:
    """A typed (naive company-local) moment as naive UTC, as it is stored."""
    return moment.replace(tzinfo=company_zone()).astimezone(UTC).replace(tzinfo=None)


def local_now() -> datetime:
    """Now in the company's timezone (naive), for form defaults and "today"."""
    return to_local(utcnow())


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The company-local day [00:00, next 00:00) as naive UTC datetimes, for queries."""
    start = datetime.combine(day, time())
    return to_utc(start), to_utc(start + timedelta(days=1))


def local_month_bounds(month: date) -> tuple[datetime, datetime]:
    """The company-local month [first day, next first day) as naive UTC datetimes."""
    start = datetime(month.year, month.month, 1)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    return to_utc(start), to_utc(end)
