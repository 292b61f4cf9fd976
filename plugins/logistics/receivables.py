"""Receivables (货款跟踪): what each customer owes for goods that left the gate, and for how long.

A bill is one truck that left: its loaded lines at their order line's price, dated when it passed
the gate. An order's payments settle its bills oldest first; what stays open is aged from the bill
date in 0–30, 31–60, 61–90 and over 90 days. Money paid beyond what was billed (for goods not yet
shipped) is an advance. Balance = billed − paid, so a negative balance is an advance. Every figure
comes from one grouped query, whatever the number of customers, orders or trucks.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Index,
    Select,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.sql import Subquery

from core.api import (
    Customer,
    Metric,
    Period,
    Region,
    User,
    db,
    local_day_bounds,
    local_now,
    visible,
)
from plugins.logistics.i18n import _l
from plugins.logistics.models import OrderLine, Payment, Trip, TripLine

LEFT = "state = 'left'"
# the bills of a customer (the panel, the metric as of a date) without reading every ticket
Index("ix_logistics_trips_left", Trip.customer_id, Trip.pass_used_at,
      postgresql_where=text(LEFT), sqlite_where=text(LEFT))

BUCKETS = ("days_0_30", "days_31_60", "days_61_90", "days_over_90")
TOTALS = ("billed", "paid", "balance", "owed", *BUCKETS)
BUCKET_LABELS = {"days_0_30": _l("0–30 days"), "days_31_60": _l("31–60 days"),
                 "days_61_90": _l("61–90 days"), "days_over_90": _l("Over 90 days")}
SORTS = {"owed": _l("Owed"), "over_90": _l("Over 90 days"), "balance": _l("Balance"), "code": _l("Code")}
PAGE_SIZE = 50
EXPORT_LIMIT = 20_000

METRIC = Metric("receivable_cents", "cents", _l("Receivable balance"),
                _l("What the customer owed at the end of the period: the value of goods that left the gate "
                   "less payments received (negative: paid in advance)."), per_month=False)


def _bills(as_of: datetime | None = None, customers: Any = None) -> Subquery:
    """One row per truck that left: its amount (per loaded line, kg x price per tonne, rounded to the
    cent as the order page rounds) and its bill date."""
    amount = (cast(TripLine.kg, BigInteger) * OrderLine.price_cents_per_tonne + 500) // 1000
    stmt = (select(Trip.id.label("trip_id"), Trip.order_id, Trip.customer_id,
                   Trip.pass_used_at.label("billed_at"), func.sum(amount).label("amount"))
            .join(TripLine, TripLine.trip_id == Trip.id).join(OrderLine, OrderLine.id == TripLine.order_line_id)
            .where(Trip.state == "left")
            .group_by(Trip.id, Trip.order_id, Trip.customer_id, Trip.pass_used_at))
    if as_of is not None:
        stmt = stmt.where(Trip.pass_used_at < as_of)
    if customers is not None:
        stmt = stmt.where(Trip.customer_id.in_(customers))
    return stmt.subquery("bills")


def _payments(key: Any, as_of: datetime | None = None, customers: Any = None) -> Subquery:
    stmt = select(key, func.sum(Payment.amount_cents).label("paid")).group_by(key)
    if as_of is not None:
        stmt = stmt.where(Payment.received_at < as_of)
    if customers is not None:
        stmt = stmt.where(Payment.customer_id.in_(customers))
    return stmt.subquery()


def _open_items(customers: Any = None) -> Subquery:
    """Each bill with what is still open of it: the order's payments settle its bills oldest first."""
    bills = _bills(customers=customers)
    paid = _payments(Payment.order_id, customers=customers)
    running = func.sum(bills.c.amount).over(partition_by=bills.c.order_id,
                                            order_by=(bills.c.billed_at, bills.c.trip_id))
    uncovered = running - func.coalesce(paid.c.paid, 0)
    stmt = select(bills.c.customer_id, bills.c.billed_at, bills.c.amount, uncovered.label("uncovered"))
    stmt = stmt.outerjoin(paid, paid.c.order_id == bills.c.order_id).subquery("items")
    open_amount = case((stmt.c.uncovered <= 0, 0), (stmt.c.uncovered >= stmt.c.amount, stmt.c.amount),
                       else_=stmt.c.uncovered)
    return select(stmt.c.customer_id, stmt.c.billed_at, stmt.c.amount, open_amount.label("open")).subquery("open_items")


def _bucket_starts(today: date) -> tuple[datetime, datetime, datetime]:
    """The first moments (UTC) of the bill days 30, 60 and 90 days before ``today``: a bill dated on or
    after the first is 0–30 days old, and so on."""
    return tuple(local_day_bounds(today - timedelta(days=days))[0] for days in (30, 60, 90))  # type: ignore[return-value]


def _per_customer(today: date, customers: Any = None) -> Subquery:
    """Per customer with a bill or a payment: billed, paid, balance, and the open amounts by age."""
    items = _open_items(customers)
    start_30, start_60, start_90 = _bucket_starts(today)
    age = {
        "days_0_30": items.c.billed_at >= start_30,
        "days_31_60": (items.c.billed_at < start_30) & (items.c.billed_at >= start_60),
        "days_61_90": (items.c.billed_at < start_60) & (items.c.billed_at >= start_90),
        "days_over_90": items.c.billed_at < start_90,
    }
    billed = (select(items.c.customer_id, func.sum(items.c.amount).label("billed"),
                     func.sum(items.c.open).label("owed"), func.min(case((items.c.open > 0, items.c.billed_at)))
                     .label("oldest_open"),
                     *(func.sum(case((condition, items.c.open), else_=0)).label(name) for name, condition in age.items()))
              .group_by(items.c.customer_id).subquery("billed"))
    paid = _payments(Payment.customer_id, customers=customers)
    ids = select(billed.c.customer_id).union(select(paid.c.customer_id)).subquery("ids")
    zero = literal(0)
    columns = [ids.c.customer_id,
               func.coalesce(billed.c.billed, zero).label("billed"), func.coalesce(paid.c.paid, zero).label("paid"),
               (func.coalesce(billed.c.billed, zero) - func.coalesce(paid.c.paid, zero)).label("balance"),
               func.coalesce(billed.c.owed, zero).label("owed"), billed.c.oldest_open,
               *(func.coalesce(getattr(billed.c, name), zero).label(name) for name in BUCKETS)]
    return (select(*columns).outerjoin(billed, billed.c.customer_id == ids.c.customer_id)
            .outerjoin(paid, paid.c.customer_id == ids.c.customer_id).subquery("receivables"))


@dataclass(frozen=True)
class AgeingFilter:
    """What the ageing list shows: customers who owe (or every customer with a balance), of one region,
    matching a search, in one order."""

    q: str = ""
    region_id: int | None = None
    everyone: bool = False  # also customers who owe nothing (advances, settled)
    sort: str = "owed"

    def as_args(self, **changes: Any) -> dict[str, Any]:
        values = {"q": self.q, "region": self.region_id, "all": "1" if self.everyone else None,
                  "sort": None if self.sort == "owed" else self.sort, **changes}
        return {key: value for key, value in values.items() if value not in (None, "")}

    @classmethod
    def from_args(cls, args: Any) -> AgeingFilter:
        from core.api import id_arg

        sort = args.get("sort", "owed")
        return cls(q=(args.get("q") or "").strip()[:100], region_id=id_arg(args, "region"),
                   everyone=args.get("all") == "1", sort=sort if sort in SORTS else "owed")


def ageing_query(flt: AgeingFilter, user: Any, today: date | None = None) -> Select:
    """The ageing list as one statement: each visible customer's receivables with its region and owner."""
    rows = _per_customer(today or local_now().date())
    stmt = (select(Customer.id, Customer.code, Customer.name, Region.name.label("region"),
                   User.display_name.label("owner"), rows)
            .join(rows, rows.c.customer_id == Customer.id)
            .outerjoin(Region, Region.id == Customer.region_id).outerjoin(User, User.id == Customer.owner_id)
            .where(visible(Customer, user)))
    if not flt.everyone:
        stmt = stmt.where(rows.c.owed > 0)
    if flt.region_id is not None:
        stmt = stmt.where(Customer.region_id == flt.region_id)
    if flt.q:
        stmt = stmt.where(or_(Customer.name.ilike(f"%{flt.q}%"), Customer.code.ilike(f"%{flt.q}%"),
                              Customer.name_initials.like(f"%{flt.q.lower()}%")))
    return stmt


def _ordered(stmt: Select, sort: str) -> Select:
    columns = stmt.selected_columns
    order: dict[str, tuple[ColumnElement[Any], ...]] = {
        "owed": (columns.owed.desc(),), "over_90": (columns.days_over_90.desc(), columns.owed.desc()),
        "balance": (columns.balance.desc(),), "code": ()}
    return stmt.order_by(*order[sort], columns.code)


def ageing_totals(flt: AgeingFilter, user: Any) -> tuple[int, dict[str, int]]:
    """The number of rows of the filtered list and the sums of its columns, in one query."""
    whole = ageing_query(flt, user).subquery()
    row = db.session.execute(select(func.count(), *(func.coalesce(func.sum(whole.c[name]), 0) for name in TOTALS))).one()
    return int(row[0]), dict(zip(TOTALS, (int(value) for value in row[1:]), strict=True))


def ageing_page(flt: AgeingFilter, user: Any, page: int) -> list[Any]:
    """One page of the list, in the filter's order."""
    stmt = _ordered(ageing_query(flt, user), flt.sort)
    return list(db.session.execute(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))


def ageing_rows(flt: AgeingFilter, user: Any) -> list[Any]:
    """The whole filtered list for an export (bounded)."""
    return db.session.execute(_ordered(ageing_query(flt, user), flt.sort).limit(EXPORT_LIMIT)).all()


def customer_receivable(customer_id: int, today: date | None = None) -> dict[str, Any]:
    """One customer's balance and ages, for the customer page (one query)."""
    rows = _per_customer(today or local_now().date(), customers=[customer_id])
    row = db.session.execute(select(rows).where(rows.c.customer_id == customer_id)).first()
    figures: dict[str, Any] = {name: int(getattr(row, name)) if row else 0 for name in TOTALS}
    figures["oldest_open"] = row.oldest_open if row else None
    figures["advance"] = max(figures["owed"] - figures["balance"], 0)
    return figures


def receivable_metric(customer_ids: Sequence[int] | Select, period: Period) -> dict[int, dict[str, int]]:
    """``receivable_cents`` as of the end of ``period`` (now for an open end), per customer, one query."""
    as_of = period.end
    billed = _bills(as_of, customers=customer_ids)
    billed_sum = select(billed.c.customer_id, func.sum(billed.c.amount).label("billed")).group_by(billed.c.customer_id).subquery()
    paid = _payments(Payment.customer_id, as_of, customers=customer_ids)
    ids = select(billed_sum.c.customer_id).union(select(paid.c.customer_id)).subquery()
    stmt = (select(ids.c.customer_id, func.coalesce(billed_sum.c.billed, 0) - func.coalesce(paid.c.paid, 0))
            .outerjoin(billed_sum, billed_sum.c.customer_id == ids.c.customer_id)
            .outerjoin(paid, paid.c.customer_id == ids.c.customer_id))
    return {customer_id: {"receivable_cents": int(balance)} for customer_id, balance in db.session.execute(stmt)}
