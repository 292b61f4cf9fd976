"""The archive's states (客户档案建立流程): rep submits, regional manager verifies, department files.

The state column is the record's state; the work engine's tasks drive it (``core.registry.archive``):
only "submit" is applied by a user directly, the other transitions follow the decisions on the
verify and filing tasks and an edit that voids a verification ("reopen").
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.workflow import Transition, Workflow

ARCHIVE_FLOW = Workflow(
    name="customer_archive",
    states={
        "draft": _l("Draft"),
        "submitted": _l("Submitted"),
        "returned": _l("Sent back"),
        "verified": _l("Verified"),
        "filed": _l("Filed"),
    },
    initial="draft",
    transitions=[
        Transition("submit", ("draft", "returned"), "submitted", "customers.submit", _l("Submit for verification")),
        Transition("send_back", ("submitted", "verified"), "returned", "customers.verify", _l("Send back"),
                   comment_required=True, style="secondary"),
        Transition("verify", ("submitted",), "verified", "customers.verify", _l("Verify and sign")),
        Transition("file", ("verified",), "filed", "customers.file", _l("File the archive")),
        Transition("reopen", ("verified", "filed"), "submitted", "customers.edit",
                   _l("Back to verification after a change")),
    ],
)
