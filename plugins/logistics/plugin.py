"""Orders and shipping: plugin metadata and hook implementations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core import Plugin, hookimpl
from core.auth.roles import EVERYONE
from core.contract import MenuItem, Permission

OFFICE = ("coordinator", "specialist", "cm_manager")


class LogisticsPlugin(Plugin):
    title = _l("Orders and shipping")
    description = _l("Phone orders through weighbridge passes to the gate pass, with printed forms.")

    @hookimpl
    def register_blueprints(self, app):
        from plugins.logistics.views import bp

        return [bp]

    @hookimpl
    def register_permissions(self, app):
        return [
            Permission("logistics.view", _l("View orders and shipping"), EVERYONE),
            Permission("logistics.order", _l("Record and change phone orders"), OFFICE + ("rep",)),
            Permission("logistics.schedule", _l("Schedule production"), ("coordinator",)),
            Permission("logistics.payment", _l("Confirm payments received"), ("coordinator", "cm_manager")),
            Permission("logistics.credit", _l("Release orders on credit"),
                       ("cm_manager", "sales_manager", "general_manager")),
            Permission("logistics.warehouse", _l("Confirm products and loading"), ("warehouse_keeper",)),
            Permission("logistics.invoice", _l("Record invoices"), ("coordinator",)),
            Permission("logistics.weigh", _l("Take weighbridge passes"), ("weigher",)),
            Permission("logistics.override", _l("Override weighbridge warnings with a reason"),
                       ("cm_manager", "coordinator")),
            Permission("logistics.gate_pass", _l("Issue gate passes"), ("coordinator", "weigher")),
            Permission("logistics.gate", _l("Let trucks out at the gate"), ("weigher", "warehouse_keeper")),
            Permission("logistics.void", _l("Void and reissue tickets"), ("cm_manager", "coordinator")),
            Permission("logistics.cancel", _l("Cancel orders"), ("coordinator", "cm_manager")),
            Permission("logistics.master", _l("Manage products and vehicles"), ("coordinator", "specialist")),
        ]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Orders and shipping"), "logistics.index", order=20, permission="logistics.view")]
