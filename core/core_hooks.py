"""Core's own features, registered through the same hooks a plugin uses."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l

from core.auth.roles import DEPARTMENT_ROLES, EVERYONE
from core.contract import Document, MenuItem, Permission, Setting
from core.hookspecs import hookimpl


@hookimpl
def register_blueprints(app):
    from core.admin import (
        org,  # noqa: F401  (its routes are on the admin blueprint)
        settings,  # noqa: F401  (its routes are on the admin blueprint)
    )
    from core.admin.views import bp as admin_bp
    from core.auth.views import bp as auth_bp
    from core.main_views import bp as main_bp
    from core.registry.routes import bp as customers_bp
    from core.work_views import bp as work_bp

    return [auth_bp, main_bp, admin_bp, customers_bp, work_bp]


@hookimpl
def register_permissions(app):
    return [
        Permission("customers.view", _l("View customer archives"), EVERYONE),
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
    ]


@hookimpl
def menu_items(app, user):
    return [
        MenuItem(_l("Dashboard"), "main.dashboard", order=0),
        MenuItem(_l("Customers"), "customers.index", order=10, permission="customers.view"),
        MenuItem(_l("Phone log"), "customers.contact_log", order=12, permission="customers.view"),
        MenuItem(_l("Users"), "admin.users", order=900, permission="admin.users", group="admin"),
        MenuItem(_l("Roles"), "admin.roles", order=910, permission="admin.roles", group="admin"),
        MenuItem(_l("Organisation"), "admin.org", order=915, permission="admin.org", group="admin"),
        MenuItem(_l("Plugins"), "admin.plugins", order=920, permission="admin.plugins", group="admin"),
        MenuItem(_l("Settings"), "admin.settings", order=930, permission="admin.settings", group="admin"),
    ]


@hookimpl
def register_commands(app):
    from core.commands import CORE_COMMANDS

    return CORE_COMMANDS


@hookimpl
def register_documents(app):
    from core.registry.views import load_customer_card

    return [Document("customer_card", _l("Archive card"), "customers/card_pdf.html",
                     "customers.print", load_customer_card)]


@hookimpl
def dashboard_widgets(app, user):
    from core.registry.widgets import awaiting_my_action, important_dates
    from core.work_views import my_work_widget

    return my_work_widget(user) + awaiting_my_action(user) + important_dates(user)


@hookimpl
def customer_panels(app, customer, user):
    from core.work_views import open_tasks_panel

    return open_tasks_panel(customer, user)


@hookimpl(tryfirst=True)
def load_demo_data(app, session, rng):
    from core.demo import load_core_demo

    load_core_demo(session, rng)
