"""Key accounts (大客户): a marketing plan per key customer, reviewed by the department manager and
filed by the department through core's approval chain; and the periodic key-customer evaluation."""
from __future__ import annotations

from typing import Any

from core.api import ApprovalChain, Step, Transition, Workflow, reviewer, submit_for_approval
from plugins.tiering.i18n import N_, _l

CHAIN = "tiering.key_plan"
PLAN_FLOW = Workflow(
    name="tiering_key_plan",
    states={"draft": _l("Draft"), "submitted": _l("Under review"), "reviewed": _l("Reviewed"),
            "filed": _l("Filed"), "returned": _l("Sent back"), "declined": _l("Declined")},
    initial="draft",
    transitions=[
        Transition("submit", ("draft", "returned"), "submitted", "tiering.key_accounts", _l("Submit for review")),
        Transition("review", ("submitted",), "reviewed", "tiering.key_accounts", _l("Reviewed")),
        Transition("file", ("reviewed", "submitted"), "filed", "tiering.key_accounts", _l("Filed")),
        Transition("send_back", ("submitted", "reviewed"), "returned", "tiering.key_accounts", _l("Sent back")),
        Transition("decline", ("submitted", "reviewed"), "declined", "tiering.key_accounts", _l("Declined")),
    ],
)
EDITABLE_STATES = ("draft", "returned")


def _move(name: str) -> Any:
    def move(plan: Any, request: Any, user: Any) -> None:
        PLAN_FLOW.apply(plan, name, user, authorised=True)
    return move


def chain() -> ApprovalChain:
    from flask import url_for

    from plugins.tiering.models import KeyPlan

    return ApprovalChain(
        CHAIN, N_("Key-account marketing plan"), KeyPlan,
        stages=[Step("review", N_("Department manager's review"), reviewer("department_head", "cm"),
                     budget_minutes=3 * 24 * 60, on_approved=_move("review")),
                Step("file", N_("Filing by the customer-management department"), reviewer("department", "cm"),
                     budget_minutes=3 * 24 * 60, task_title=N_("File the key-account plan"),
                     approve_label=N_("File the plan"))],
        watched=("goals", "actions", "budget_cents"),
        link=lambda plan: url_for("tiering.plan", plan_id=plan.id),
        on_approved=_move("file"), on_rejected=_move("decline"), on_sent_back=_move("send_back"))


def submit_plan(plan: Any, user: Any, comment: str = "") -> None:
    """Submit a draft or sent-back plan; the caller commits. Raises TransitionRefused / ApprovalRefused."""
    PLAN_FLOW.apply(plan, "submit", user, comment)
    submit_for_approval(plan, CHAIN, user, comment)


EVALUATE = "tiering.evaluate"
EVALUATE_DAYS = 30


def quarter_label(day: Any) -> str:
    """The quarter before ``day``'s: what an evaluation at the start of a quarter looks back on."""
    quarter = (day.month - 1) // 3  # 0 in January: the fourth quarter of last year
    return f"{day.year - 1} Q4" if quarter == 0 else f"{day.year} Q{quarter}"


def ask_for_evaluations() -> int:
    """Quarterly: each key customer's owner gets a task to evaluate it (once per customer while open)."""
    from sqlalchemy import select

    from core.api import Customer, Task, create_task, db, local_now
    from plugins.tiering.i18n import N_
    from plugins.tiering.queries import effective_grades

    period = quarter_label(local_now().date())
    owned = dict(db.session.execute(select(Customer.id, Customer.owner_id).where(Customer.owner_id.is_not(None))).all())
    owned_ids = select(Customer.id).where(Customer.owner_id.is_not(None))  # no parameter per customer
    keys = [cid for cid, grade in effective_grades(owned_ids).items() if grade == "key"] if owned else []
    waiting = set(db.session.scalars(select(Task.record_id).where(
        Task.kind == EVALUATE, Task.record_type == "customers", Task.state.in_(("open", "on_hold")))))
    created = 0
    for customer in db.session.scalars(select(Customer).where(Customer.id.in_(keys or [-1]))):
        if customer.id in waiting:
            continue
        create_task(customer, EVALUATE, N_("Evaluate key customer %(name)s for %(period)s"),
                    params={"name": customer.name, "period": period}, assignee=owned[customer.id],
                    budget_minutes=EVALUATE_DAYS * 24 * 60)
        created += 1
    return created


def evaluation_recorded(customer: Any, user: Any) -> None:
    """An evaluation answers the customer's open evaluation task."""
    from sqlalchemy import select

    from core.api import Task, User, complete_task, db

    for task in db.session.scalars(select(Task).where(Task.kind == EVALUATE, Task.record_type == "customers",
                                                      Task.record_id == customer.id, Task.state == "open")):
        complete_task(task, user if task.assignee_id in (None, user.id) else db.session.get(User, task.assignee_id))
