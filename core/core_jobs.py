"""Core's own background jobs and periodic schedules, registered through ``register_jobs`` like a
plugin's (``core.core_hooks``). Schedules are read in the company's time zone."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.contract import Job
from core.db import utcnow
from core.jobs import crontab
from core.registry.import_job import JOB as IMPORT_JOB
from core.registry.import_job import import_customers
from core.tasks import sweep


def deadline_sweep() -> None:
    """The work engine's sweep: warns about tasks coming due and escalates overdue ones, each
    exactly once, as the system actor (it commits task by task itself)."""
    sweep(utcnow())


def core_jobs() -> list[Job]:
    return [
        Job(IMPORT_JOB, import_customers, title=_l("Customer import")),
        Job("core.deadline_sweep", deadline_sweep, schedule=crontab(), title=_l("Deadline sweep")),
    ]
