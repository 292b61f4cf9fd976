"""Returns (退货单): the goods a customer sends back after a complaint's approved return settlement.
The warehouse expects them (a task in its queue on core's engine) and records what came in; the
return is then done. A returned truck comes in loaded and leaves empty, so the received bags are
what the warehouse counted off the truck."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import (
    Audited,
    Choice,
    Queue,
    Task,
    TransitionRefused,
    Weight,
    can_act,
    cancel_task,
    complete_task,
    create_task,
    db,
    path_for,
    utcnow,
)
from plugins.logistics.forms import MAX_BAGS
from plugins.logistics.i18n import N_, _, _l

RETURN_STATES = {"expected": _l("expected"), "received": _l("received")}
RECEIVE_TASK = "logistics.receive_return"



class ReturnOrder(Audited, db.Model):
    """A return order linked to the complaint that approved it and the order it takes back from."""

    __tablename__ = "logistics_returns"
    __audit_label__ = _l("Returns")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("logistics_orders.id"), index=True)
    complaint_ref: Mapped[str] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20), default="expected")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Any] = relationship("Order")
    lines: Mapped[list[ReturnLine]] = relationship(back_populates="return_order", order_by="ReturnLine.id",
                                                   lazy="selectin")

    __audit_fields__ = {
        "number": _l("Number"), "customer_id": _l("Customer"), "order_id": _l("Order"),
        "created_by": _l("Created by"), "complaint_ref": _l("Complaint"),
        "reason": _l("Reason"), "state": Choice(_l("State"), RETURN_STATES),
        "received_at": _l("Received at"), "received_by": _l("Received by"),
    }


class ReturnLine(Audited, db.Model):
    """One product to take back: the bags and kilograms expected, the bags the warehouse counted."""

    __tablename__ = "logistics_return_lines"
    __audit_label__ = _l("Return lines")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("logistics_returns.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("logistics_products.id"))
    bags: Mapped[int] = mapped_column(Integer)
    kg: Mapped[int] = mapped_column(Integer)
    received_bags: Mapped[int | None] = mapped_column(Integer)

    return_order: Mapped[ReturnOrder] = relationship(back_populates="lines")
    product: Mapped[Any] = relationship("Product", lazy="joined")

    __audit_fields__ = {"return_id": _l("Return"), "product_id": _l("Product"), "bags": _l("Bags"), "kg": Weight(_l("Weight")), "received_bags": _l("Bags received")}


def return_path(record: ReturnOrder) -> str:
    return path_for("logistics.return_page", return_id=record.id)


def create_return(order: Any, complaint_ref: str, reason: str, user: Any) -> ReturnOrder:
    """The return of all of ``order``'s lines, and the warehouse's task to receive it. The caller commits."""
    from plugins.logistics.services import issue_number

    now = utcnow()
    record = ReturnOrder(number=issue_number("TH", now), customer_id=order.customer_id, order_id=order.id,
                         complaint_ref=complaint_ref[:40], reason=(reason or complaint_ref)[:300],
                         created_at=now, created_by=getattr(user, "id", None))
    record.lines = [ReturnLine(product_id=line.product_id, bags=line.bags, kg=line.quantity_kg)
                    for line in order.lines]
    db.session.add(record)
    db.session.flush()
    create_task(record, RECEIVE_TASK, N_("Receive return %(number)s (order %(order)s)"),
                params={"number": record.number, "order": order.number},
                queue=Queue.permission("logistics.warehouse"), budget_minutes=3 * 8 * 60, clock="working",
                link=return_path(record), by=user)
    return record


def receive_task(record: ReturnOrder) -> Task | None:
    return db.session.scalar(select(Task).where(
        Task.kind == RECEIVE_TASK, Task.record_type == ReturnOrder.__tablename__, Task.record_id == record.id,
        Task.state.in_(("open", "on_hold"))))


def receive_return(record: ReturnOrder, bags: dict[int, int], user: Any) -> ReturnOrder:
    """The warehouse counted ``bags`` (``{line_id: bags}``) off the truck: the return is received,
    once (under a row lock, so two keepers cannot both receive it), and its task is done."""
    from plugins.logistics.services import locked

    if not user.can("logistics.warehouse"):
        raise TransitionRefused(_("Only the warehouse receives a return."))
    record = locked(record)
    if record.state != "expected":
        raise TransitionRefused(_("Return %(number)s was already received.", number=record.number))
    lines = {line.id: line for line in record.lines}
    if set(bags) != set(lines):
        raise TransitionRefused(_("Enter the bags received for every line."))
    for line_id, count in bags.items():
        if not 0 <= count <= MAX_BAGS:
            raise TransitionRefused(_("%(product)s: enter 0 to %(bags)s bags.", product=lines[line_id].product.name,
                                      bags=MAX_BAGS))
        lines[line_id].received_bags = count
    record.state, record.received_at, record.received_by = "received", utcnow(), user.id
    task = receive_task(record)
    if task is not None and can_act(task, user):
        complete_task(task, user, "done", _("Received"))
    elif task is not None:  # claimed by another keeper: the return is in, the task has nothing left
        cancel_task(task, None, _("Received"))
    return record


def returns_of(order: Any) -> list[ReturnOrder]:
    return list(db.session.scalars(select(ReturnOrder).where(ReturnOrder.order_id == order.id)
                                   .order_by(ReturnOrder.id)))
