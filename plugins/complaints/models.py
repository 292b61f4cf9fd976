"""Complaints (客户投诉), their handovers, attachments and recall calls.

A complaint's ``state`` is the step of its handling (``flows.COMPLAINT_FLOW``); who must do what
by when lives in core's tasks and approval chains, never in columns of its own. The C-1 steps
(acknowledged, assessed, decision communicated, closed) are kept as times, so reports count them.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Audited, AuditField, Choice, Customer, Money, db, guard_state, utcnow
from plugins.complaints.flows import (
    CATEGORIES,
    CHANNELS,
    COMPLAINT_FLOW,
    OUTCOMES,
    PATHS,
    REMEDIES,
    SEVERITIES,
    SIGN_DEPARTMENTS,
    WAYS,
)
from plugins.complaints.i18n import _l


def department_names(codes: str | None) -> str:
    """The departments of a stored list of codes, in the reader's language."""
    return ", ".join(str(SIGN_DEPARTMENTS.get(code, code)) for code in (codes or "").split(",") if code)


class Complaint(Audited, db.Model):
    __tablename__ = "complaints_complaints"
    __table_args__ = (
        Index("ix_complaints_state_received", "state", "received_at"),
        Index("ix_complaints_customer_received", "customer_id", "received_at"),
        Index("ix_complaints_category", "category"),
        Index("ix_complaints_severity", "severity"),
        Index("ix_complaints_product", "product"),
    )
    __audit_label__ = _l("Complaints")
    __audit_permission__ = "complaints.view"
    __audit_fields__ = {
        "number": _l("Complaint number"),
        "customer_id": _l("Customer"),
        "channel": Choice(_l("Channel"), CHANNELS),
        "category": Choice(_l("Category"), CATEGORIES),
        "severity": Choice(_l("Severity"), SEVERITIES),
        "suggested_severity": Choice(_l("Suggested severity"), SEVERITIES),
        "severity_reason": _l("Reason for the severity"),
        "description": _l("What the customer reports"),
        "customer_request": _l("What the customer asks for"),
        "order_ref": _l("Order"),
        "ticket_ref": _l("Weighbridge ticket"),
        "batch_ref": _l("Production batch"),
        "product": _l("Product"),
        "first_receiver_id": _l("First receiver"),
        "owner_id": _l("Owner"),
        "handover_count": _l("Handovers"),
        "received_at": _l("Received"),
        "acknowledged_at": _l("Acknowledged"),
        "assessed_at": _l("Assessed"),
        "decision_communicated_at": _l("Decision communicated"),
        "closed_at": _l("Closed"),
        "arrived_on_site_at": _l("Arrived on site"),
        "path": Choice(_l("Handling"), PATHS),
        "state": _l("Step"),
        "state_changed_at": _l("Step changed"),
        "spot_answer": _l("Answer given on the spot"),
        "loss": _l("Customer's actual loss"),
        "claim": _l("Customer's claim"),
        "findings": _l("On-site findings"),
        "cause": _l("Cause of the loss"),
        "plan": _l("Plan"),
        "remedy": Choice(_l("Remedy"), REMEDIES),
        "sign_departments": AuditField(_l("Departments to sign"), format=department_names),
        "lab_days": _l("QC lab time (days)"),
        "settlement_cents": Money(_l("Settlement amount")),
        "settlement_way": Choice(_l("Settlement way"), WAYS),
        "settlement_on": _l("Settlement date"),
        "settlement_note": _l("Settlement proposal"),
        "settlement_outcome": Choice(_l("Settlement outcome"), OUTCOMES),
        "root_cause": _l("Root cause"),
        "capa": _l("Corrective and preventive action"),
        "report": _l("Report"),
        "evaluation_process": _l("Evaluation of the process"),
        "evaluation_plan": _l("Evaluation of the plan"),
        "evaluation_result": _l("Evaluation of the result"),
        "satisfaction": _l("Customer satisfaction"),
        "callback_note": _l("Call-back note"),
        "customer_rejects": _l("Customer rejects the decision"),
        "recourse": _l("Further recourse offered"),
        "linked_records": _l("Logistics records created"),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(2))
    suggested_severity: Mapped[str] = mapped_column(String(2))
    severity_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    customer_request: Mapped[str | None] = mapped_column(Text)
    order_ref: Mapped[str | None] = mapped_column(String(40))
    ticket_ref: Mapped[str | None] = mapped_column(String(40))
    batch_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    product: Mapped[str | None] = mapped_column(String(100))
    first_receiver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    handover_count: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_communicated_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    arrived_on_site_at: Mapped[datetime | None] = mapped_column(DateTime)
    path: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(30), default=COMPLAINT_FLOW.initial)
    state_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    spot_answer: Mapped[str | None] = mapped_column(Text)
    loss: Mapped[str | None] = mapped_column(Text)
    claim: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[str | None] = mapped_column(String(20))
    sign_departments: Mapped[str | None] = mapped_column(String(200))
    lab_days: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    settlement_cents: Mapped[int | None] = mapped_column(Integer)
    settlement_way: Mapped[str | None] = mapped_column(String(20))
    settlement_on: Mapped[date | None] = mapped_column(Date)
    settlement_note: Mapped[str | None] = mapped_column(Text)
    settlement_outcome: Mapped[str | None] = mapped_column(String(20))
    root_cause: Mapped[str | None] = mapped_column(Text)
    capa: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)
    evaluation_process: Mapped[str | None] = mapped_column(Text)
    evaluation_plan: Mapped[str | None] = mapped_column(Text)
    evaluation_result: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    callback_note: Mapped[str | None] = mapped_column(Text)
    customer_rejects: Mapped[bool] = mapped_column(Boolean, default=False)
    recourse: Mapped[str | None] = mapped_column(Text)
    linked_records: Mapped[str | None] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def linked_links(self) -> list[tuple[str, str | None]]:
        """``linked_records`` as (number, local url or None) pairs for the page."""
        pairs = []
        for part in (self.linked_records or "").split(", "):
            number, _sep, url = part.strip().partition(" ")
            if number:
                pairs.append((number, url if url.startswith("/") and not url.startswith("//") else None))
        return pairs

    customer: Mapped[Customer] = relationship(lazy="joined")

    @property
    def departments(self) -> list[str]:
        return [code for code in (self.sign_departments or "").split(",") if code]

    @property
    def closed(self) -> bool:
        return self.state == "closed"


guard_state(Complaint, COMPLAINT_FLOW)


class Handover(Audited, db.Model):
    """A handover of ownership (C-7): it takes effect only when the receiver accepts its task."""

    __tablename__ = "complaints_handovers"
    __audit_label__ = _l("Complaint handovers")
    __audit_permission__ = "complaints.view"
    __audit_fields__ = {
        "complaint_id": _l("Complaint"), "from_id": _l("From"), "to_id": _l("To"),
        "reason": _l("Reason"), "state": _l("State"), "decided_at": _l("Decided"), "task_id": _l("Task"),
        "customer_id": _l("Customer"),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints_complaints.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending, accepted, declined
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class Attachment(Audited, db.Model):
    """A photo, lab report or piece of evidence; the file lives in the instance folder."""

    __tablename__ = "complaints_attachments"
    __audit_label__ = _l("Complaint attachments")
    __audit_permission__ = "complaints.view"
    __audit_fields__ = {
        "complaint_id": _l("Complaint"), "customer_id": _l("Customer"), "file_name": _l("File"),
        "stored_file": _l("Stored as"), "kind": _l("Kind"), "size": _l("Size (bytes)"),
        "uploaded_by": _l("Uploaded by"), "uploaded_at": _l("Uploaded"),
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints_complaints.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    stored_file: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="photo")
    size: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RecallCall(db.Model):
    """One customer to call about a production batch; the call itself is a task on the customer."""

    __tablename__ = "complaints_recall_calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints_complaints.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    batch: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
