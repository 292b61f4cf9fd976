"""Answers ``shipped_kg`` and ``shipped_amount_cents`` from ``SALES``: {(customer id, first day of
the period asked): (kg, cents)}, like imported figures would."""
from sqlalchemy import Select

from core.api import Metric, Plugin, db, hookimpl, to_local

SALES: dict = {}


class FiguresPlugin(Plugin):
    title = "Figures"
    description = "Known sales figures for tests."

    @hookimpl
    def register_metrics(self, app):
        return [Metric("shipped_kg", "kg", "Shipped (kg)"), Metric("shipped_amount_cents", "cents", "Shipped amount")]

    @hookimpl
    def customer_metrics(self, app, customer_ids, period, series):
        ids = list(db.session.scalars(customer_ids)) if isinstance(customer_ids, Select) else list(customer_ids)
        first = to_local(period.start).date()
        found = {}
        for customer_id in ids:
            if (customer_id, first) in SALES:
                kg, cents = SALES[(customer_id, first)]
                found[customer_id] = {"shipped_kg": kg, "shipped_amount_cents": cents}
        return found
