"""Core dashboard widgets: the archive flow at a glance, important dates."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select

from core.clock import local_now
from core.contract import Widget
from core.db import db
from core.registry.child_forms import DATE_KINDS
from core.registry.models import Customer, ImportantDate
from core.registry.search import CustomerFilter, customer_query
from core.visibility import visible

UPCOMING_DAYS = 30
DASHBOARD_ROWS = 20  # the widget's nearest dates; the full list is paged
OVERVIEW_STATES = ("draft", "returned", "submitted", "verified")  # not yet filed


def archive_overview(user: Any) -> list[Widget]:
    """Where the archives the user sees stand in the flow, for the people in it (submitters,
    verifiers, the filing department): how many per state and how many verifications are late,
    each a link to the list. What the user must do themselves is in My work."""
    if not any(user.can(code) for code in ("customers.submit", "customers.verify", "customers.file")):
        return []
    counts = dict(db.session.execute(
        select(Customer.state, func.count()).where(visible(Customer, user), Customer.state.in_(OVERVIEW_STATES))
        .group_by(Customer.state)).all())
    overdue = db.session.scalar(select(func.count()).select_from(
        customer_query(CustomerFilter(overdue=True), user).subquery())) or 0
    if not any(counts.values()) and not overdue:
        return []
    html = render_template("customers/widget_archives.html", counts=counts, overdue=overdue,
                           states=OVERVIEW_STATES, flow=Customer.__workflow__)
    return [Widget(_l("Customer archives"), html, order=10)]


def next_occurrence(on: date, today: date) -> date:
    """This year's or next year's anniversary of ``on`` (29 February falls on 28 February)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = on.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    return candidate


def upcoming_query(user: Any, today: date, days: int = UPCOMING_DAYS) -> Select:
    """Visible customers' dates falling in the next ``days`` days, nearest first (the indexed
    ``month_day`` column: days after today's in this year, then those of the next)."""
    window = [today + timedelta(days=n) for n in range(days + 1)]
    wanted = {d.month * 100 + d.day for d in window}
    if 228 in wanted:
        wanted.add(229)  # a 29 February date is remembered on the 28th in other years
    this_year = today.month * 100 + today.day
    return (select(ImportantDate, Customer.name, Customer.id)
            .join(Customer, Customer.id == ImportantDate.customer_id)
            .where(visible(Customer, user), ImportantDate.month_day.in_(sorted(wanted)))
            .order_by(case((ImportantDate.month_day < this_year, 1), else_=0), ImportantDate.month_day,
                      Customer.name, ImportantDate.id))


def count_upcoming(user: Any, today: date, days: int = UPCOMING_DAYS) -> int:
    stmt = upcoming_query(user, today, days).order_by(None)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def upcoming_dates(user: Any, today: date, days: int = UPCOMING_DAYS, limit: int | None = None,
                   offset: int = 0) -> list[dict[str, Any]]:
    """Birthdays, openings and weddings in the next ``days`` days among visible customers."""
    stmt = upcoming_query(user, today, days)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    rows = []
    for row, name, customer_id in db.session.execute(stmt):
        when = next_occurrence(row.on, today)
        rows.append({"date": row, "customer": name, "customer_id": customer_id, "when": when,
                     "in_days": (when - today).days})
    return sorted(rows, key=lambda r: r["when"])  # stable: same-day dates keep the name order


def important_dates(user: Any) -> list[Widget]:
    """Birthdays and weddings of key people belong to the confidential archive."""
    if not user.can("customers.view_archive"):
        return []
    today = local_now().date()
    rows = upcoming_dates(user, today, limit=DASHBOARD_ROWS)
    total = count_upcoming(user, today) if len(rows) == DASHBOARD_ROWS else len(rows)
    html = render_template("customers/widget_dates.html", rows=rows, days=UPCOMING_DAYS, kinds=DATE_KINDS,
                           total=total)
    return [Widget(_l("Important dates in the next 30 days"), html, order=20)]
