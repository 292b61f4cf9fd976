"""Complaint figures for the rest of Guanxi: ``customer_metrics`` (tiering reads them), the
customer list's column, the customer page's panel and the dashboard widget; each one query."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import render_template
from sqlalchemy import Select, and_, func, select

from core.api import Column, Metric, Panel, Period, Widget, db, month_of, restrict, utcnow
from plugins.complaints.flows import OPEN_STATES, SEVERITIES
from plugins.complaints.i18n import _l
from plugins.complaints.models import Complaint
from plugins.complaints.queries import overdue_condition

METRICS = (
    Metric("complaint_count", "count", _l("Complaints"), _l("Complaints received in the period.")),
    Metric("serious_complaint_count", "count", _l("Serious complaints"),
           _l("Complaints of the period handled as serious (handling form, sign-offs, settlement).")),
)
PANEL_ROWS = 10


def customer_metrics(customer_ids: Sequence[int] | Select, period: Period,
                     series: str | None = None) -> dict[int, dict[str, Any]]:
    """Complaints and serious complaints per customer received in ``period`` (per month with
    ``series="month"``), in one grouped query."""
    conditions = [Complaint.customer_id.in_(customer_ids)]
    if period.start is not None:
        conditions.append(Complaint.received_at >= period.start)
    if period.end is not None:
        conditions.append(Complaint.received_at < period.end)
    keys: tuple[Any, ...] = (Complaint.customer_id,)
    if series == "month":
        keys += (month_of(Complaint.received_at, period).label("month"),)
    stmt = (select(*keys, func.count(Complaint.id), func.count(Complaint.id).filter(Complaint.path == "serious"))
            .where(and_(*conditions)).group_by(*keys))
    result: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(stmt):
        if series == "month":
            customer_id, month, count, serious = row
            figures = result.setdefault(customer_id, {})
            figures.setdefault("complaint_count", {})[month] = int(count)
            figures.setdefault("serious_complaint_count", {})[month] = int(serious)
        else:
            customer_id, count, serious = row
            result[customer_id] = {"complaint_count": int(count), "serious_complaint_count": int(serious)}
    return result


def _open_counts(customer_ids: list[int]) -> dict[int, Any]:
    rows = db.session.execute(select(Complaint.customer_id, func.count(Complaint.id)).where(
        Complaint.customer_id.in_(customer_ids), Complaint.state.in_(OPEN_STATES)).group_by(Complaint.customer_id))
    return {customer_id: count for customer_id, count in rows}


def columns() -> list[Column]:
    from core.api import Customer

    sort = (select(func.count(Complaint.id)).where(Complaint.customer_id == Customer.id,
                                                   Complaint.state.in_(OPEN_STATES))
            .correlate(Customer).scalar_subquery())
    return [Column("complaints_open", _l("Open complaints"), _open_counts, order=60, sort=sort)]


def panel(customer: Any, user: Any) -> Panel:
    complaints = db.session.scalars(select(Complaint).where(Complaint.customer_id == customer.id)
                                    .order_by(Complaint.received_at.desc()).limit(PANEL_ROWS)).all()
    totals = db.session.execute(select(func.count(Complaint.id), func.count(Complaint.id).filter(
        Complaint.path == "serious"), func.count(Complaint.id).filter(Complaint.state.in_(OPEN_STATES)))
        .where(Complaint.customer_id == customer.id)).one()
    from plugins.complaints.flows import COMPLAINT_FLOW

    html = render_template("complaints/panel.html", complaints=complaints, totals=totals, customer=customer,
                           flow=COMPLAINT_FLOW, severities=SEVERITIES)
    return Panel(_l("Complaints"), html, order=40)


def widget(user: Any) -> Widget:
    """Open complaints by severity and how many have an overdue step, for what the user sees."""
    now = utcnow()
    stmt = restrict(select(Complaint.severity, func.count(Complaint.id),
                           func.count(Complaint.id).filter(overdue_condition(now)))
                    .where(Complaint.state.in_(OPEN_STATES)).group_by(Complaint.severity), Complaint, user)
    counts = {severity: (int(total), int(late)) for severity, total, late in db.session.execute(stmt)}
    html = render_template("complaints/widget.html", counts=counts, severities=SEVERITIES)
    return Widget(_l("Open complaints"), html, order=40)
