"""Core's commands under ``guanxi``: database, demo data, plugins, users, customers.

Registered through ``register_commands`` like a plugin's; ``core.cli`` is the entry point.
"""
from __future__ import annotations

import random

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
def customers_import(path: str, username: str, dry_run: bool) -> None:
    """Import customers from an .xlsx or .csv file made from the template."""
    from pathlib import Path

    from core.audit import acting_as, record_event
    from core.registry import transfer

    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    table = transfer.read_table(Path(path))
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


@customers.command("flag-overdue")
def customers_flag_overdue() -> None:
    """Notify regional managers of archives unverified for over a month (run daily)."""
    from core.db import db as database
    from core.registry.services import flag_overdue_verifications

    count = flag_overdue_verifications()
    database.session.commit()
    click.echo(f"{count} overdue archive(s) flagged.")


CORE_COMMANDS = [db, demo, plugins_command, users, customers]
