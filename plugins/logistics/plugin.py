"""Orders and shipping: plugin metadata and hook implementations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core import Plugin, hookimpl
from core.auth.roles import EVERYONE
from core.contract import MenuItem, Permission


class LogisticsPlugin(Plugin):
    title = _l("Orders and shipping")
    description = _l("Phone orders through weighbridge passes to the gate pass, with printed forms.")

    @hookimpl
    def register_blueprints(self, app):
        from plugins.logistics.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self, app):
        return [Permission("logistics.view", _l("View orders and shipping"), EVERYONE)]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Orders and shipping"), "logistics.index", order=20, permission="logistics.view")]
