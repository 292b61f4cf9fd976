"""Orders and shipping: plugin metadata and hook implementations."""
from __future__ import annotations

from core.api import EVERYONE, MenuItem, Panel, Permission, Plugin, Widget, hookimpl
from plugins.logistics.complaint_links import ComplaintLinks
from plugins.logistics.i18n import _l

OFFICE = ("coordinator", "specialist", "cm_manager")
# who follows the money (货款跟踪): the office and management; regional managers see their region
FINANCE = OFFICE + ("sales_manager", "general_manager")


class LogisticsPlugin(ComplaintLinks, Plugin):
    title = _l("Orders and shipping")
    description = _l("Phone orders through weighbridge passes to the gate pass, with printed forms.")
    hookspecs = "plugins.logistics.hookspecs"

    @hookimpl
    def register_blueprints(self, app):
        from plugins.logistics import (  # noqa: F401  (their routes join bp)
            contract_views,
            ledger_views,
            order_views,
            override_views,
            return_views,
        )
        from plugins.logistics.views import bp, station_push

        app.extensions["csrf"].exempt(station_push)  # the agent authenticates with the station token
        return [bp]

    @hookimpl
    def register_commands(self, app):
        from plugins.logistics.cli import agent_command, simulator_command

        return [simulator_command, agent_command]

    @hookimpl
    def register_permissions(self, app):
        return [
            Permission("logistics.view", _l("View orders and shipping"), EVERYONE),
            Permission("logistics.order", _l("Record and change phone orders"), OFFICE + ("rep",)),
            Permission("logistics.review", _l("Review orders before they are confirmed"),
                       ("coordinator", "cm_manager")),
            Permission("logistics.rush", _l("Mark rush orders"),
                       ("coordinator", "cm_manager", "sales_manager", "general_manager")),
            Permission("logistics.produce", _l("Record the bags produced for orders"), ("production",)),
            Permission("logistics.schedule", _l("Schedule production"), ("coordinator",)),
            Permission("logistics.payment", _l("Confirm payments received"), ("coordinator", "cm_manager")),
            Permission("logistics.credit", _l("Release orders on credit"),
                       ("cm_manager", "sales_manager", "general_manager")),
            Permission("logistics.warehouse", _l("Confirm products and loading"), ("warehouse_keeper",)),
            Permission("logistics.invoice", _l("Record invoices"), ("coordinator",)),
            Permission("logistics.weigh", _l("Take weighbridge passes"), ("weigher",)),
            Permission("logistics.override", _l("Approve weighbridge overrides"),
                       ("cm_manager", "coordinator", "general_manager")),
            Permission("logistics.gate_pass", _l("Issue gate passes"), ("coordinator", "weigher")),
            Permission("logistics.gate", _l("Let trucks out at the gate"), ("weigher", "warehouse_keeper")),
            Permission("logistics.void", _l("Void and reissue tickets"), ("cm_manager", "coordinator")),
            Permission("logistics.close", _l("Close orders with a remainder inside the tolerance"),
                       ("coordinator", "cm_manager")),
            Permission("logistics.gate_manual", _l("Let trucks out on a typed gate pass number"),
                       ("coordinator", "cm_manager")),
            Permission("logistics.cancel", _l("Cancel orders"), ("coordinator", "cm_manager")),
            Permission("logistics.master", _l("Manage products and vehicles"), ("coordinator", "specialist")),
            Permission("logistics.receivables", _l("See receivables and their ageing"), FINANCE + ("regional_manager",)),
            Permission("logistics.receivables_export", _l("Export the receivables list"),
                       FINANCE + ("regional_manager",)),
        ]

    @hookimpl
    def register_approval_chains(self, app):
        from plugins.logistics.overrides import approval_chain
        from plugins.logistics.review import review_chain

        return [approval_chain(), review_chain()]

    @hookimpl
    def register_reviewer_resolvers(self, app):
        from plugins.logistics.review import RESOLVERS

        return RESOLVERS

    @hookimpl
    def register_jobs(self, app):
        from core.api import Job, crontab
        from plugins.logistics.pickups import pickup_job

        return [Job("logistics.delayed_pickups", pickup_job, schedule=crontab(minute="7"),
                    title=_l("Delayed pick-up reminders"))]

    @hookimpl
    def register_settings(self, app):
        from plugins.logistics.settings import declared_settings

        return declared_settings()

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Orders and shipping"), "logistics.index", order=20, permission="logistics.view")]

    @hookimpl
    def register_documents(self, app):
        from core.api import Document
        from plugins.logistics.documents import documents
        from plugins.logistics.ledger import load_day

        return documents() + [Document("phone_order_ledger", _l("Phone order record of the day"),
                                       "logistics/print/phone_ledger.html", "logistics.view", load_day,
                                       page_size="A4 landscape")]

    @hookimpl
    def register_metrics(self, app):
        from plugins.logistics.receivables import METRIC
        from plugins.logistics.reports import METRICS

        return [*METRICS, METRIC]

    @hookimpl
    def customer_metrics(self, app, customer_ids, period, series):
        from plugins.logistics.receivables import receivable_metric
        from plugins.logistics.reports import customer_metrics

        answers = customer_metrics(customer_ids, period, series)
        if series is None:  # a balance at a moment does not add up by month
            for customer_id, figures in receivable_metric(customer_ids, period).items():
                answers.setdefault(customer_id, {}).update(figures)
        return answers

    @hookimpl
    def customer_list_filters(self, app, user):
        if not user.can("logistics.view"):
            return []
        from plugins.logistics.customer_list import filters

        return filters()

    @hookimpl
    def customer_list_columns(self, app, user):
        if not user.can("logistics.view"):
            return []
        from plugins.logistics.customer_list import columns

        return columns()

    @hookimpl
    def customer_panels(self, app, customer, user):
        if not user.can("logistics.view"):
            return []
        from flask import render_template
        from sqlalchemy import select

        from core.api import db
        from plugins.logistics.flows import ORDER_FLOW
        from plugins.logistics.models import Order
        from plugins.logistics.reports import on_time

        orders = db.session.scalars(select(Order).where(Order.customer_id == customer.id)
                                    .order_by(Order.ordered_at.desc()).limit(10)).all()
        html = render_template("logistics/panel.html", orders=orders, flow=ORDER_FLOW,
                               timing=on_time(user, days=365, customer_id=customer.id))
        panels = [Panel(_l("Orders and shipments"), html, order=20)]
        if user.can("logistics.receivables"):
            from plugins.logistics.receivables import BUCKET_LABELS, customer_receivable

            panels.append(Panel(_l("Receivables"), render_template(
                "logistics/receivable_panel.html", figures=customer_receivable(customer.id), buckets=BUCKET_LABELS,
                customer=customer), order=21))
        return panels

    @hookimpl
    def dashboard_widgets(self, app, user):
        if not user.can("logistics.view"):
            return []
        from flask import render_template

        from plugins.logistics.reports import on_time

        return [Widget(_l("Delivery on time (30 days)"),
                       render_template("logistics/widget.html", timing=on_time(user)), order=30)]

    @hookimpl
    def state_changed(self, record, workflow, transition):
        """Production hears of each scheduled order at once (the sheet collects them per day)."""
        if workflow != "logistics_order" or transition != "schedule":
            return
        from core.api import db, notify
        from plugins.logistics.i18n import N_

        products = ", ".join(f"{line.product.name} {line.quantity_kg / 1000:g} t" for line in record.lines)
        notify(N_("Order %(number)s scheduled: %(products)s."), roles=["production"],
               params={"number": record.number, "products": products}, link="/logistics/schedule")
        db.session.commit()

    @hookimpl
    def load_demo_data(self, app, session, rng):
        from plugins.logistics.demo import load_demo

        load_demo(session, rng)
