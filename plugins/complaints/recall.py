"""Batch trace and recall (召回): who received a production batch, answered by the order-taking
plugin through ``batch_trace``; the recall list is a call task per customer on the customer."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.api import Customer, Queue, Task, call, create_task, db
from plugins.complaints.i18n import N_
from plugins.complaints.models import Complaint, RecallCall

CALL = "complaints.recall_call"


def traced(batch: str) -> list[dict[str, Any]]:
    return sorted(call("batch_trace", batch=batch), key=lambda row: (row.get("customer") or "", row.get("ticket") or ""))


def recall_list(complaint: Complaint) -> list[tuple[RecallCall, Customer, Task | None]]:
    rows = db.session.execute(select(RecallCall, Customer, Task).join(Customer, Customer.id == RecallCall.customer_id)
                              .outerjoin(Task, Task.id == RecallCall.task_id)
                              .where(RecallCall.complaint_id == complaint.id).order_by(Customer.name))
    return [tuple(row) for row in rows]


def open_recall_list(complaint: Complaint, user: Any) -> int:
    """A call task per customer that received the batch and has none yet for this complaint; the
    customer's owner calls (else the customer-management department). Returns how many opened."""
    customers = {row["customer_id"] for row in traced(complaint.batch_ref or "")}
    done = set(db.session.scalars(select(RecallCall.customer_id).where(RecallCall.complaint_id == complaint.id)))
    opened = 0
    for customer in db.session.scalars(select(Customer).where(Customer.id.in_(customers - done)).order_by(Customer.id)):
        who = {"assignee": customer.owner_id} if customer.owner_id else {"queue": Queue.role("specialist")}
        task = create_task(customer, CALL, N_("Recall call about batch %(batch)s (complaint %(number)s)"), **who,
                           params={"batch": complaint.batch_ref, "number": complaint.number},
                           budget_minutes=24 * 60, by=user,
                           link=f"/complaints/{complaint.id}/trace")
        db.session.add(RecallCall(complaint_id=complaint.id, customer_id=customer.id, batch=complaint.batch_ref,
                                  task_id=task.id))
        opened += 1
    return opened
