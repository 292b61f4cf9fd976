"""The phone log (电话记录一览表): calls and visits of one month, across visible customers."""
from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request
from sqlalchemy import select

from core.auth.permissions import permission_required
from core.clock import local_month_bounds, local_now
from core.db import db
from core.inputs import in_date_window
from core.registry.blueprint import bp
from core.registry.child_forms import CONTACT_KINDS
from core.registry.models import ContactLog, Customer
from core.visibility import restrict


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
    rows = db.session.execute(stmt.order_by(ContactLog.at)).all()
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render_template("customers/contact_log.html", rows=rows, month=month, kind=kind,
                           kinds=CONTACT_KINDS, previous=previous, following=following)
