"""Customer tiering: plugin metadata and hook implementations."""
from __future__ import annotations

from core.api import MenuItem, Permission, Plugin, hookimpl
from plugins.tiering.i18n import _l


class TieringPlugin(Plugin):
    title = _l("Customer tiering")
    description = _l("Customer grading (ABC, key and focus customers) and value analysis.")
    hookspecs = "plugins.tiering.hookspecs"

    @hookimpl
    def register_blueprints(self, app):
        from plugins.tiering.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self, app):
        return [Permission("tiering.view", _l("View customer grades"), ("specialist", "cm_manager", "marketing_manager", "general_manager", "regional_manager"))]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Customer tiering"), "tiering.index", order=40, permission="tiering.view")]
