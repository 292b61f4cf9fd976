"""Monthly sales per customer from Excel or CSV: checked completely first (a dry run that writes
nothing, with every row's errors), then applied all at once or not at all.

Columns (zh-CN or English headers): customer code, month (2026-01), tonnes, amount (yuan), orders.
A month already imported for a customer is replaced by the new figures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from core.api import Customer, db, local_now
from plugins.tiering.i18n import _
from plugins.tiering.models import MonthlySale

COLUMNS = (("code", "客户编号", "Customer code"), ("month", "月份", "Month"), ("tonnes", "发货吨数", "Tonnes"),
           ("amount", "金额（元）", "Amount (yuan)"), ("orders", "订单数", "Orders"))
MAX_TONNES = Decimal(1_000_000)
MAX_YUAN = Decimal(10_000_000_000)
MAX_ORDERS = 100_000
FIRST_MONTH = date(2000, 1, 1)


@dataclass
class SaleRow:
    line: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class SalesReport:
    rows: list[SaleRow]
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_rows(self) -> list[SaleRow]:
        return [r for r in self.rows if r.errors]


def header_labels(language: str) -> list[str]:
    return [zh if language == "zh" else en for _key, zh, en in COLUMNS]


def _header_map(headers: list[Any]) -> dict[int, str]:
    names = {alias.lower(): key for key, zh, en in COLUMNS for alias in (key, zh, en)}
    return {i: names[str(h).strip().lower()] for i, h in enumerate(headers)
            if h is not None and str(h).strip().lower() in names}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _month(value: Any) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    text = _text(value).replace("/", "-").replace(".", "-").replace("年", "-").rstrip("月")
    parts = text.split("-")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    year, month = int(parts[0]), int(parts[1])
    return date(year, month, 1) if 1 <= month <= 12 and 1900 <= year <= 2100 else None


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(_text(value).replace(",", "")) if _text(value) else Decimal(0)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def validate(table: list[list[Any]]) -> SalesReport:
    """Every row checked against the archive; nothing is written."""
    if not table:
        return SalesReport([], [_("The file is empty.")])
    columns = _header_map(table[0])
    missing = [zh for key, zh, _en in COLUMNS[:3] if key not in columns.values()]
    if missing:
        return SalesReport([], [_("Columns missing: %(names)s.", names=", ".join(missing))])
    rows = [SaleRow(line, {key: row[i] if i < len(row) else None for i, key in columns.items()})
            for line, row in enumerate(table[1:], start=2) if any(_text(v) for v in row)]
    codes = {_text(r.raw.get("code")) for r in rows}
    known = dict(db.session.execute(select(Customer.code, Customer.id).where(Customer.code.in_(codes))).all())
    this_month = local_now().date().replace(day=1)
    seen: dict[tuple[int, date], int] = {}
    for row in rows:
        _check(row, known, this_month, seen)
    return SalesReport(rows)


def _check(row: SaleRow, known: dict[str, int], this_month: date, seen: dict[tuple[int, date], int]) -> None:
    code = _text(row.raw.get("code"))
    customer_id = known.get(code)
    if customer_id is None:
        row.errors.append(_("No customer has the code “%(code)s”.", code=code) if code else _("The customer code is missing."))
    month = _month(row.raw.get("month"))
    if month is None:
        row.errors.append(_("Write the month as 2026-01."))
    elif not FIRST_MONTH <= month <= this_month:
        row.errors.append(_("The month must lie between 2000-01 and this month."))
    tonnes, amount = _number(row.raw.get("tonnes")), _number(row.raw.get("amount"))
    if tonnes is None or not 0 <= tonnes <= MAX_TONNES:
        row.errors.append(_("Tonnes must be a number from 0 to 1,000,000."))
    if amount is None or not 0 <= amount <= MAX_YUAN:
        row.errors.append(_("The amount must be a number of yuan from 0 to 10,000,000,000."))
    orders = _number(row.raw.get("orders"))
    if orders is None or orders != orders.to_integral_value() or not 0 <= orders <= MAX_ORDERS:
        row.errors.append(_("Orders must be a whole number from 0 to 100,000."))
    if customer_id is not None and month is not None:
        first = seen.setdefault((customer_id, month), row.line)
        if first != row.line:
            row.errors.append(_("This customer and month are already on line %(line)s.", line=first))
    if not row.errors:
        kg = int((tonnes * 1000).to_integral_value())  # type: ignore[operator]
        row.values = {"customer_id": customer_id, "month": month, "shipped_kg": kg,
                      "amount_cents": int((amount * 100).to_integral_value()),  # type: ignore[operator]
                      "orders": int(orders) if _text(row.raw.get("orders")) else (1 if kg else 0)}  # type: ignore[arg-type]


def apply(report: SalesReport) -> tuple[int, int]:
    """Write a valid report in the caller's transaction: (months added, months replaced)."""
    if not report.ok:
        raise ValueError("only a valid import can be applied")
    keys = {(r.values["customer_id"], r.values["month"]) for r in report.rows}
    customer_ids = {cid for cid, _month in keys}
    existing = {(s.customer_id, s.month): s for s in db.session.scalars(
        select(MonthlySale).where(MonthlySale.customer_id.in_(customer_ids)).with_for_update())}
    added = replaced = 0
    for row in report.rows:
        values = row.values
        sale = existing.get((values["customer_id"], values["month"]))
        if sale is None:
            db.session.add(MonthlySale(**values))
            added += 1
        else:
            sale.shipped_kg, sale.amount_cents, sale.orders = values["shipped_kg"], values["amount_cents"], values["orders"]
            replaced += 1
    return added, replaced
