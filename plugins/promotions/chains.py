"""The review of promotions and materials plans on core's approval engine (manual (五)1, (三)4).

An application goes to the customer-management department manager, then the marketing manager,
then the general manager; the last two only above budget thresholds (company settings), so a small
promotion is final at the department manager and a middle one at the marketing manager. After the
last signature the department (its queue) files it and so tells those concerned. A materials plan
goes through all three, without thresholds.
"""
from __future__ import annotations

from typing import Any

from core.api import (
    ApprovalChain,
    Queue,
    Resolver,
    Step,
    amount_above,
    department_head,
    fire_after_commit,
    path_for,
    reviewer,
    signature_rows,
)
from plugins.promotions.flows import PLAN_FLOW, PROMOTION_FLOW
from plugins.promotions.i18n import N_, _l

CHAIN = "promotions.application"
PLAN_CHAIN = "promotions.materials_plan"
FILE = "file"
CM, MARKETING = "cm", "marketing"


def department_manager(record: Any, applicant: Any) -> Any:
    """The head of the customer-management department, else the holders of the role cm_manager."""
    return department_head(CM) or Queue.role("cm_manager")


def marketing_manager(record: Any, applicant: Any) -> Any:
    """The head of the marketing department, else the holders of the role marketing_manager."""
    return department_head(MARKETING) or Queue.role("marketing_manager")


def filer(record: Any, applicant: Any) -> Queue:
    """The customer-management department's queue, while it has members; else who may file."""
    department = Queue.department(CM)
    return department if department.members() else Queue.permission("promotions.file")


RESOLVERS = [
    Resolver("promotions.department_manager", _l("Customer-management department manager"), department_manager),
    Resolver("promotions.marketing_manager", _l("Marketing manager"), marketing_manager),
    Resolver("promotions.filer", _l("The customer-management department"), filer),
]


def _submitted(record: Any, request: Any, user: Any) -> None:
    if record.state in ("draft", "sent_back"):
        PROMOTION_FLOW.apply(record, "submit", user, request.comment or "", authorised=True)


def _reviewed(record: Any, request: Any, user: Any) -> None:
    """A review step was approved: when no review step is left (only filing), it is approved."""
    rows = [row for row in signature_rows(record, CHAIN) if row.step.name != FILE]
    if all(row.step.state == "approved" for row in rows) and record.state == "submitted":
        PROMOTION_FLOW.apply(record, "approve", user, authorised=True)
        fire_after_commit("promotion_approved", promotion=record)


def _filed(record: Any, request: Any, user: Any) -> None:
    from plugins.promotions.services import file_promotion

    file_promotion(record, user)


def _sent_back(record: Any, request: Any, user: Any) -> None:
    PROMOTION_FLOW.apply(record, "send_back", user, authorised=True)


def _rejected(record: Any, request: Any, user: Any) -> None:
    PROMOTION_FLOW.apply(record, "reject", user, authorised=True)


def _voided(record: Any, request: Any, applicant: Any) -> None:
    """An edit voided the approvals: back to review, and a filed promotion's follow-up is off."""
    from plugins.promotions.services import COMPLETE, close_work

    if record.state in PROMOTION_FLOW.transitions["reopen"].source:
        PROMOTION_FLOW.apply(record, "reopen", None, authorised=True)
    close_work(record, (COMPLETE,))


WATCHED = ("title", "region_id", "period_start", "period_end", "purpose", "plan", "budget_cents",
           "target_kg", "target_amount_cents", "target_new_customers")


def promotion_chain() -> ApprovalChain:
    from plugins.promotions.models import Promotion

    return ApprovalChain(
        CHAIN, N_("Promotion application"), Promotion,
        stages=[
            Step("department", N_("Customer-management department manager"),
                 reviewer("promotions.department_manager"), on_approved=_reviewed),
            Step("marketing", N_("Marketing manager"), reviewer("promotions.marketing_manager"),
                 when=amount_above("promotions.marketing_above", "budget_cents"), on_approved=_reviewed),
            Step("general", N_("General manager"), reviewer("general_manager"),
                 when=amount_above("promotions.general_above", "budget_cents"), on_approved=_reviewed),
            Step(FILE, N_("Filing by the customer-management department"), reviewer("promotions.filer"),
                 task_title=N_("File the promotion and notify those concerned"),
                 approve_label=N_("File and notify"), on_approved=_filed),
        ],
        watched=WATCHED, watched_related=("targets", "materials"), budget_minutes=3 * 24 * 60,
        reference=lambda p: f"{p.number} {p.title}",
        link=lambda p: path_for("promotions.promotion", promotion_id=p.id),
        on_submitted=_submitted, on_sent_back=_sent_back, on_rejected=_rejected, on_voided=_voided)


def _plan(name: str) -> Any:
    def move(record: Any, request: Any, user: Any) -> None:
        if name in PLAN_FLOW.transitions and record.state in PLAN_FLOW.transitions[name].source:
            PLAN_FLOW.apply(record, name, user, authorised=True)
    return move


def plan_chain() -> ApprovalChain:
    from plugins.promotions.models import MaterialPlan

    return ApprovalChain(
        PLAN_CHAIN, N_("Promotional materials plan"), MaterialPlan,
        stages=[
            Step("department", N_("Customer-management department manager"),
                 reviewer("promotions.department_manager")),
            Step("marketing", N_("Marketing manager"), reviewer("promotions.marketing_manager")),
            Step("general", N_("General manager"), reviewer("general_manager")),
        ],
        watched=("region_id", "period_start", "period_end"), watched_related=("lines",),
        budget_minutes=3 * 24 * 60, reference=lambda p: p.number,
        link=lambda p: path_for("promotions.plan", plan_id=p.id),
        on_submitted=_plan("submit"), on_approved=_plan("approve"), on_sent_back=_plan("send_back"),
        on_rejected=_plan("reject"), on_voided=_plan("reopen"))
