"""Recompute as a background job: nightly on its schedule, or started by a manager with a progress page."""
from __future__ import annotations

from core.api import User, db, progress
from plugins.tiering.i18n import N_
from plugins.tiering.recompute import recompute

STEPS = {"inputs": N_("Reading sales, visits and complaints"), "rules": N_("Applying the rules"),
         "store": N_("Storing grades and their history"), "follow_up": N_("Creating follow-up tasks"),
         "done": N_("Done")}


def _report(done: int, total: int, step: str) -> None:
    progress(done, total=total, message=STEPS[step])


def nightly() -> None:
    """The scheduled recompute; the worker commits it."""
    recompute("nightly")


def recompute_job(user_id: int) -> None:
    """A manager's recompute, tracked on the job page; ends with what moved."""
    run = recompute("manual", by=db.session.get(User, user_id), report=_report)
    progress(4, total=4, message=N_("%(customers)s customers graded, %(changed)s moved."),
             customers=run.customers, changed=run.changed)


def call_plan() -> None:
    """Hourly: planned calls due within the lead days become tasks; logged contacts complete them."""
    from plugins.tiering.contact_plan import sync_call_tasks

    sync_call_tasks()
