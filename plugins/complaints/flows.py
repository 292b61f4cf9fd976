"""The words of a complaint (manual (四)客户投诉管理) and the steps of its handling.

Only the plugin's services move a complaint (``authorised=True``): each step follows a task or an
approval decided by whoever the work engine gave it to, so the transitions' permission is the
plugin's ``complaints.handle`` and never asked of a user directly.
"""
from __future__ import annotations

from core.api import Transition, Workflow
from plugins.complaints.i18n import N_, _l

CHANNELS = {"phone": _l("Phone"), "visit": _l("Visit"), "letter": _l("Letter"), "other": _l("Other")}

# 一般常见客户投诉 (manual (四)2)
CATEGORY_IDS = {  # message ids: a notification translates them for each reader
    "quantity_variety": N_("Quantity or variety error, appearance"),
    "transport_storage": N_("Loss in transport or storage (lost, stolen, rained on, mouldy, short)"),
    "feeding_result": N_("Feeding result (diarrhoea, milk drop …)"),
    "mass_death": N_("Sudden mass death or feeding far below expectation"),
    "service": N_("Sales-service quality"),
}
CATEGORIES = {code: _l(msgid) for code, msgid in CATEGORY_IDS.items()}
CATEGORY_SHORT = {"quantity_variety": _l("Quantity, variety, appearance"), "transport_storage": _l("Transport, storage"),
                  "feeding_result": _l("Feeding result"), "mass_death": _l("Mass death"),
                  "service": _l("Sales service")}  # chart labels
# complaints about the product itself: root cause and CAPA are recorded, a batch can be traced
QUALITY_CATEGORIES = ("quantity_variety", "feeding_result", "mass_death")

SEVERITIES = {"S1": _l("S1 – animals ill or dead, contamination"), "S2": _l("S2 – quality"),
              "S3": _l("S3 – service")}
SEVERITY_SHORT = {"S1": "S1", "S2": "S2", "S3": "S3"}
PATHS = {"spot": _l("Answered on the spot"), "minor": _l("Minor: on site by the regional manager"),
         "serious": _l("Serious: handling form and sign-offs")}
REMEDIES = {"none": _l("No money or goods"), "compensation": _l("Compensation"), "return": _l("Return"),
            "exchange": _l("Exchange"), "other": _l("Other")}
WAYS = {"cash": _l("Cash"), "credit_note": _l("Credit note"), "replacement": _l("Replacement goods"),
        "discount": _l("Discount")}
OUTCOMES = {"proposed": _l("awaiting the general manager"), "approved": _l("approved"), "rejected": _l("rejected"),
            "sent_back": _l("sent back"), "refused": _l("refused to the customer")}
SATISFACTION = {"satisfied": _l("Satisfied"), "partly": _l("Partly satisfied"),
                "unsatisfied": _l("Not satisfied")}
ATTACHMENT_KINDS = {"photo": _l("Photo"), "lab": _l("Lab report"), "evidence": _l("Evidence"),
                    "other": _l("Other")}
# departments a serious complaint's form may go to (core's standard departments, by code)
SIGN_DEPARTMENTS = {"qc": _l("Quality control"), "production": _l("Production"),
                    "warehouse": _l("Finished-goods warehouse"), "sales": _l("Sales"),
                    "finance": _l("Finance"), "marketing": _l("Marketing")}

STATES = {
    "assessment": _l("Awaiting assessment"),
    "minor_findings": _l("On site: findings"),
    "minor_plan": _l("On site: plan"),
    "minor_approval": _l("Plan awaiting approval"),
    "minor_implementation": _l("Carrying out the plan"),
    "minor_report": _l("Report"),
    "handling_form": _l("Handling form"),
    "departments": _l("Choosing the departments"),
    "sign_off": _l("Departments signing"),
    "settlement": _l("Settlement proposal"),
    "settlement_approval": _l("Settlement with the general manager"),
    "implementation": _l("Implementation"),
    "evaluation": _l("Evaluation"),
    "callback": _l("Satisfaction call-back"),
    "archiving": _l("Archiving"),
    "closed": _l("Closed and archived"),
}
OPEN_STATES = tuple(state for state in STATES if state != "closed")

P = "complaints.handle"


def _t(name: str, source: tuple[str, ...], target: str, label: object) -> Transition:
    return Transition(name, source, target, P, label)


COMPLAINT_FLOW = Workflow(
    name="complaint",
    states=STATES,
    initial="assessment",
    transitions=[
        _t("answer_on_spot", ("assessment",), "closed", _l("Answered on the spot")),
        _t("minor", ("assessment",), "minor_findings", _l("Handle as minor")),
        _t("serious", ("assessment",), "handling_form", _l("Handle as serious")),
        _t("findings", ("minor_findings",), "minor_plan", _l("Findings recorded")),
        _t("plan", ("minor_plan",), "minor_approval", _l("Plan submitted")),
        _t("plan_approved", ("minor_approval",), "minor_implementation", _l("Plan approved")),
        _t("plan_sent_back", ("minor_approval",), "minor_plan", _l("Plan sent back")),
        _t("implemented", ("minor_implementation",), "minor_report", _l("Plan carried out")),
        _t("reported", ("minor_report",), "callback", _l("Reported")),
        _t("form", ("handling_form",), "departments", _l("Handling form filled in")),
        _t("departments_chosen", ("departments",), "sign_off", _l("Sent to the departments")),
        _t("disagreed", ("sign_off",), "departments", _l("A department disagrees")),
        _t("signed", ("sign_off",), "settlement", _l("All departments signed")),
        _t("signed_no_money", ("sign_off",), "implementation", _l("All departments signed")),
        _t("proposed", ("settlement",), "settlement_approval", _l("Settlement proposed")),
        _t("settlement_approved", ("settlement_approval",), "implementation", _l("Settlement approved")),
        _t("settlement_rejected", ("settlement_approval",), "settlement", _l("Settlement rejected")),
        _t("settlement_sent_back", ("settlement_approval",), "settlement", _l("Settlement sent back")),
        _t("refused", ("settlement",), "implementation", _l("Refusal recorded")),
        _t("carried_out", ("implementation",), "evaluation", _l("Carried out")),
        _t("evaluated", ("evaluation",), "callback", _l("Evaluated")),
        _t("called_back", ("callback",), "archiving", _l("Customer called back")),
        _t("archive", ("archiving",), "closed", _l("Archived")),
    ],
)
