"""Complaints: plugin metadata and hook implementations."""
from __future__ import annotations

from core.api import EVERYONE, MenuItem, Permission, Plugin, hookimpl
from plugins.complaints.i18n import _l


class ComplaintsPlugin(Plugin):
    title = _l("Complaints")
    description = _l("Complaint intake, escalation, department sign-offs and approvals.")
    hookspecs = "plugins.complaints.hookspecs"

    @hookimpl
    def register_blueprints(self, app):
        from plugins.complaints.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self, app):
        return [Permission("complaints.view", _l("View complaints"), EVERYONE)]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Complaints"), "complaints.index", order=50, permission="complaints.view")]
