"""The states of a promotion and of a materials plan.

Review decisions (approve, send back, reject) are the approval chain's: its callbacks apply the
transitions with ``authorised=True``. People apply the others: submit, withdraw, file, complete,
evaluate.
"""
from __future__ import annotations

from core.api import Transition, Workflow
from plugins.promotions.i18n import _l

EDITABLE = ("draft", "sent_back", "submitted", "approved", "filed")
REVIEW = "promotions.review"  # transitions the engine applies for the reviewer

PROMOTION_FLOW = Workflow(
    name="promotions_promotion",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Under review"),
        "sent_back": _l("Sent back for revision"),
        "approved": _l("Approved, to be filed"),
        "filed": _l("Filed, in execution"),
        "completed": _l("Completed, to be evaluated"),
        "evaluated": _l("Evaluated"),
        "rejected": _l("Rejected"),
    },
    initial="draft",
    transitions=[
        Transition("submit", ("draft", "sent_back"), "submitted", "promotions.apply", _l("Submit for approval")),
        Transition("withdraw", ("submitted",), "draft", "promotions.apply", _l("Withdraw"), style="secondary"),
        Transition("approve", ("submitted",), "approved", REVIEW, _l("Approve")),
        Transition("send_back", ("submitted",), "sent_back", REVIEW, _l("Send back")),
        Transition("reject", ("submitted",), "rejected", REVIEW, _l("Reject")),
        Transition("reopen", ("submitted", "approved", "filed"), "draft", REVIEW, _l("Review again")),
        Transition("file", ("approved",), "filed", "promotions.file", _l("File and notify")),
        Transition("complete", ("filed",), "completed", "promotions.execute", _l("Assess completion")),
        Transition("evaluate", ("completed", "evaluated"), "evaluated", "promotions.evaluate",
                   _l("Save the evaluation")),
    ],
)

PLAN_FLOW = Workflow(
    name="promotions_plan",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Under review"),
        "sent_back": _l("Sent back for revision"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
    },
    initial="draft",
    transitions=[
        Transition("submit", ("draft", "sent_back"), "submitted", "promotions.materials", _l("Submit for approval")),
        Transition("approve", ("submitted",), "approved", REVIEW, _l("Approve")),
        Transition("send_back", ("submitted",), "sent_back", REVIEW, _l("Send back")),
        Transition("reject", ("submitted",), "rejected", REVIEW, _l("Reject")),
        Transition("reopen", ("submitted", "approved"), "draft", REVIEW, _l("Review again")),
    ],
)
