"""Core's own features, registered through the same hooks a plugin uses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.auth.roles import ARCHIVE_ROLES, DEPARTMENT_ROLES, EVERYONE
from core.contract import Document, MenuItem, Permission
from core.hookspecs import hookimpl


@hookimpl
def register_blueprints(app):
    from core.admin.views import bp as admin_bp
    from core.auth.views import bp as auth_bp
    from core.main_views import bp as main_bp
    from core.registry.routes import bp as customers_bp

    return [auth_bp, main_bp, admin_bp, customers_bp]


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
    ]


@hookimpl
def menu_items(app, user):
    return [
        MenuItem(_l("Dashboard"), "main.dashboard", order=0),
        MenuItem(_l("Customers"), "customers.index", order=10, permission="customers.view_archive"),
        MenuItem(_l("Phone log"), "customers.contact_log", order=12, permission="customers.view_archive"),
        MenuItem(_l("Users"), "admin.users", order=900, permission="admin.users", group="admin"),
        MenuItem(_l("Roles"), "admin.roles", order=910, permission="admin.roles", group="admin"),
        MenuItem(_l("Plugins"), "admin.plugins", order=920, permission="admin.plugins", group="admin"),
    ]


@hookimpl
def register_commands(app):
    from core.cli import CORE_COMMANDS

    return CORE_COMMANDS


@hookimpl
def register_documents(app):
    from core.registry.views import load_customer_card

    return [Document("customer_card", _l("Archive card"), "customers/card_pdf.html",
                     "customers.print", load_customer_card, confidential=True)]


@hookimpl
def dashboard_widgets(app, user):
    from core.registry.widgets import awaiting_my_action, important_dates

    return awaiting_my_action(user) + important_dates(user)


@hookimpl(tryfirst=True)
def load_demo_data(app, session, rng):
    from core.demo import load_core_demo

    load_core_demo(session, rng)
