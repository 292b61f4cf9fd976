"""The complaint's approval chains on core's engine.

- ``complaints.minor_plan``: the department manager approves the regional manager's plan.
- ``complaints.sign_off``: the departments the manager chose sign the handling form in parallel,
  each within one day of being assigned (QC: its lab time plus half a day), on the company's
  clock (C-5); "disagree" (send back) returns the form to the department manager.
- ``complaints.settlement``: the general manager approves, sends back or rejects the marketing
  manager's settlement (C-8).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.api import (
    ApprovalChain,
    Parallel,
    Resolver,
    Step,
    budget_minutes,
    default_clock,
    reviewer,
)
from plugins.complaints.flows import SIGN_DEPARTMENTS
from plugins.complaints.i18n import N_, _l

MINOR_PLAN, SIGN_OFF, SETTLEMENT = "complaints.minor_plan", "complaints.sign_off", "complaints.settlement"
LABELS = {"qc": N_("QC"), "production": N_("Production"), "warehouse": N_("Finished-goods warehouse"),
          "sales": N_("Sales"), "finance": N_("Finance"), "marketing": N_("Marketing")}
HALF_DAY = Decimal("0.5")


def signoff_minutes(complaint: Any, code: str) -> int:
    """C-5: one day from assignment; QC its lab time plus half a day, a day being 24 h on the wall
    clock or the working calendar's hours per day."""
    clock = default_clock()
    if code == "qc":
        return budget_minutes(days=Decimal(complaint.lab_days or 0) + HALF_DAY, clock=clock)
    return budget_minutes(days=1, clock=clock)


class Chosen:
    """The step applies when the department manager chose the department."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __call__(self, complaint: Any) -> bool:
        return self.code in complaint.departments


def _budget(code: str) -> Any:
    return lambda complaint: signoff_minutes(complaint, code)


def _clock(_complaint: Any) -> str:
    return default_clock()


def _day(_complaint: Any) -> int:
    return budget_minutes(days=1, clock=default_clock())


def _services() -> Any:
    from plugins.complaints import services

    return services


def _plan_submitted(complaint: Any, request: Any, user: Any) -> None:
    _services().move(complaint, "plan", user)


def _plan_approved(complaint: Any, request: Any, user: Any) -> None:
    _services().plan_approved(complaint, user)


def _plan_sent_back(complaint: Any, request: Any, user: Any) -> None:
    _services().move(complaint, "plan_sent_back", user)


def _sent_to_departments(complaint: Any, request: Any, user: Any) -> None:
    _services().move(complaint, "departments_chosen", user)


def _signed(complaint: Any, request: Any, user: Any) -> None:
    _services().signed(complaint, user)


def _disagreed(complaint: Any, request: Any, user: Any) -> None:
    _services().move(complaint, "disagreed", user)


def _proposed(complaint: Any, request: Any, user: Any) -> None:
    _services().move(complaint, "proposed", user)


def _settlement_approved(complaint: Any, request: Any, user: Any) -> None:
    _services().settlement_approved(complaint, user)


def _settlement_rejected(complaint: Any, request: Any, user: Any) -> None:
    _services().settlement_rejected(complaint, request, user)


def _settlement_sent_back(complaint: Any, request: Any, user: Any) -> None:
    complaint.settlement_outcome = "sent_back"
    _services().move(complaint, "settlement_sent_back", user)


def _department_manager(record: Any, applicant: Any) -> Any:
    return _services().department_manager()


def _signer(record: Any, applicant: Any, code: str) -> Any:
    return _services().signer(code)


RESOLVERS = [
    Resolver("complaints.department_manager", _l("The customer-management department's manager"),
             _department_manager),
    Resolver("complaints.signer", _l("A department concerned by a complaint"), _signer),
]


def chains(model: type) -> list[ApprovalChain]:
    from plugins.complaints.services import complaint_path

    return [
        ApprovalChain(
            MINOR_PLAN, N_("Plan of a minor complaint"), model,
            stages=[Step("approve", N_("Department manager's approval of the plan"),
                         reviewer("complaints.department_manager"), budget_minutes=_day, clock=_clock,
                         task_title=N_("Approve the plan of a minor complaint"),
                         approve_label=N_("Approve the plan"))],
            decisions=("approved", "sent_back"), link=complaint_path,
            on_submitted=_plan_submitted, on_approved=_plan_approved, on_sent_back=_plan_sent_back),
        ApprovalChain(
            SIGN_OFF, N_("Departments' sign-off of the handling form"), model,
            stages=[Parallel("departments", N_("Departments sign"), join="all", steps=[
                Step(code, LABELS[code], reviewer("complaints.signer", code), when=Chosen(code),
                     budget_minutes=_budget(code), clock=_clock,
                     task_title=N_("Sign the complaint handling form"), approve_label=N_("Agree and sign"))
                for code in SIGN_DEPARTMENTS])],
            decisions=("approved", "sent_back"), link=complaint_path,
            on_submitted=_sent_to_departments, on_approved=_signed, on_sent_back=_disagreed),
        ApprovalChain(
            SETTLEMENT, N_("Settlement of a complaint"), model,
            stages=[Step("gm", N_("General manager's approval of the settlement"), reviewer("general_manager"),
                         budget_minutes=_day, clock=_clock, task_title=N_("Approve the complaint settlement"),
                         approve_label=N_("Approve the settlement"))],
            decisions=("approved", "sent_back", "declined"), link=complaint_path,
            on_submitted=_proposed, on_approved=_settlement_approved, on_rejected=_settlement_rejected,
            on_sent_back=_settlement_sent_back),
    ]
