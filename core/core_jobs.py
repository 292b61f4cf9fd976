"""Core's own background jobs and periodic schedules, registered through ``register_jobs`` like a
plugin's (``core.core_hooks``). Schedules are read in the company's time zone."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.contract import Job
from core.events import commit
from core.jobs import crontab
from core.registry.import_job import JOB as IMPORT_JOB
from core.registry.import_job import import_customers
from core.registry.services import flag_overdue_verifications


def flag_overdue() -> None:
    """Tell regional managers about archives unverified for over a month (daily; also
    ``guanxi customers flag-overdue``)."""
    flag_overdue_verifications()
    commit()


def deadline_sweep_jobs() -> list[Job]:
    """The deadline sweep of the work engine: every minute, ``core.tasks.sweep(now)`` warns about
    tasks coming due and escalates overdue ones once, as the system actor.

    This is where it is registered once ``core.tasks`` exists; until then there is nothing to run::

        from core.db import utcnow
        from core.tasks import sweep

        return [Job("core.deadline_sweep", lambda: sweep(utcnow()), schedule=crontab(),
                    title=_l("Deadline sweep"))]
    """
    return []


def core_jobs() -> list[Job]:
    return [
        Job("core.flag_overdue", flag_overdue, schedule=crontab(minute="30", hour="1"),
            title=_l("Overdue archive verifications")),
        Job(IMPORT_JOB, import_customers, title=_l("Customer import")),
        *deadline_sweep_jobs(),
    ]
