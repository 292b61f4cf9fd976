"""The order review (订单评审) on core's approval engine.

The manual gives the coordinator (业务协调) the co-ordination of ordering, shipping, the production
plan and its review: before an order is confirmed someone other than whoever recorded it checks
the customer's data, their credit and the stock, and confirms the order or sends it back for a
change. Recording an order submits it; the review task goes to the holders of
``logistics.review`` (a coordinator's own order, with four eyes, to the customer-management
manager). Approving confirms the order (the ``order_confirming`` veto is asked then); sending back
moves it to “being changed”, where its lines may be edited before it is resubmitted; declining
cancels it. A change requested after confirmation voids the review, and the next submission is a
new round: every round stays on the order's page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from core.api import (
    ApprovalChain,
    ApprovalRefused,
    Customer,
    Queue,
    Resolver,
    Step,
    TaskRefused,
    TransitionRefused,
    User,
    Vetoed,
    approval_rounds,
    approval_state,
    ask_vetoes,
    cancel_task,
    db,
    department_head,
    reviewer,
    setting,
    submit_for_approval,
    tasks_of,
    withdraw_application,
)
from plugins.logistics.flows import BEFORE_SHIPPING, CONFIRMED, ORDER_FLOW
from plugins.logistics.i18n import N_, _, _l
from plugins.logistics.models import Order, OrderLine

CHAIN = "logistics.order_review"
REVIEWER = "logistics.order_reviewer"
REVIEW_HOURS = 4  # working hours: an order reviewed the same half day keeps the three-day promise


def order_path(order: Order) -> str:
    """The order page's path, inside or outside a request (the review's tasks link to it)."""
    adapter = current_app.url_map.bind("", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build("logistics.order", {"order_id": order.id})


def _reviewer(order: Order, applicant: Any) -> Queue | Any:
    """The coordinators; an order a reviewer recorded goes to the customer-management manager
    (four eyes), so a lone coordinator's orders are never stuck."""
    if setting("core.four_eyes") and applicant is not None and applicant.can("logistics.review"):
        head = department_head("cm")
        if head is not None and head.id != applicant.id:
            return head
        return Queue.role("cm_manager")
    return Queue.permission("logistics.review")


RESOLVERS = [Resolver(REVIEWER, _l("The coordinators (an order they recorded: the customer-management manager)"),
                      _reviewer)]


def _decision_comment(order: Order, request: Any) -> str:
    """The reviewer's comment on this round (required for a send-back or a decline)."""
    found = next((r for r in approval_rounds(order) if r.request.id == request.id), None)
    return next((step.comment for step in (found.steps if found else []) if step.comment), "—")


def _approved(order: Order, request: Any, user: Any) -> None:
    """The review confirms the order; another plugin may still refuse (its reason is shown to the
    reviewer on the task page and nothing is recorded)."""
    try:
        ask_vetoes("order_confirming", order=order, user=user)
    except Vetoed as vetoed:
        raise TaskRefused(str(vetoed)) from None
    ORDER_FLOW.apply(order, "confirm_data", user, authorised=True)


def _sent_back(order: Order, request: Any, user: Any) -> None:
    ORDER_FLOW.apply(order, "send_back", user, _decision_comment(order, request), authorised=True)


def _declined(order: Order, request: Any, user: Any) -> None:
    ORDER_FLOW.apply(order, "cancel", user, _decision_comment(order, request), authorised=True)


def _submitted(order: Order, request: Any, user: Any) -> None:
    """Only a recorded order is reviewed: while it is being changed, the engine's restart after a
    change gives the applicant “Revise and resubmit” instead."""
    if order.state != "recorded":
        raise ApprovalRefused(_("Finish changing order %(number)s, then resubmit it.", number=order.number))


def review_chain() -> ApprovalChain:
    return ApprovalChain(
        CHAIN, N_("Order review"), Order,
        stages=[Step("review", N_("Order review: customer data, credit, stock"), reviewer(REVIEWER),
                     budget_minutes=REVIEW_HOURS * 60, clock="working",
                     task_title=N_("Review the order: customer data, credit and stock"),
                     approve_label=N_("Confirm the order"))],
        watched_related=("lines",), link=order_path,
        on_submitted=_submitted, on_approved=_approved, on_sent_back=_sent_back, on_rejected=_declined)


def submit_review(order: Order, user: Any, comment: str = "") -> Any:
    """Put a recorded order up for review (on recording it, or again after a change). The caller
    commits."""
    if order.state == "changing":
        ORDER_FLOW.apply(order, "resubmit", user, comment)
    elif order.state != "recorded":
        raise TransitionRefused(_("Order %(number)s is past its review.", number=order.number))
    try:
        return submit_for_approval(order, CHAIN, user, comment)
    except ApprovalRefused as refusal:
        raise TransitionRefused(str(refusal)) from None


def close_review(order: Order, comment: str) -> None:
    """A cancelled order needs no review: its open round is withdrawn (in its applicant's name, as
    the engine allows) and a “Revise and resubmit” left open is cancelled."""
    request = latest_request_of(order)
    if request is not None and request.state == "pending":
        withdraw_application(order, CHAIN, db.session.get(User, request.applicant_id), comment)
    for task in tasks_of(order, open_only=True):
        if task.kind == "approval_resubmit":
            cancel_task(task, None, comment)


def latest_request_of(order: Order) -> Any:
    rounds = approval_rounds(order)
    return rounds[0].request if rounds else None


def review_state(order: Order) -> str | None:
    """pending, approved, sent_back, rejected, voided, withdrawn, or None (never submitted)."""
    return approval_state(order, CHAIN)


def open_review_task(order: Order) -> Any:
    return next((t for t in tasks_of(order, open_only=True) if t.kind == "approval"), None)


def may_submit(order: Order, user: Any) -> bool:
    """The next step of a recorded order nobody reviews now, or of one being changed."""
    if not user.can("logistics.order"):
        return False
    return order.state == "changing" or (order.state == "recorded" and review_state(order) != "pending")


@dataclass(frozen=True)
class ReviewFacts:
    """What the reviewer looks at: the customer's data, their credit, and the stock asked for."""

    missing: list[str]  # customer data the order needs and the archive lacks
    open_orders: int  # the customer's other orders not yet shipped
    unpaid_cents: int  # what the customer owes on those orders
    open_demand_kg: dict[str, int]  # per product of this order: confirmed on other orders, not yet shipped


def review_facts(order: Order) -> ReviewFacts:
    """Three grouped queries, whatever the customer's history."""
    customer: Customer = order.customer
    missing = [str(label) for label, value in ((_l("Contact phone"), customer.mobile or customer.phone),
                                                (_l("Delivery address"), order.address or customer.address))
               if not value]
    others = (select(Order.id).where(Order.customer_id == order.customer_id, Order.id != order.id,
                                     Order.state.in_((*BEFORE_SHIPPING, "shipping"))))
    count, amount = db.session.execute(
        select(func.count(func.distinct(OrderLine.order_id)), func.coalesce(func.sum(OrderLine.amount_cents), 0))
        .where(OrderLine.order_id.in_(others))).one()
    paid = db.session.scalar(select(func.coalesce(func.sum(Order.payment_cents), 0)).where(Order.id.in_(others)))
    product_ids = [line.product_id for line in order.lines]
    confirmed = select(Order.id).where(Order.id != order.id, Order.state.in_(CONFIRMED))
    demand = dict(db.session.execute(
        select(OrderLine.product_id, func.sum(OrderLine.quantity_kg))
        .where(OrderLine.product_id.in_(product_ids), OrderLine.order_id.in_(confirmed))
        .group_by(OrderLine.product_id)).all()) if product_ids else {}
    names = {line.product_id: line.product.name for line in order.lines}
    return ReviewFacts(missing, int(count or 0), max(int(amount or 0) - int(paid or 0), 0),
                       {names[pid]: int(demand.get(pid) or 0) for pid in dict.fromkeys(product_ids)})
