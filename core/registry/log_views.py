"""The phone log (电话记录一览表): calls and visits of one month, across visible customers."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from sqlalchemy import select

from core.auth.permissions import permission_required
from core.db import db
from core.forms import company_zone, local_now
from core.registry.blueprint import bp
from core.registry.child_forms import CONTACT_KINDS
from core.registry.models import ContactLog, Customer
from core.visibility import restrict


def month_bounds_utc(month: date) -> tuple[datetime, datetime]:
    """The company-local month [first day, next first day) as naive UTC datetimes."""
    zone, utc = company_zone(), ZoneInfo("UTC")
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
    return (start.astimezone(utc).replace(tzinfo=None), end.astimezone(utc).replace(tzinfo=None))


def parse_month(text: str | None) -> date:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        today = local_now().date()
        return date(today.year, today.month, 1)


@bp.route("/contact-log")
@permission_required("customers.view")
def contact_log():
    month = parse_month(request.args.get("month"))
    kind = request.args.get("kind", "phone")
    start, end = month_bounds_utc(month)
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
