"""Complaint figures: metrics for other plugins, the customer list column, panel and widget."""
from __future__ import annotations

from core.api import Metric
from plugins.complaints.i18n import _l

METRICS = (
    Metric("complaint_count", "count", _l("Complaints"), _l("Complaints received in the period.")),
    Metric("serious_complaint_count", "count", _l("Serious complaints"),
           _l("Complaints of the period handled as serious (handling form, sign-offs, settlement).")),
)


def customer_metrics(customer_ids, period, series):
    return {}


def columns():
    return []
