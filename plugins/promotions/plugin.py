"""Promotions: plugin metadata and hook implementations."""
from __future__ import annotations

from core.api import EVERYONE, MenuItem, Permission, Plugin, hookimpl
from plugins.promotions.i18n import _l


class PromotionsPlugin(Plugin):
    title = _l("Promotions")
    description = _l("Promotion applications, approval chain, tracking, evaluation and materials.")
    hookspecs = "plugins.promotions.hookspecs"

    @hookimpl
    def register_blueprints(self, app):
        from plugins.promotions.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self, app):
        return [Permission("promotions.view", _l("View promotions"), EVERYONE)]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Promotions"), "promotions.index", order=60, permission="promotions.view")]
