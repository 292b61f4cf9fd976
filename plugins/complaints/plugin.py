"""Complaints: plugin metadata and hook implementations."""
from __future__ import annotations

from core.api import EVERYONE, MenuItem, Permission, Plugin, Setting, hookimpl
from plugins.complaints.i18n import _l

INTAKE = ("rep", "regional_manager", "specialist", "cm_manager", "sales_manager", "marketing_manager",
          "general_manager", "coordinator")
MANAGEMENT = ("cm_manager", "specialist", "sales_manager", "marketing_manager", "general_manager")


class ComplaintsPlugin(Plugin):
    title = _l("Complaints")
    description = _l("Complaint intake, escalation, department sign-offs and approvals.")
    hookspecs = "plugins.complaints.hookspecs"

    @hookimpl
    def register_blueprints(self, app):
        from plugins.complaints.views import bp

        app.config.setdefault("COMPLAINTS_MAX_BYTES", 8 * 1024 * 1024)  # a photo or a lab report
        return [bp]

    @hookimpl
    def register_permissions(self, app):
        return [
            Permission("complaints.view", _l("View complaints"), EVERYONE),
            Permission("complaints.intake", _l("Record complaints"), INTAKE),
            Permission("complaints.handle", _l("Handle complaints (the steps the work engine gives)"), EVERYONE),
            Permission("complaints.manage", _l("Assess complaints, choose departments, evaluate"),
                       ("cm_manager",)),
            Permission("complaints.settle", _l("Propose complaint settlements"), ("marketing_manager",)),
            Permission("complaints.approve_settlement", _l("Approve complaint settlements"),
                       ("general_manager",)),
            Permission("complaints.archive", _l("Archive complaints"), ("cm_manager", "specialist")),
            Permission("complaints.report", _l("Complaint reports and export"), MANAGEMENT),
            Permission("complaints.recall", _l("Trace batches and open recall lists"),
                       ("cm_manager", "specialist", "qc", "general_manager")),
        ]

    @hookimpl
    def register_settings(self, app):
        return [Setting("complaints.implementation_days", "int", 3, _l("Days to carry out a complaint's settlement"),
                        _l("Each department carries out its part within this many days of the clock chosen "
                           "for sign-offs."), minimum=1, maximum=60)]

    @hookimpl
    def register_approval_chains(self, app):
        from plugins.complaints.chains import chains
        from plugins.complaints.models import Complaint

        return chains(Complaint)

    @hookimpl
    def register_reviewer_resolvers(self, app):
        from plugins.complaints.chains import RESOLVERS

        return RESOLVERS

    @hookimpl
    def register_documents(self, app):
        from plugins.complaints.documents import documents

        return documents()

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Complaints"), "complaints.index", order=50, permission="complaints.view")]

    @hookimpl
    def task_completed(self, app, task, user):
        if not task.kind.startswith("complaints."):
            return
        from core.api import commit
        from plugins.complaints.services import task_done_elsewhere

        task_done_elsewhere(task)
        commit()

    @hookimpl
    def task_overdue(self, app, task, stage):
        """C-6: any S1 step past its deadline goes to the general manager at once."""
        if stage != "escalated" or task.record_type != "complaints_complaints":
            return
        from core.api import commit
        from plugins.complaints.services import s1_breached

        s1_breached(task)
        commit()

    @hookimpl
    def register_metrics(self, app):
        from plugins.complaints.reports import METRICS

        return list(METRICS)

    @hookimpl
    def customer_metrics(self, app, customer_ids, period, series):
        from plugins.complaints.reports import customer_metrics

        return customer_metrics(customer_ids, period, series)

    @hookimpl
    def customer_list_columns(self, app, user):
        if not user.can("complaints.view"):
            return []
        from plugins.complaints.reports import columns

        return columns()

    @hookimpl
    def customer_panels(self, app, customer, user):
        if not user.can("complaints.view"):
            return []
        from plugins.complaints.reports import panel

        return [panel(customer, user)]

    @hookimpl
    def dashboard_widgets(self, app, user):
        if not user.can("complaints.view"):
            return []
        from plugins.complaints.reports import widget

        return [widget(user)]

    @hookimpl
    def load_demo_data(self, app, session, rng):
        from plugins.complaints.demo import load_demo

        load_demo(session, rng)
