"""Core's commands under ``guanxi``: database, demo data, plugins, users, customers.

Registered through ``register_commands`` like a plugin's; ``core.cli`` is the entry point.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core.auth.service import PasswordRefused, canonical_username, find_user, set_password
from core.events import commit


@click.group(cls=AppGroup)
def db() -> None:
    """Database migrations (core first, then enabled plugins in dependency order)."""


@db.command("upgrade")
@click.option("--plugin", "only", help="Migrate only this component (core or a plugin name).")
def db_upgrade(only: str | None) -> None:
    from core import migrate
    from core.auth.permissions import sync_roles_and_permissions

    done = migrate.upgrade(current_app, only)
    sync_roles_and_permissions()
    if "core" in done:
        from core.registry.archive import adopt_archives

        adopted = adopt_archives()
        commit()
        if adopted:
            click.echo(f"{adopted} archive(s) in the archive flow given their verification round and tasks.")
    migrate.analyze()
    click.echo(f"Database is up to date: {', '.join(done)}.")


@db.command("revision")
@click.option("--component", default="core", show_default=True, help="core or a plugin name")
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Do not compare the models with the database.")
def db_revision(component: str, message: str, empty: bool) -> None:
    from core import migrate

    migrate.revision(current_app, component, message, autogenerate=not empty)


@db.command("check")
def db_check() -> None:
    """Fail when the database schema differs from the models."""
    from core import migrate

    diffs = migrate.schema_differences(current_app)
    for diff in diffs:
        click.echo(repr(diff))
    if diffs:
        raise click.ClickException(f"{len(diffs)} difference(s) between models and database.")
    click.echo("Schema matches the models.")


@click.command()
@with_appcontext
@click.option("--quiet-if-loaded", is_flag=True, help="Succeed silently when demo data exists.")
@click.option("--seed", default=2026, show_default=True)
def demo(quiet_if_loaded: bool, seed: int) -> None:
    """Load the demo data set (users share the password demo1234)."""
    from core.auth.permissions import sync_roles_and_permissions
    from core.db import db as database
    from core.demo import already_loaded
    from core.plugins import host

    sync_roles_and_permissions()
    if already_loaded(database.session):
        if not quiet_if_loaded:
            click.echo("Demo data is already loaded.")
        return
    host().hook.load_demo_data(app=current_app._get_current_object(), session=database.session,
                               rng=random.Random(seed))
    commit()
    click.echo("Demo data loaded.")


@click.command("plugins")
@with_appcontext
def plugins_command() -> None:
    """List installed plugins, enabled or not, with versions."""
    from core.admin.views import plugin_rows

    for row in plugin_rows():
        state = "enabled " if row["enabled"] else "disabled"
        depends = f" (depends: {', '.join(row['depends'])})" if row["depends"] else ""
        click.echo(f"{row['name']:<14} {row['version']:<10} {state} {row['title']}{depends}")


@click.group(cls=AppGroup)
def users() -> None:
    """Create users and reset passwords."""


@users.command("create")
@click.argument("username")
@click.option("--name", "display_name", help="Display name (defaults to the user name).")
@click.option("--role", "roles", multiple=True, required=True, help="Role code; repeat for several.")
@click.option("--region", help="Region code.")
@click.password_option()
def users_create(username: str, display_name: str | None, roles: tuple[str, ...], region: str | None,
                 password: str) -> None:
    from core.auth.models import Region, Role, User
    from core.db import db as database

    if find_user(username):
        raise click.ClickException(f"User {username!r} exists already.")
    found = list(database.session.scalars(select(Role).where(Role.code.in_(roles))))
    unknown = set(roles) - {r.code for r in found}
    if unknown:
        raise click.ClickException(f"Unknown role(s): {', '.join(sorted(unknown))}. Run `guanxi db upgrade` first?")
    region_row = None
    if region:
        region_row = database.session.scalar(select(Region).where(Region.code == region))
        if region_row is None:
            raise click.ClickException(f"Unknown region {region!r}.")
    user = User(username=canonical_username(username), display_name=display_name or username, roles=found,
                region=region_row)
    try:
        set_password(user, password)
    except PasswordRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    database.session.add(user)
    database.session.commit()
    click.echo(f"User {username} created.")


@users.command("reset-password")
@click.argument("username")
@click.password_option()
def users_reset_password(username: str, password: str) -> None:
    from core.db import db as database

    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    try:
        set_password(user, password)
    except PasswordRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    database.session.commit()
    click.echo(f"Password of {username} reset; the account is unlocked.")


@click.group(cls=AppGroup)
def customers() -> None:
    """Customer registry: import, overdue verifications."""


@customers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True, help="Import as this user (owner of new archives).")
@click.option("--dry-run", is_flag=True, help="Check the file and report errors; write nothing.")
@click.option("--background", is_flag=True,
              help="A large file: hand it to the worker and return (follow it with `guanxi jobs watch`).")
def customers_import(path: str, username: str, dry_run: bool, background: bool) -> None:
    """Import customers from an .xlsx or .csv file made from the template.

    A file of more rows than the setting "Import in the background above" runs as a background
    job, here with a progress bar (or in the worker with --background); it is all or nothing.
    """
    from core.audit import acting_as, record_event
    from core.registry import transfer
    from core.registry.import_job import runs_in_background

    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    table = transfer.read_table(Path(path))
    if not dry_run and runs_in_background(transfer.data_rows(table)):
        _import_as_job(Path(path), user, background)
        return
    with click.progressbar(length=max(len(table) - 1, 0), label="Checking rows") as bar:
        report = transfer.validate(table, user, progress=lambda done: bar.update(done - bar.pos))
    for message in report.file_errors:
        click.echo(message, err=True)
    for row in report.error_rows:
        click.echo(f"line {row.line}: {'; '.join(row.errors)}", err=True)
    if not report.ok:
        raise click.ClickException("Nothing was imported: fix the rows above and try again.")
    if dry_run:
        click.echo(f"Dry run: {report.count('create')} new, {report.count('update')} updated; nothing written.")
        return
    with acting_as(user.id):
        created, updated = transfer.apply(report, user)
        record_event("customers", None, "import", {"created": created, "updated": updated,
                                                   "rows": len(report.rows), "file": Path(path).name})
        commit()
    click.echo(f"Imported: {created} new, {updated} updated.")


def _import_as_job(path: Path, user: Any, background: bool) -> None:
    from core.jobs import run_job, start_job
    from core.registry.import_job import JOB

    arguments = {"path": str(path.resolve()), "user_id": user.id, "file_name": path.name}
    if background:
        run = start_job(JOB, user=user, **arguments)
        click.echo(f"Import queued as job {run.id}: follow it with `guanxi jobs watch {run.id}` "
                   f"or on /jobs/{run.id}.")
        return
    with ProgressBar() as bar:
        run = run_job(JOB, user=user, on_progress=bar.show, **arguments)
    _report_run(run)


class ProgressBar:
    """A click progress bar fed by a job's ``progress`` reports; it restarts when the phase (the
    message) or the total changes."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.key: tuple[Any, ...] | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None

    def show(self, state: Any) -> None:
        from flask_babel import force_locale

        key = (state.message, state.total)
        if key != self.key:
            self.close()
            self.key = key
            if state.total and state.done >= state.total:
                return  # an outcome, not a phase: the command prints it at the end
            with force_locale("en"):
                label = state.text() if state.message else ""
            self.bar = click.progressbar(length=state.total or 0, label=label, show_pos=True)
            self.bar.render_progress()
        if state.total and self.bar is not None:
            self.bar.update(state.done - self.bar.pos)


def _report_run(run: Any) -> None:
    from flask_babel import force_locale

    from core.jobs import progress_of

    with force_locale("en"):
        text = progress_of(run).text()
    if run.state == "failed":
        raise click.ClickException(text or f"Job {run.id} failed.")
    click.echo(text or f"Job {run.id} is {run.state}.")


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at the same time (threads).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Run the periodic schedules; give --no-periodic to every worker but one.")
@with_appcontext
def worker(workers: int, periodic: bool) -> None:
    """Run background jobs and periodic schedules until stopped (Ctrl-C waits for running jobs)."""
    from core.jobs import jobs, run_worker

    if jobs().immediate:
        raise click.ClickException("JOBS_IMMEDIATE is set: jobs run where they are queued; no worker needed.")
    run_worker(workers=workers, periodic=periodic)


@click.group("jobs", cls=AppGroup)
def jobs_group() -> None:
    """Background jobs: recent runs, following one."""


@jobs_group.command("list")
@click.option("--limit", default=20, show_default=True)
def jobs_list(limit: int) -> None:
    """The latest tracked runs."""
    from sqlalchemy import select

    from core.db import db as database
    from core.jobs import JobRun

    for run in database.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(limit)).unique():
        who = run.user.username if run.user else "-"
        count = f"{run.done}/{run.total}" if run.total else ""
        click.echo(f"{run.id:>6}  {run.created_at:%Y-%m-%d %H:%M}  {run.state:<8} {count:>12}  {run.name}  {who}")


@jobs_group.command("watch")
@click.argument("run_id", type=int)
@click.option("--interval", default=0.5, show_default=True, help="Seconds between two looks.")
def jobs_watch(run_id: int, interval: float) -> None:
    """Show the progress of run RUN_ID until it ends; fails when the run failed."""
    import time

    from core.db import db as database
    from core.jobs import JobRun, progress_of

    run = database.session.get(JobRun, run_id)
    if run is None:
        raise click.ClickException(f"No job run {run_id}.")
    if run.state == "queued":
        click.echo("Waiting for a worker (`guanxi worker`)...")
    with ProgressBar() as bar:
        while True:
            database.session.expire_all()
            run = database.session.get(JobRun, run_id)
            if run.state == "running":
                bar.show(progress_of(run))
            if run.finished:
                break
            database.session.rollback()  # no transaction kept open between two looks
            time.sleep(interval)
    _report_run(run)


CORE_COMMANDS = [db, demo, plugins_command, users, customers, worker, jobs_group]
