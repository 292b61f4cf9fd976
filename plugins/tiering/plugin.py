"""Customer tiering: plugin metadata and hook implementations."""
from __future__ import annotations

from core.api import EVERYONE, MenuItem, Panel, Permission, Plugin, hookimpl
from plugins.tiering.i18n import _l

MANAGERS = ("cm_manager", "general_manager")


def sales_source_elsewhere(app) -> bool:
    """Whether an enabled order-taking plugin answers the sales metrics (then imports stay unused)."""
    return any(info.name == "logistics" for info in app.extensions["guanxi"].enabled)


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
        return [
            Permission("tiering.view", _l("View customer grades"), EVERYONE),
            Permission("tiering.recompute", _l("Recompute customer grades"), MANAGERS),
            Permission("tiering.override", _l("Override a customer's grade"), MANAGERS),
            Permission("tiering.import", _l("Import monthly sales"), ("specialist", "cm_manager")),
            Permission("tiering.key_accounts", _l("Write key-account plans and evaluations"),
                       ("rep", "regional_manager", "specialist", "cm_manager")),
            Permission("tiering.compliance", _l("See contact-plan compliance"),
                       ("regional_manager", "specialist", "cm_manager", "general_manager")),
        ]

    @hookimpl
    def register_settings(self, app):
        from plugins.tiering.settings import declared_settings

        return declared_settings()

    @hookimpl
    def register_jobs(self, app):
        from core.api import Job, crontab
        from plugins.tiering.jobs import call_plan, nightly, recompute_job
        from plugins.tiering.key_accounts import ask_for_evaluations

        return [Job("tiering.nightly", nightly, schedule=crontab(minute="30", hour="1"),
                    title=_l("Nightly grade recompute")),
                Job("tiering.call_plan", call_plan, schedule=crontab(minute="5"), title=_l("Planned calls")),
                Job("tiering.key_evaluations", ask_for_evaluations,
                    schedule=crontab(minute="0", hour="8", day="1", month="1,4,7,10"),
                    title=_l("Quarterly key-customer evaluations")),
                Job("tiering.recompute", recompute_job, title=_l("Grade recompute"))]

    @hookimpl
    def register_approval_chains(self, app):
        from plugins.tiering.key_accounts import chain

        return [chain()]

    @hookimpl
    def register_commands(self, app):
        from plugins.tiering.cli import tiering_group

        return [tiering_group]

    @hookimpl
    def register_metrics(self, app):
        if sales_source_elsewhere(app):
            return []
        from plugins.tiering.sales import METRICS

        return list(METRICS)

    @hookimpl
    def customer_metrics(self, app, customer_ids, period, series):
        if sales_source_elsewhere(app):
            return {}
        from plugins.tiering.sales import customer_metrics

        return customer_metrics(customer_ids, period, series)

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Customer tiering"), "tiering.index", order=40, permission="tiering.view")]

    @hookimpl
    def customer_panels(self, app, customer, user):
        if not user.can("tiering.view"):
            return []
        from plugins.tiering.panel import panel_html

        return [Panel(_l("Grade"), panel_html(customer, user), order=5)]

    @hookimpl
    def customer_size_class(self, app):
        from plugins.tiering.queries import size_class_expression

        return size_class_expression()

    @hookimpl
    def customer_list_filters(self, app, user):
        if not user.can("tiering.view"):
            return []
        from plugins.tiering.queries import list_filters

        return list_filters()

    @hookimpl
    def customer_list_columns(self, app, user):
        if not user.can("tiering.view"):
            return []
        from plugins.tiering.queries import list_columns

        return list_columns()

    @hookimpl(trylast=True)
    def load_demo_data(self, app, session, rng):
        """After the other plugins' demo: grades need their orders."""
        from plugins.tiering.demo import load_demo

        load_demo(session, rng, with_sales=not sales_source_elsewhere(app))

    @hookimpl
    def customer_tags(self, app, customer_ids):
        from plugins.tiering.queries import tags

        return tags(customer_ids)
