"""The reports page's charts (server-drawn SVG through ``core.api.chart``), each from one grouped
query over the complaints the user may see and the page's filter; bars link to the filtered list."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import url_for
from markupsafe import Markup
from sqlalchemy import func, select

from core.api import (
    ChartPoint,
    Customer,
    Task,
    chart,
    db,
    local_months,
    local_now,
    month_of,
    utcnow,
)
from plugins.complaints.flows import (
    CATEGORIES,
    CATEGORY_SHORT,
    COMPLAINT_FLOW,
    OPEN_STATES,
    SEVERITIES,
    SIGN_DEPARTMENTS,
)
from plugins.complaints.i18n import _
from plugins.complaints.models import Complaint
from plugins.complaints.queries import ListQuery, filtered

TOP = 10
SIGN_TITLE = "Sign the complaint handling form"


def draw(kind: str, title: str, labels: list[str], series: dict[str, list[Any]], **options: Any) -> Markup:
    """A chart of counts: no zero labels, and "no data" in the reader's language."""
    values = [v.value if isinstance(v, ChartPoint) else v for points in series.values() for v in points]
    if not any(values):
        return Markup('<h3 class="chart-title">{}</h3><p class="muted chart-empty">{}</p>').format(
            title, _("No complaints to show."))
    options.setdefault("print_zeroes", False)
    options.setdefault("truncate_legend", -1)
    options.setdefault("truncate_label", -1)
    return chart(kind, title, labels, series, **options)


def _href(query: ListQuery, **changes: Any) -> str:
    return url_for("complaints.index", **replace(query, page=1, **changes).as_args())


def by_severity_and_step(query: ListQuery, user: Any) -> Markup:
    stmt = filtered(query, user, select(Complaint.state, Complaint.severity, func.count(Complaint.id))
                    .where(Complaint.state.in_(OPEN_STATES)).group_by(Complaint.state, Complaint.severity))
    counts = {(state, severity): int(n) for state, severity, n in db.session.execute(stmt)}
    states = [state for state in OPEN_STATES if any(key[0] == state for key in counts)]
    series = {severity: [ChartPoint(counts.get((state, severity)) or None,
                                    _href(query, state=state, severity=severity)) for state in states]
              for severity in SEVERITIES}
    return draw("stacked", _("Open complaints by step and severity"),
                 [COMPLAINT_FLOW.state_label(state) for state in states], series, x_label_rotation=30)


def overdue_sign_offs(query: ListQuery, user: Any) -> Markup:
    complaints = filtered(query, user, select(Complaint.id))
    stmt = (select(Task.queue_key, func.count(Task.id))
            .where(Task.record_type == Complaint.__tablename__, Task.record_id.in_(complaints),
                   Task.kind == "approval", Task.title == SIGN_TITLE, Task.state == "open",
                   Task.due_at < utcnow())
            .group_by(Task.queue_key))
    counts = {key: int(n) for key, n in db.session.execute(stmt)}
    labels = [str(SIGN_DEPARTMENTS.get(key, key)) for key in counts]
    return draw("bar", _("Overdue sign-offs by department"), labels,
                 {_("Overdue"): [ChartPoint(n, _href(query, overdue=True)) for n in counts.values()]})


def _hours(start: Any, end: Any) -> Any:
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def time_to_acknowledge_and_close(query: ListQuery, user: Any) -> Markup:
    stmt = filtered(query, user, select(
        Complaint.severity, func.avg(_hours(Complaint.received_at, Complaint.acknowledged_at)),
        func.avg(_hours(Complaint.received_at, Complaint.arrived_on_site_at)),
        func.avg(_hours(Complaint.received_at, Complaint.closed_at))).group_by(Complaint.severity))
    found = {severity: (ack, arrive, close) for severity, ack, arrive, close in db.session.execute(stmt)}
    labels = list(SEVERITIES)

    def value(severity: str, index: int) -> ChartPoint:
        hours = (found.get(severity) or (None, None, None))[index]
        return ChartPoint(round(float(hours), 1) if hours is not None else None, _href(query, severity=severity))
    return draw("bar", _("Average hours to acknowledge, to reach the site and to close"), labels,
                 {_("To acknowledge"): [value(s, 0) for s in labels],
                  _("To reach the site"): [value(s, 1) for s in labels],
                  _("To close"): [value(s, 2) for s in labels]})


def per_category(query: ListQuery, user: Any) -> Markup:
    stmt = filtered(query, user, select(Complaint.category, func.count(Complaint.id)).group_by(Complaint.category))
    counts = dict(db.session.execute(stmt).all())
    codes = [code for code in CATEGORIES if code in counts]
    return draw("hbar", _("Complaints per category"), [str(CATEGORY_SHORT[c]) for c in codes],
                 {_("Complaints"): [ChartPoint(int(counts[c]), _href(query, category=c)) for c in codes]})


def per_customer(query: ListQuery, user: Any) -> Markup:
    stmt = filtered(query, user, select(Complaint.customer_id, Customer.name, func.count(Complaint.id).label("n"))
                    .join(Customer, Customer.id == Complaint.customer_id)
                    .group_by(Complaint.customer_id, Customer.name)).order_by(func.count(Complaint.id).desc(),
                                                                               Customer.name).limit(TOP)
    rows = db.session.execute(stmt).all()
    return draw("hbar", _("Complaints per customer (top %(n)d)", n=TOP), [r.name for r in rows],
                 {_("Complaints"): [ChartPoint(int(r.n), _href(query, customer_id=r.customer_id)) for r in rows]})


def per_product(query: ListQuery, user: Any) -> Markup:
    stmt = filtered(query, user, select(Complaint.product, func.count(Complaint.id).label("n"))
                    .where(Complaint.product.is_not(None)).group_by(Complaint.product)) \
        .order_by(func.count(Complaint.id).desc(), Complaint.product).limit(TOP)
    rows = db.session.execute(stmt).all()
    return draw("hbar", _("Complaints per product (top %(n)d)", n=TOP), [r.product for r in rows],
                 {_("Complaints"): [ChartPoint(int(r.n), _href(query, product=r.product)) for r in rows]})


def per_month(query: ListQuery, user: Any) -> Markup:
    today = local_now().date()
    first = date(today.year - 1, today.month, 1) if today.month != 12 else date(today.year, 1, 1)
    period = local_months(first, today)
    month = month_of(Complaint.received_at, period)
    stmt = filtered(replace(query, month=""), user,
                    select(month.label("m"), func.count(Complaint.id), func.count(Complaint.id).filter(
                        Complaint.path == "serious"))
                    .where(Complaint.received_at >= period.start, Complaint.received_at < period.end)
                    .group_by(month))
    counts = {m: (int(n), int(serious)) for m, n, serious in db.session.execute(stmt) if m}
    labels = sorted(counts)
    return draw("line", _("Complaints per month"), labels,
                 {_("Complaints"): [ChartPoint(counts[m][0], _href(query, month=m)) for m in labels],
                  _("Serious complaints"): [counts[m][1] for m in labels]})


def report_charts(query: ListQuery, user: Any) -> list[Markup]:
    return [by_severity_and_step(query, user), overdue_sign_offs(query, user),
            time_to_acknowledge_and_close(query, user), per_category(query, user),
            per_customer(query, user), per_product(query, user), per_month(query, user)]
