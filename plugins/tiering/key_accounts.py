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
