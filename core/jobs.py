"""Background jobs: one Huey queue per application, filled by ``register_jobs``, run by ``guanxi worker``.

The queue is a SQLite file in the instance folder (``jobs.db``) unless ``GUANXI_REDIS_URL`` names
a Redis server; with ``JOBS_IMMEDIATE`` (the tests) a job runs at once where it is enqueued. Every
job runs inside the application's context with a database session of its own, committed when the
job returns and rolled back when it raises; periodic schedules are read in the company's time zone.

A long job started with ``start_job`` is tracked by a ``JobRun`` row (who started it, its state,
counts and last message), shown at /jobs/<id> to that user and to administrators. The job reports
how far it got with ``progress(done, total, message)``. Live progress is published through the
queue's own storage, never through the application database: a job inside a long transaction
(SQLite has one writer) must still be able to report it. The row takes the counts when the run ends.
"""
from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.signals import SIGNAL_INTERRUPTED
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import acting_as
from core.auth.models import User
from core.contract import Job
from core.db import db, utcnow
from core.events import commit
from core.i18n import CORE, N_, translate
from core.plugins import PluginError, answers_by_plugin, owned_by
from core.settings import setting

if TYPE_CHECKING:
    from huey import Huey
    from huey.api import TaskWrapper

__all__ = ["Job", "JobFailed", "JobRun", "Jobs", "Progress", "crontab", "enqueue", "init_jobs", "jobs",
           "progress", "progress_of", "recent_runs", "run_job", "run_worker", "start_job", "visible_run"]

EXTENSION = "guanxi.jobs"  # app.extensions key of the Jobs
RUN_KEY = "guanxi_run_id"  # the keyword argument that carries a tracked run's id to the worker
STATES = ("queued", "running", "done", "failed")
PUBLISH_EVERY = 0.25  # seconds: at most this often a run's counts are published while it works
log = logging.getLogger("guanxi.jobs")


class JobRun(db.Model):
    """One tracked run of a job: who started it, where it stands, how far it got."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(300))  # a message id, translated when shown
    domain: Mapped[str] = mapped_column(String(64), default=CORE)  # the catalogue of ``message``
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))  # where to go once it is done
    error: Mapped[str | None] = mapped_column(Text)  # what went wrong, for administrators
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


@dataclass
class Progress:
    """How far a run got: ``done`` of ``total`` (None: unknown) and its last message."""

    done: int = 0
    total: int | None = None
    message: str | None = None
    domain: str = CORE
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, self.done * 100 // self.total))

    def text(self) -> str:
        return translate(self.message, self.domain, **self.params) if self.message else ""


class JobFailed(Exception):
    """Raise in a tracked job to end it as failed with a message for the user (no traceback).

    ``message`` is a message id (core's ``N_``, a plugin domain's ``mark``) with its ``params``.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass
class _Tracker:
    run_id: int
    jobs: Jobs
    state: Progress
    on_progress: Callable[[Progress], None] | None = None
    published: float = 0.0


_current: contextvars.ContextVar[_Tracker | None] = contextvars.ContextVar("guanxi_job_run", default=None)


class Jobs:
    """The jobs of one application and its Huey queue, which is opened on first use: a process
    that never enqueues (a command, a web worker showing pages) never touches the queue."""

    def __init__(self, app: Flask, definitions: dict[str, Job], owners: dict[str, str]) -> None:
        self.app = app
        self.definitions = definitions
        self.owners = owners  # job name -> "core" or the plugin's name
        with app.app_context():
            self.redis_url: str = setting("core.redis_url")
            self.queue_name: str = setting("core.jobs_queue")
        self.immediate = bool(app.config.get("JOBS_IMMEDIATE"))
        self.zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
        self._huey: Huey | None = None
        self._tasks: dict[str, TaskWrapper] = {}
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        return "immediate" if self.immediate else "redis" if self.redis_url else "sqlite"

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            with self._lock:
                if self._huey is None:
                    self._huey = self._build()
        return self._huey

    def _build(self) -> Huey:
        options: dict[str, Any] = {"results": False, "utc": True}
        huey: Huey
        if self.immediate:
            huey = MemoryHuey(self.queue_name, immediate=True, **options)
        elif self.redis_url:
            huey = RedisHuey(self.queue_name, url=self.redis_url, **options)
        else:
            path = Path(self.app.instance_path)
            path.mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey(self.queue_name, filename=str(path / "jobs.db"), **options)
        for job in self.definitions.values():
            settings = {"name": job.name, "retries": job.retries, "retry_delay": job.retry_delay}
            decorate = (huey.task(**settings) if job.schedule is None
                        else huey.periodic_task(self._in_company_time(job.schedule), **settings))
            self._tasks[job.name] = decorate(self._runner(job))
        huey.signal(SIGNAL_INTERRUPTED)(self._interrupted)
        return huey

    def _interrupted(self, signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
        """A worker stopped at once (SIGTERM) while running ``task``: a tracked run it cut off is
        marked failed, unless it finished meanwhile (its work was rolled back with the process)."""
        run_id = (task.kwargs or {}).get(RUN_KEY)
        if run_id is not None:
            contextvars.Context().run(self._mark_interrupted, run_id)

    def _mark_interrupted(self, run_id: int) -> None:
        with self.app.app_context():
            try:
                db.session.execute(update(JobRun).where(JobRun.id == run_id, JobRun.state == "running").values(
                    state="failed", message=N_("The job was interrupted; start it again."), domain=CORE,
                    params={}, finished_at=utcnow()))
                db.session.commit()
            except Exception:  # noqa: BLE001 - e.g. SQLite still locked by the cut-off job
                db.session.rollback()
                log.exception("Could not mark run %s as interrupted.", run_id)
            finally:
                db.session.remove()

    def _in_company_time(self, schedule: Callable[[datetime], bool]) -> Callable[[datetime], bool]:
        """Huey checks schedules against naive UTC; a company reads crontab in its own time."""
        zone = self.zone

        def matches(moment: datetime) -> bool:
            return schedule(moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None))

        return matches

    def _runner(self, job: Job) -> Callable[..., None]:
        def run(*args: Any, **kwargs: Any) -> None:
            # a fresh context: no caller's request, user or session leaks into the job, even when
            # it runs at once in the caller's thread (JOBS_IMMEDIATE)
            contextvars.Context().run(self.execute, job, args, kwargs)

        run.__module__ = "guanxi"  # the queue knows the task as guanxi.<job name>
        run.__name__ = run.__qualname__ = job.name
        run.__doc__ = job.function.__doc__
        return run

    def definition(self, name: str) -> Job:
        try:
            return self.definitions[name]
        except KeyError:
            raise LookupError(f"No job {name!r} is registered by core or an enabled plugin.") from None

    def task(self, name: str) -> TaskWrapper:
        self.definition(name)
        self.huey  # noqa: B018  (registers the tasks)
        return self._tasks[name]

    def execute(self, job: Job, args: tuple[Any, ...], kwargs: dict[str, Any],
                on_progress: Callable[[Progress], None] | None = None) -> None:
        """Run ``job`` in an application context of its own; the session is removed afterwards."""
        run_id = kwargs.pop(RUN_KEY, None)
        with self.app.app_context():
            try:
                if run_id is None:
                    job.function(*args, **kwargs)
                    commit()
                else:
                    self._tracked(job, run_id, args, kwargs, on_progress)
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    def _tracked(self, job: Job, run_id: int, args: tuple[Any, ...], kwargs: dict[str, Any],
                 on_progress: Callable[[Progress], None] | None) -> None:
        run = db.session.get(JobRun, run_id)
        if run is None or run.state != "queued":
            log.warning("Run %s of job %s is %s; not run again.", run_id, job.name,
                        run.state if run else "gone")
            return
        run.state, run.started_at = "running", utcnow()
        user_id = run.user_id
        tracker = _Tracker(run_id, self, Progress(run.done, run.total, run.message, run.domain,
                                                  dict(run.params or {})), on_progress)
        db.session.commit()
        self.publish(run_id, tracker.state)
        token = _current.set(tracker)
        failure: tuple[str, dict[str, Any], str | None] | None = None
        try:
            with acting_as(user_id):
                job.function(*args, **kwargs)
                commit()
        except JobFailed as refused:
            db.session.rollback()
            failure = (refused.message, refused.params, None)
        except Exception as error:  # noqa: BLE001 - recorded on the run, logged with its traceback
            db.session.rollback()
            log.exception("Job %s (run %s) failed.", job.name, run_id)
            failure = (N_("The job stopped because of an error; an administrator can see it on this page."),
                       {}, f"{type(error).__name__}: {error}"[:2000])
        except BaseException:  # the worker is stopping
            db.session.rollback()
            self._finish(run_id, tracker.state, (N_("The job was interrupted; start it again."), {}, None))
            raise
        finally:
            _current.reset(token)
        self._finish(run_id, tracker.state, failure)

    def _finish(self, run_id: int, state: Progress,
                failure: tuple[str, dict[str, Any], str | None] | None) -> None:
        run = db.session.get(JobRun, run_id)
        run.done, run.total, run.finished_at = state.done, state.total, utcnow()
        if failure is None:
            run.state = "done"
            run.message, run.domain, run.params = state.message, state.domain, state.params
        else:
            message, params, error = failure
            run.state, run.error = "failed", error
            run.message, run.domain, run.params = str(message), getattr(message, "domain", CORE), params
        db.session.commit()
        try:
            self.huey.delete(_key(run_id))
        except Exception:  # noqa: BLE001 - a stale snapshot is ignored once the run has ended
            log.warning("Could not remove the progress of run %s from the queue.", run_id)

    def publish(self, run_id: int, state: Progress) -> None:
        try:
            self.huey.put(_key(run_id), asdict(state))
        except Exception:  # noqa: BLE001 - progress is a courtesy; the job goes on
            log.warning("Could not publish the progress of run %s.", run_id, exc_info=True)

    def snapshot(self, run_id: int) -> Progress | None:
        try:
            data = self.huey.get(_key(run_id), peek=True)
        except Exception:  # noqa: BLE001 - the page then shows what the row knows
            log.warning("Could not read the progress of run %s.", run_id, exc_info=True)
            return None
        return Progress(**data) if data else None


def _key(run_id: int) -> str:
    return f"guanxi.run.{run_id}"


def init_jobs(app: Flask) -> None:
    """Collect every ``register_jobs`` answer; a badly named or shaped job stops the start."""
    definitions: dict[str, Job] = {}
    owners: dict[str, str] = {}
    answers = answers_by_plugin("register_jobs", app=app)
    for owner in ["core"] + [info.name for info in app.extensions["guanxi"].enabled]:  # load order
        who = "Core" if owner == "core" else f"Plugin {owner!r}"
        for item in answers.get(owner) or []:
            if not isinstance(item, Job):
                raise PluginError(f"{who} returned {item!r} from register_jobs, not a core.contract.Job.")
            if not owned_by(owner, item.name):
                raise PluginError(f"{who} registers job {item.name!r}: a job's name starts with its plugin's "
                                  f"name, like '{owner}.<name>' (lower-case letters, digits and _).")
            if not callable(item.function):
                raise PluginError(f"{who} registers job {item.name!r} without a function to run.")
            if item.schedule is not None and not callable(item.schedule):
                raise PluginError(f"{who} registers job {item.name!r} with a schedule that is not a "
                                  f"crontab(...).")
            if item.name in definitions:
                raise PluginError(f"{who} registers job {item.name!r} twice.")
            definitions[item.name], owners[item.name] = item, owner
    app.extensions[EXTENSION] = Jobs(app, definitions, owners)


def jobs() -> Jobs:
    return current_app.extensions[EXTENSION]


def enqueue(name: str, *args: Any, **kwargs: Any) -> None:
    """Queue job ``name`` for the worker with picklable arguments (ids, paths, plain data).

    Commit first what the job reads: it runs in another process with a session of its own.
    """
    jobs().task(name)(*args, **kwargs)


def _new_run(name: str, user: Any, link: str | None, total: int | None) -> JobRun:
    jobs().definition(name)
    run = JobRun(name=name, user_id=getattr(user, "id", user), link=link, total=total, state="queued",
                 done=0, domain=CORE, params={})
    db.session.add(run)
    commit()
    return run


def start_job(name: str, *args: Any, user: Any = None, link: str | None = None,
              total: int | None = None, **kwargs: Any) -> JobRun:
    """Queue job ``name`` as a tracked run started by ``user`` and return its ``JobRun`` (its page:
    ``url_for("jobs.detail", run_id=run.id)``). Commits the current transaction first.

    ``link`` is where the page points once the run is done; inside the job, ``progress`` reports
    how far it got and ``JobFailed`` ends it with a message.
    """
    run = _new_run(name, user, link, total)
    try:
        jobs().task(name)(*args, **kwargs, **{RUN_KEY: run.id})
    except Exception:  # the queue cannot be reached: the run must not wait for ever
        run.state, run.finished_at = "failed", utcnow()
        run.message, run.error = N_("The job could not be queued; try again later."), "queue unreachable"
        commit()
        raise
    db.session.expire(run)  # with JOBS_IMMEDIATE it has run already, in a session of its own
    return run


def run_job(name: str, *args: Any, user: Any = None, link: str | None = None, total: int | None = None,
            on_progress: Callable[[Progress], None] | None = None, **kwargs: Any) -> JobRun:
    """Run job ``name`` as a tracked run in this process (a command's foreground) and return the
    finished ``JobRun``; ``on_progress(Progress)`` hears every ``progress`` call (a progress bar)."""
    run = _new_run(name, user, link, total)
    current = jobs()
    contextvars.Context().run(current.execute, current.definition(name), args, {**kwargs, RUN_KEY: run.id},
                              on_progress)
    db.session.expire(run)
    return run


def progress(done: int | None = None, total: int | None = None, message: str | None = None,
             **params: Any) -> None:
    """Report how far the current tracked run got: ``done`` of ``total`` items, and a message id
    (core's ``N_``, a plugin domain's ``mark``) with its ``params``, e.g. the phase or the outcome.

    Cheap enough to call per item: it is published at most every quarter second. Outside a tracked
    run (an untracked job, a test calling the function directly) it does nothing.
    """
    tracker = _current.get()
    if tracker is None:
        return
    state = tracker.state
    urgent = False
    if total is not None and total != state.total:
        state.total, urgent = total, True
    if message is not None:
        state.message, state.domain, state.params = str(message), getattr(message, "domain", CORE), params
        urgent = True
    if done is not None:
        state.done = done
        urgent = urgent or done == state.total
    if tracker.on_progress:
        tracker.on_progress(state)
    now = time.monotonic()
    if urgent or now - tracker.published >= PUBLISH_EVERY:
        tracker.jobs.publish(tracker.run_id, state)
        tracker.published = now


def run_worker(workers: int = 2, periodic: bool = True) -> None:
    """Run the queue's consumer in this process: ``workers`` threads, and the scheduler of periodic
    jobs unless ``periodic`` is False. SIGINT stops it after the running jobs; SIGTERM at once."""
    current = jobs()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    consumer = current.huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread")
    scheduled = sorted(name for name, job in current.definitions.items() if job.schedule is not None)
    log.info("Worker started: %d thread(s), queue %r in %s; periodic jobs: %s.", workers, current.queue_name,
             current.backend, ", ".join(scheduled) if periodic and scheduled else "none")
    consumer.run()


def progress_of(run: JobRun) -> Progress:
    """What to show of ``run``: the live counts while it runs, else what its row recorded."""
    live = jobs().snapshot(run.id) if run.state == "running" else None
    return live or Progress(run.done or 0, run.total, run.message, run.domain or CORE, dict(run.params or {}))


def visible_run(user: Any, run_id: int) -> JobRun | None:
    """The run if ``user`` started it or may see every run (``admin.jobs``), else None."""
    run = db.session.get(JobRun, run_id)
    if run is None or not (run.user_id == user.id or user.can("admin.jobs")):
        return None
    return run


def recent_runs(user: Any, limit: int = 50) -> Iterator[JobRun]:
    """The latest runs ``user`` may see: their own, or every run with ``admin.jobs``."""
    stmt = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if not user.can("admin.jobs"):
        stmt = stmt.where(JobRun.user_id == user.id)
    return iter(db.session.scalars(stmt).unique().all())
