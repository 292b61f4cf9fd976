"""The phone log (电话记录一览表): calls and visits of one month, across visible customers."""
from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from core.auth.permissions import permission_required
from core.clock import local_month_bounds, local_now
from core.db import db
from core.inputs import in_date_window
from core.registry.blueprint import bp
from core.registry.child_forms import CONTACT_KINDS, DATE_KINDS
from core.registry.models import ContactLog, Customer
from core.registry.widgets import UPCOMING_DAYS, count_upcoming, upcoming_dates
from core.visibility import restrict

LOG_PAGE = 100
DATES_PAGE = 100


def page_arg(total: int, size: int) -> tuple[int, int]:
    """The requested page within 1..pages (past the end: the last page), and the number of pages."""
    pages = max((total + size - 1) // size, 1)
    return min(max(request.args.get("page", 1, type=int), 1), pages), pages


def parse_month(text: str | None) -> date:
    """The month of ``2026-11``; this month when the text is no month of the date window."""
    year, _sep, month = (text or "").partition("-")
    try:
        first = date(int(year), int(month), 1)
    except ValueError:
        first = date.min
    if not in_date_window(first):
        today = local_now().date()
        return date(today.year, today.month, 1)
    return first


@bp.route("/contact-log")
@permission_required("customers.view")
def contact_log():
    month = parse_month(request.args.get("month"))
    kind = request.args.get("kind", "phone")
    start, end = local_month_bounds(month)
    stmt = (restrict(select(ContactLog, Customer), ContactLog)
            .join(Customer, Customer.id == ContactLog.customer_id)
            .where(ContactLog.at >= start, ContactLog.at < end))
    if kind in CONTACT_KINDS:
        stmt = stmt.where(ContactLog.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page, pages = page_arg(total, LOG_PAGE)
    rows = db.session.execute(stmt.order_by(ContactLog.at, ContactLog.id)
                              .limit(LOG_PAGE).offset((page - 1) * LOG_PAGE)).all()
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render_template("customers/contact_log.html", rows=rows, month=month, kind=kind,
                           kinds=CONTACT_KINDS, previous=previous, following=following,
                           page=page, pages=pages, total=total)


@bp.route("/dates")
@permission_required("customers.view_archive")
def upcoming():
    """Every important date of the next 30 days (the dashboard shows the nearest), a page at a time."""
    today = local_now().date()
    total = count_upcoming(current_user, today)
    page, pages = page_arg(total, DATES_PAGE)
    rows = upcoming_dates(current_user, today, limit=DATES_PAGE, offset=(page - 1) * DATES_PAGE)
    return render_template("customers/upcoming.html", rows=rows, days=UPCOMING_DAYS, kinds=DATE_KINDS,
                           page=page, pages=pages, total=total)
