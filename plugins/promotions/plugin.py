"""Promotions: plugin metadata and hook implementations."""
from __future__ import annotations

from decimal import Decimal

from core.api import MenuItem, Metric, Panel, Permission, Plugin, Setting, Widget, hookimpl
from plugins.promotions.i18n import _l

APPLICANTS = ("rep", "regional_manager", "specialist", "cm_manager")
READERS = APPLICANTS + ("sales_manager", "marketing_manager", "general_manager", "coordinator", "admin")
DEPARTMENT = ("specialist", "cm_manager")
METRICS = (Metric("promotion_spend_cents", "cents", _l("Promotion spend"),
                  _l("Spend logged in the period on the promotions a customer is a target of, shared "
                     "equally among each promotion's targets.")),)


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
        return [
            Permission("promotions.view", _l("View promotions"), READERS),
            Permission("promotions.apply", _l("Apply for promotions"), APPLICANTS),
            Permission("promotions.execute", _l("Log the execution of promotions"), APPLICANTS),
            Permission("promotions.file", _l("File approved promotions"), DEPARTMENT),
            Permission("promotions.evaluate", _l("Evaluate promotions"), DEPARTMENT),
            Permission("promotions.materials", _l("Keep and issue promotional materials"), DEPARTMENT),
        ]

    @hookimpl
    def register_settings(self, app):
        return [
            Setting("promotions.marketing_above", "decimal", Decimal("2000"),
                    _l("Budget needing the marketing manager (yuan)"),
                    _l("Applications with a budget above this go on to the marketing manager; up to it the "
                       "customer-management department manager's approval is final."),
                    minimum=Decimal(0), maximum=Decimal(100_000_000)),
            Setting("promotions.general_above", "decimal", Decimal("10000"),
                    _l("Budget needing the general manager (yuan)"),
                    _l("Applications with a budget above this go on to the general manager; up to it the "
                       "marketing manager's approval is final."),
                    minimum=Decimal(0), maximum=Decimal(100_000_000)),
            Setting("promotions.photo_max_kb", "int", 5120, _l("Largest execution photo (KB)"),
                    _l("Photos of the execution log larger than this are refused."), minimum=50, maximum=20_480),
        ]

    @hookimpl
    def register_approval_chains(self, app):
        from plugins.promotions.chains import plan_chain, promotion_chain

        return [promotion_chain(), plan_chain()]

    @hookimpl
    def register_reviewer_resolvers(self, app):
        from plugins.promotions.chains import RESOLVERS

        return RESOLVERS

    @hookimpl
    def register_documents(self, app):
        from plugins.promotions.documents import documents

        return documents()

    @hookimpl
    def register_metrics(self, app):
        return list(METRICS)

    @hookimpl
    def customer_metrics(self, app, customer_ids, period, series):
        from plugins.promotions.reports import spend_per_customer

        return spend_per_customer(customer_ids, period, series)

    @hookimpl
    def customer_panels(self, app, customer, user):
        if not user.can("promotions.view"):
            return []
        from plugins.promotions.reports import customer_panel

        return [Panel(_l("Promotions"), customer_panel(customer, user), order=40)]

    @hookimpl
    def dashboard_widgets(self, app, user):
        if not user.can("promotions.view"):
            return []
        from plugins.promotions.reports import widget

        return [Widget(_l("Promotions"), widget(user), order=45)]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Promotions"), "promotions.index", order=60, permission="promotions.view")]

    @hookimpl(trylast=True)  # after logistics: the evaluated demo promotion reads its shipments
    def load_demo_data(self, app, session, rng):
        from plugins.promotions.demo import load_demo

        load_demo(session, rng)
