"""The figures the rules need, for every customer at once, through hooks and core's archive.

Sales come from ``customer_metrics`` (logistics' shipments, or tiering's own imported monthly
sales), visits from core's contact log, complaints from ``complaint_count`` when a plugin answers
it. A fixed number of grouped queries, whatever the number of customers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from core.api import ContactLog, Customer, Period, customer_metrics, db, local_months, to_local
from plugins.tiering.rules import CustomerInputs

YEAR_DAYS = 365
QUARTER_DAYS = 90
MONTHS_FOR_STABILITY = 6


@dataclass(frozen=True)
class Windows:
    """The periods a recompute at ``now`` reads (UTC)."""

    now: datetime
    today: date

    @property
    def year(self) -> Period:
        return Period(self.now - timedelta(days=YEAR_DAYS), self.now)

    @property
    def last_90(self) -> Period:
        return Period(self.now - timedelta(days=QUARTER_DAYS), self.now)

    @property
    def previous_90(self) -> Period:
        return Period(self.now - timedelta(days=2 * QUARTER_DAYS), self.now - timedelta(days=QUARTER_DAYS))

    @property
    def months(self) -> Period:
        """The last six full company-timezone months."""
        first_of_this = self.today.replace(day=1)
        last = first_of_this - timedelta(days=1)
        first = last.replace(day=1)
        for _ in range(MONTHS_FOR_STABILITY - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return local_months(first, last)


def windows(now: datetime) -> Windows:
    return Windows(now, to_local(now).date())


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return to_local(value).date() if isinstance(value, datetime) else value


def gather(scope: Select, now: datetime) -> list[CustomerInputs]:
    """``CustomerInputs`` for every customer id ``scope`` selects."""
    w = windows(now)
    customers = db.session.execute(
        select(Customer.id, Customer.code, Customer.first_order_date, Customer.is_prospect,
               Customer.intends_to_order, Customer.growth_potential)
        .where(Customer.id.in_(scope)).order_by(Customer.id)).all()
    if not customers:
        return []
    year = customer_metrics(scope, w.year)
    ever = customer_metrics(scope, Period(None, now))
    last_90 = customer_metrics(scope, w.last_90)
    previous_90 = customer_metrics(scope, w.previous_90)
    monthly = customer_metrics(scope, w.months, series="month")
    visits = dict(db.session.execute(
        select(ContactLog.customer_id, func.count()).where(ContactLog.customer_id.in_(scope),
                                                           ContactLog.kind == "visit")
        .group_by(ContactLog.customer_id)).all())
    found = []
    for cid, code, first_order_date, is_prospect, intends, potential in customers:
        y, e = year.get(cid, {}), ever.get(cid, {})
        first_at, last_at, orders = _day(e.get("first_order_at")), _day(e.get("last_order_at")), e.get("order_count", 0)
        interval = (last_at - first_at).days / (orders - 1) if first_at and last_at and orders >= 2 else None
        found.append(CustomerInputs(
            customer_id=cid, code=code, kg_12m=y.get("shipped_kg", 0),
            amount_12m_cents=y.get("shipped_amount_cents", 0), orders_12m=y.get("order_count", 0),
            orders_total=orders, first_order=first_order_date or first_at, last_order=last_at,
            mean_interval_days=interval, kg_last_90=last_90.get(cid, {}).get("shipped_kg", 0),
            kg_prev_90=previous_90.get(cid, {}).get("shipped_kg", 0),
            monthly_kg=_since(monthly.get(cid, {}).get("shipped_kg", {}), first_order_date or first_at),
            visits=visits.get(cid, 0), intends_to_order=bool(intends), is_prospect=bool(is_prospect),
            growth_potential=bool(potential), complaints=y.get("complaint_count", 0)))
    return found


def _since(series: dict[str, int], first: date | None) -> tuple[int, ...]:
    """The months of a series from the customer's first order on: months before it are no volume
    to vary from (a new customer is not unstable for having been new)."""
    start = f"{first:%Y-%m}" if first else ""
    return tuple(value for month, value in series.items() if month >= start)


def as_json(c: CustomerInputs) -> dict[str, Any]:
    """The inputs kept with a snapshot: figures only, dates as ISO text."""
    return {"kg_12m": c.kg_12m, "amount_12m_cents": c.amount_12m_cents, "orders_12m": c.orders_12m,
            "orders_total": c.orders_total, "first_order": c.first_order.isoformat() if c.first_order else None,
            "last_order": c.last_order.isoformat() if c.last_order else None,
            "interval_days": round(c.mean_interval_days, 1) if c.mean_interval_days else None,
            "kg_last_90": c.kg_last_90, "kg_prev_90": c.kg_prev_90, "monthly_kg": list(c.monthly_kg),
            "visits": c.visits, "intends_to_order": c.intends_to_order, "growth_potential": c.growth_potential,
            "complaints": c.complaints}
