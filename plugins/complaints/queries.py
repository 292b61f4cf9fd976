"""The complaint list's filter, its rows (one query a page) and the export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select

from core.api import (
    Customer,
    Task,
    User,
    db,
    id_arg,
    in_date_window,
    local_month_bounds,
    money,
    restrict,
    to_local,
    utcnow,
)
from plugins.complaints.flows import CATEGORIES, CHANNELS, COMPLAINT_FLOW, OPEN_STATES, SEVERITIES
from plugins.complaints.models import Complaint

PER_PAGE = 50
OPEN_TASK = ("open", "on_hold")


@dataclass
class ListQuery:
    state: str = ""  # a state, "open" or ""
    severity: str = ""
    category: str = ""
    customer_id: int | None = None
    month: str = ""  # YYYY-MM of intake
    product: str = ""
    overdue: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> ListQuery:
        state = args.get("state", "")
        month = (args.get("month") or "")[:7]
        try:
            if not in_date_window(datetime.strptime(month, "%Y-%m").date()):
                month = ""  # 1900–2100: a month far outside has no bounds to compute
        except ValueError:
            month = ""
        return cls(state=state if state in COMPLAINT_FLOW.states or state == "open" else "",
                   severity=args.get("severity", "") if args.get("severity") in SEVERITIES else "",
                   category=args.get("category", "") if args.get("category") in CATEGORIES else "",
                   customer_id=id_arg(args, "customer"), month=month,
                   product=(args.get("product") or "").replace("\x00", "")[:100],
                   overdue=args.get("overdue") == "1", page=min(max(id_arg(args, "page") or 1, 1), 10_000))

    def as_args(self) -> dict[str, Any]:
        values = {"state": self.state, "severity": self.severity, "category": self.category,
                  "customer": self.customer_id, "month": self.month, "product": self.product,
                  "overdue": "1" if self.overdue else ""}
        return {key: value for key, value in values.items() if value}


def overdue_condition(now: datetime | None = None) -> Any:
    return exists().where(Task.record_type == Complaint.__tablename__, Task.record_id == Complaint.id,
                          Task.state == "open", Task.due_at < (now or utcnow()))


def filtered(query: ListQuery, user: Any, stmt: Any) -> Any:
    stmt = restrict(stmt, Complaint, user)
    if query.state == "open":
        stmt = stmt.where(Complaint.state.in_(OPEN_STATES))
    elif query.state:
        stmt = stmt.where(Complaint.state == query.state)
    if query.severity:
        stmt = stmt.where(Complaint.severity == query.severity)
    if query.category:
        stmt = stmt.where(Complaint.category == query.category)
    if query.customer_id:
        stmt = stmt.where(Complaint.customer_id == query.customer_id)
    if query.product:
        stmt = stmt.where(Complaint.product == query.product)
    if query.month:
        year, month = (int(part) for part in query.month.split("-"))
        start, end = local_month_bounds(date(year, month, 1))
        stmt = stmt.where(Complaint.received_at >= start, Complaint.received_at < end)
    if query.overdue:
        stmt = stmt.where(overdue_condition())
    return stmt


def next_due() -> Any:
    return (select(func.min(Task.due_at)).where(Task.record_type == Complaint.__tablename__,
                                                Task.record_id == Complaint.id, Task.state.in_(OPEN_TASK))
            .correlate(Complaint).scalar_subquery())


def complaint_rows(query: ListQuery, user: Any) -> tuple[list[Any], bool]:
    """One page of complaints, newest first, with the customer's name and the next due time."""
    stmt = filtered(query, user, select(Complaint.id, Complaint.number, Complaint.received_at, Complaint.severity,
                                        Complaint.category, Complaint.state, Complaint.handover_count,
                                        Customer.name.label("customer"), next_due().label("due_at"))
                    .join(Customer, Customer.id == Complaint.customer_id))
    rows = list(db.session.execute(stmt.order_by(Complaint.received_at.desc(), Complaint.id.desc())
                                   .offset((query.page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


EXPORT_LIMIT = 20_000


def export_rows(query: ListQuery, user: Any) -> tuple[list[str], list[list[Any]]]:
    from plugins.complaints.i18n import _

    receiver = select(User.display_name).where(User.id == Complaint.first_receiver_id).correlate(Complaint)
    stmt = filtered(query, user, select(Complaint, Customer.name, receiver.scalar_subquery())
                    .join(Customer, Customer.id == Complaint.customer_id))
    header = [_("Number"), _("Received"), _("Customer"), _("Channel"), _("Category"), _("Severity"), _("Step"),
              _("First receiver"), _("Handovers"), _("Acknowledged"), _("Arrived on site"), _("Closed"),
              _("Settlement amount"), _("Product"), _("Production batch")]

    def when(value: datetime | None) -> str:
        return f"{to_local(value):%Y-%m-%d %H:%M}" if value else ""

    rows = []
    for complaint, customer, first in db.session.execute(stmt.order_by(Complaint.received_at.desc())
                                                         .limit(EXPORT_LIMIT)):
        rows.append([complaint.number, when(complaint.received_at), customer, str(CHANNELS[complaint.channel]),
                     str(CATEGORIES[complaint.category]), complaint.severity,
                     COMPLAINT_FLOW.state_label(complaint.state), first or "", complaint.handover_count,
                     when(complaint.acknowledged_at), when(complaint.arrived_on_site_at), when(complaint.closed_at),
                     money(complaint.settlement_cents) if complaint.settlement_cents else "",
                     complaint.product or "", complaint.batch_ref or ""])
    return header, rows
