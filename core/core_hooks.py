"""Core's own features, registered through the same hooks a plugin uses."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l

from core.auth.roles import ARCHIVE_ROLES, DEPARTMENT_ROLES, EVERYONE
from core.calendar import WALL, WORKING, hours_text, weekdays_text
from core.contract import Document, MenuItem, Permission, Setting
from core.hookspecs import hookimpl


@hookimpl
def register_blueprints(app):
    from core.admin import (  # noqa: F401  (their routes are on the admin blueprint)
        calendar,
        org,
        settings,
    )
    from core.admin.views import bp as admin_bp
    from core.auth.views import bp as auth_bp
    from core.jobs_views import bp as jobs_bp
    from core.main_views import bp as main_bp
    from core.registry.routes import bp as customers_bp
    from core.work_views import bp as work_bp

    return [auth_bp, main_bp, admin_bp, customers_bp, jobs_bp, work_bp]


@hookimpl
def register_permissions(app):
    return [
        Permission("customers.view", _l("See customers' delivery cards (name, address, phone)"), EVERYONE),
        Permission("customers.view_archive", _l("Open the confidential customer archives"), ARCHIVE_ROLES),
        Permission("customers.view_region", _l("See every customer of one's region"), ("regional_manager",)),
        Permission("customers.view_all", _l("See every customer"), DEPARTMENT_ROLES),
        Permission("customers.create", _l("Create customers and prospects"),
                   ("rep", "regional_manager", "specialist", "cm_manager")),
        Permission("customers.edit", _l("Edit customer archives"),
                   ("rep", "regional_manager", "specialist", "cm_manager")),
        Permission("customers.submit", _l("Submit archives for verification"), ("rep", "regional_manager")),
        Permission("customers.verify", _l("Verify archives (regional manager)"), ("regional_manager",)),
        Permission("customers.file", _l("File verified archives"), ("specialist", "cm_manager")),
        Permission("customers.export", _l("Export customer lists"), ("cm_manager",)),
        Permission("customers.import", _l("Import customer lists"), ("specialist", "cm_manager")),
        Permission("customers.assign", _l("Assign archives to representatives"),
                   ("regional_manager", "specialist", "cm_manager")),
        Permission("customers.print", _l("Print archive cards"),
                   ("specialist", "cm_manager", "regional_manager", "general_manager")),
        Permission("admin.users", _l("Manage users"), ()),
        Permission("admin.roles", _l("Grant permissions to roles"), ()),
        Permission("admin.plugins", _l("See installed plugins"), ()),
        Permission("admin.settings", _l("Change company settings"), ()),
        Permission("admin.calendar", _l("Keep the working calendar (public holidays, make-up working days)"), ()),
        Permission("admin.jobs", _l("See every background job"), ()),
        Permission("admin.org", _l("Manage departments, managers and regional managers"), ()),
        Permission("tasks.manage", _l("Cancel anyone's tasks and withdraw anyone's applications"),
                   ("cm_manager", "general_manager")),
    ]


def _time_zone(name: str) -> str:
    """An IANA zone name such as Asia/Shanghai, refused at start when the system does not know it."""
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError, OSError):
        raise ValueError(_l("Unknown time zone %(name)s.", name=name)) from None
    return name


def _redis_url(url: str) -> str:
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(_l("A Redis URL starts with redis://, rediss:// or unix://."))
    return url


def _queue_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ValueError(_l("Use letters, digits, '.', '_' and '-'."))
    return name


@hookimpl
def register_settings(app):
    return [
        Setting("core.company_name", "str", "", _l("Company name"),
                _l("Shown in the header, page titles and printed documents; empty: the theme's name."),
                max_length=100),
        Setting("core.login_max_failures", "int", 5, _l("Failed logins before a lock"),
                _l("After this many wrong passwords in a row the account is locked."), minimum=1, maximum=100),
        Setting("core.login_lock_minutes", "int", 15, _l("Lock duration (minutes)"),
                _l("How long a locked account waits before it may try again."), minimum=1, maximum=1440),
        Setting("core.login_max_failures_per_address", "int", 30, _l("Failed logins per address"),
                _l("Wrong passwords from one network address, for any account, before that address "
                   "must wait; browsers that logged in before are counted on their own."),
                minimum=5, maximum=1000),
        Setting("core.password_min_length", "int", 10, _l("Shortest password"),
                _l("New passwords need at least this many characters (and may not be common ones)."),
                minimum=8, maximum=64),
        Setting("core.trusted_proxies", "int", 0, _l("Proxies in front"),
                _l("How many proxies in front of the server set X-Forwarded-For; 0: the peer address "
                   "is the client's. Wrong here, every client shares one address for login limits."),
                scope="deployment", minimum=0, maximum=5),
        Setting("core.four_eyes", "bool", True, _l("Four eyes on approvals"),
                _l("Nobody approves a step of their own application; a reviewer who would be the "
                   "applicant is replaced by the next level up.")),
        Setting("core.task_warn_percent", "int", 80, _l("Warn at this share of a task's time (%)"),
                _l("The deadline sweep warns whoever must act when this much of the time allowed has "
                   "passed; at 100 % it tells the next level up, at 200 % the general manager."),
                minimum=1, maximum=99),
        Setting("core.timezone", "str", "Asia/Shanghai", _l("Time zone"),
                _l("Times are stored in UTC and shown in this zone, e.g. Asia/Shanghai."),
                scope="deployment", max_length=64, validate=_time_zone),
        Setting("core.deadline_clock", "choice", WALL, _l("Clock of sign-off deadlines"),
                _l("What “one day” of a department's sign-off means: 24 hours, or one working day of the "
                   "working calendar (working hours, weekdays, public holidays and make-up days)."),
                choices=((WALL, _l("Wall clock: one day is 24 hours")),
                         (WORKING, _l("Working calendar: one day is the working hours of a day")))),
        Setting("core.working_hours", "str", "08:00-12:00, 13:00-17:00", _l("Working hours"),
                _l("The working intervals of a day in company time, in order and without overlaps, "
                   "such as 08:00-12:00, 13:00-17:00 (8 hours: one working day)."),
                max_length=200, validate=hours_text),
        Setting("core.working_weekdays", "str", "1-5", _l("Working weekdays"),
                _l("Numbers 1 (Monday) to 7 (Sunday): 1-5 is Monday to Friday, 1-6 adds Saturday. "
                   "Public holidays and make-up working days are kept on the working calendar page."),
                max_length=40, validate=weekdays_text),
        Setting("core.redis_url", "str", "", _l("Redis URL"),
                _l("Background jobs queue in Redis at this URL, e.g. redis://127.0.0.1:6379/0; empty: "
                   "in jobs.db in the instance folder."),
                scope="deployment", max_length=300, secret=True, validate=_redis_url),
        Setting("core.jobs_queue", "str", "guanxi", _l("Job queue name"),
                _l("Installations that share one Redis database need different names."),
                scope="deployment", max_length=64, validate=_queue_name),
        Setting("core.import_background_rows", "int", 500, _l("Import in the background above (rows)"),
                _l("A customer import of more rows runs as a background job with a progress page."),
                minimum=1, maximum=1000000),
    ]


@hookimpl
def menu_items(app, user):
    return [
        MenuItem(_l("Dashboard"), "main.dashboard", order=0),
        MenuItem(_l("Customers"), "customers.index", order=10, permission="customers.view_archive"),
        MenuItem(_l("Phone log"), "customers.contact_log", order=12, permission="customers.view_archive"),
        MenuItem(_l("Users"), "admin.users", order=900, permission="admin.users", group="admin"),
        MenuItem(_l("Roles"), "admin.roles", order=910, permission="admin.roles", group="admin"),
        MenuItem(_l("Organisation"), "admin.org", order=915, permission="admin.org", group="admin"),
        MenuItem(_l("Plugins"), "admin.plugins", order=920, permission="admin.plugins", group="admin"),
        MenuItem(_l("Settings"), "admin.settings", order=930, permission="admin.settings", group="admin"),
        MenuItem(_l("Working calendar"), "admin.calendar", order=935, permission="admin.calendar", group="admin"),
        MenuItem(_l("Background jobs"), "jobs.index", order=940, permission="admin.jobs", group="admin"),
    ]


@hookimpl
def register_commands(app):
    from core.commands import CORE_COMMANDS

    return CORE_COMMANDS


@hookimpl
def register_documents(app):
    from core.registry.views import load_customer_card

    return [Document("customer_card", _l("Archive card"), "customers/card_pdf.html",
                     "customers.print", load_customer_card, confidential=True)]


@hookimpl
def dashboard_widgets(app, user):
    from core.registry.widgets import archive_overview, important_dates
    from core.work_views import my_work_widget

    return my_work_widget(user) + archive_overview(user) + important_dates(user)


@hookimpl
def customer_panels(app, customer, user):
    from core.work_views import open_tasks_panel

    return open_tasks_panel(customer, user)


@hookimpl
def register_approval_chains(app):
    from core.registry.archive import archive_chain

    return [archive_chain()]


@hookimpl
def register_reviewer_resolvers(app):
    from core.registry.archive import RESOLVERS

    return RESOLVERS


@hookimpl
def register_jobs(app):
    from core.core_jobs import core_jobs

    return core_jobs()


@hookimpl(tryfirst=True)
def load_demo_data(app, session, rng):
    from core.demo import load_core_demo

    load_core_demo(session, rng)
