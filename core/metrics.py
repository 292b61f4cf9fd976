"""Customer metrics: the vocabulary plugins declare, who answers each figure, and the one way to ask.

A plugin declares the metrics it answers with ``register_metrics`` and answers them in
``customer_metrics``. At start every metric gets exactly one answering plugin; two plugins
declaring the same metric stop the start unless ``metric_sources`` names one of them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import ColumnElement, Select, case, select

from core.clock import local_month_bounds, to_local, to_utc
from core.contract import Metric, Period
from core.plugins import PluginError, answers_by_plugin

MONTH = "month"
MAX_MONTHS = 120


@dataclass(frozen=True)
class MetricCatalogue:
    """Every declared metric and the one plugin that answers it."""

    metrics: dict[str, Metric]
    owners: dict[str, str]


def metric_sources(app: Flask) -> dict[str, str]:
    """Which plugin answers a metric several plugins declare: ``{"shipped_kg": "logistics"}``.

    Read from ``GUANXI_METRIC_SOURCES`` in the app config for now; this becomes a company setting,
    and this function is the one place to switch over.
    """
    return dict(app.config.get("GUANXI_METRIC_SOURCES") or {})


def build_catalogue(app: Flask) -> MetricCatalogue:
    """Collect the declared metrics at start; an unresolved double declaration is a PluginError."""
    declared: dict[str, dict[str, Metric]] = {}
    for plugin, metrics in answers_by_plugin("register_metrics").items():
        for metric in metrics or ():
            declared.setdefault(metric.name, {})[plugin] = metric
    sources = metric_sources(app)
    owners = {name: _owner(name, by_plugin, sources.get(name)) for name, by_plugin in declared.items()}
    return MetricCatalogue({name: declared[name][plugin] for name, plugin in owners.items()}, owners)


def _owner(name: str, by_plugin: dict[str, Metric], source: str | None) -> str:
    if len(by_plugin) == 1:
        return next(iter(by_plugin))
    if source in by_plugin:
        return source
    plugins = sorted(by_plugin)
    named = f" (the source set for it, {source!r}, does not answer it)" if source else ""
    raise PluginError(
        f"Metric {name!r} is answered by plugins {', '.join(repr(p) for p in plugins)}{named}; "
        f"choose one with GUANXI_METRIC_SOURCES = {{{name!r}: {plugins[0]!r}}}.")


def catalogue() -> MetricCatalogue:
    return current_app.extensions["guanxi_metrics"]


def customer_metrics(customer_ids: Sequence[int] | Select | None = None, period: Period | None = None,
                     series: str | None = None, user: Any = None) -> dict[int, dict[str, Any]]:
    """``{customer_id: {metric: value}}``, each metric from the one plugin that answers it.

    ``customer_ids``: a list of ids, a ``Select`` of customer ids, or None for every customer
    ``user`` may see (set-based, for recomputes); a ``user`` also narrows a list to what they see.
    ``series="month"``: each value becomes ``{"2026-01": value, ...}`` with every company-timezone
    month of the (bounded) period, 0 where nothing happened; metrics that are not ``per_month``
    are left out. ``period`` defaults to all time. Customers without any figure are absent.
    """
    period = period or Period(None, None)
    if series not in (None, MONTH):
        raise ValueError(f"unknown series {series!r}; use None or {MONTH!r}")
    scope = _scope(customer_ids, user)
    labels = [label for label, _end in months(period)] if series else []
    if scope is None or (series and not labels):
        return {}
    known = catalogue()
    merged: dict[int, dict[str, Any]] = {}
    answers = answers_by_plugin("customer_metrics", customer_ids=scope, period=period, series=series)
    for plugin, answer in answers.items():
        for customer_id, values in (answer or {}).items():
            for name, value in values.items():
                if known.owners.get(name) != plugin:  # undeclared, or another plugin's figure
                    continue
                if series:
                    if not (known.metrics[name].per_month and isinstance(value, dict)):
                        continue
                    value = {label: value.get(label, 0) for label in labels}
                merged.setdefault(customer_id, {})[name] = value
    return merged


def _scope(customer_ids: Sequence[int] | Select | None, user: Any) -> list[int] | Select | None:
    """What the hook receives: a non-empty list or a Select of ids; None when there is nothing to ask."""
    from core.registry.models import Customer
    from core.visibility import visible

    if customer_ids is None:
        if user is None:
            raise ValueError("customer_ids=None asks for the customers of a user: pass user")
        return select(Customer.id).where(visible(Customer, user))
    if isinstance(customer_ids, Select):
        return customer_ids
    ids = list(customer_ids)
    if not ids:
        return None
    if user is not None:
        return select(Customer.id).where(Customer.id.in_(ids), visible(Customer, user))
    return ids


def months(period: Period) -> list[tuple[str, datetime]]:
    """The company-timezone months ``period`` touches: ``("2026-01", UTC end clipped to the period)``."""
    if period.start is None or period.end is None:
        raise ValueError("a monthly series needs a period with a start and an end")
    local = to_local(period.start)
    year, month = local.year, local.month
    found: list[tuple[str, datetime]] = []
    while period.start < period.end:
        year_after, month_after = (year + 1, 1) if month == 12 else (year, month + 1)
        boundary = to_utc(datetime(year_after, month_after, 1))
        found.append((f"{year:04d}-{month:02d}", min(boundary, period.end)))
        if boundary >= period.end:
            break
        if len(found) == MAX_MONTHS:
            raise ValueError(f"a monthly series covers at most {MAX_MONTHS} months")
        year, month = year_after, month_after
    return found


def month_of(column: Any, period: Period) -> ColumnElement[str]:
    """SQL label ``"2026-01"`` of a UTC datetime ``column``: its company-timezone month in ``period``.

    Portable (a CASE over the month boundaries), so SQLite and PostgreSQL bucket alike; group by it
    to answer ``series="month"`` in one query.
    """
    return case(*[(column < end, label) for label, end in months(period)], else_=None)


def local_months(first: date, last: date) -> Period:
    """The period from the start of ``first``'s month to the end of ``last``'s, company time, in UTC."""
    return Period(local_month_bounds(first)[0], local_month_bounds(last)[1])
