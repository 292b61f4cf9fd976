"""Imported monthly sales answering ``customer_metrics`` when no order-taking plugin does.

A month counts in a period when its middle (the 15th, company time) falls inside it: a rolling
90 days then holds three months, and the month under way, whose figures are not in yet, counts only
once it is half over. Its orders are dated at the start (first order) and the end (last order).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from core.api import Metric, Period, db, to_local, to_utc
from plugins.tiering.i18n import _l
from plugins.tiering.models import MonthlySale

MID_MONTH = 14  # days from a month's first day to its middle
METRICS = (
    Metric("shipped_kg", "kg", _l("Shipped (kg)"), _l("Net weight sold in the months of the period (imported).")),
    Metric("shipped_amount_cents", "cents", _l("Sales amount"),
           _l("Amount sold in the months of the period (imported).")),
    Metric("order_count", "count", _l("Orders"), _l("Orders in the months of the period (imported).")),
    Metric("first_order_at", "datetime", _l("First order"), _l("Start of the first month with sales."),
           per_month=False),
    Metric("last_order_at", "datetime", _l("Last order"), _l("End of the last month with sales."),
           per_month=False),
)


def _mid_month_bound(moment: datetime | None) -> date | None:
    """The earliest month whose middle (its 15th) lies at or after ``moment`` (company time)."""
    if moment is None:
        return None
    return to_local(moment).date() - timedelta(days=MID_MONTH)


def _month_end(month: date) -> datetime:
    after = (month + timedelta(days=32)).replace(day=1)
    return to_utc(datetime(after.year, after.month, after.day)) - timedelta(seconds=1)


def customer_metrics(customer_ids: Sequence[int] | Select, period: Period,
                     series: str | None = None) -> dict[int, dict[str, Any]]:
    conditions = [MonthlySale.customer_id.in_(customer_ids)]
    start, end = _mid_month_bound(period.start), _mid_month_bound(period.end)
    if start is not None:
        conditions.append(MonthlySale.month > start)
    if end is not None:
        conditions.append(MonthlySale.month <= end)
    sums = (func.sum(MonthlySale.shipped_kg), func.sum(MonthlySale.amount_cents), func.sum(MonthlySale.orders))
    result: dict[int, dict[str, Any]] = {}
    if series == "month":
        rows = db.session.execute(select(MonthlySale.customer_id, MonthlySale.month, *sums)
                                  .where(*conditions).group_by(MonthlySale.customer_id, MonthlySale.month))
        for cid, month, kg, cents, orders in rows:
            label = f"{month:%Y-%m}"
            figures = result.setdefault(cid, {})
            for name, value in (("shipped_kg", kg), ("shipped_amount_cents", cents), ("order_count", orders)):
                figures.setdefault(name, {})[label] = int(value or 0)
        return result
    with_sales = MonthlySale.shipped_kg > 0
    rows = db.session.execute(select(MonthlySale.customer_id, *sums,
                                     func.min(MonthlySale.month).filter(with_sales),
                                     func.max(MonthlySale.month).filter(with_sales))
                              .where(*conditions).group_by(MonthlySale.customer_id))
    for cid, kg, cents, orders, first, last in rows:
        result[cid] = {"shipped_kg": int(kg or 0), "shipped_amount_cents": int(cents or 0),
                       "order_count": int(orders or 0),
                       "first_order_at": to_utc(datetime(first.year, first.month, 1)) if first else None,
                       "last_order_at": _month_end(last) if last else None}
    return result
