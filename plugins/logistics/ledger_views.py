"""The day's phone order ledger and the receivables (ageing) list, on the logistics blueprint."""
from __future__ import annotations

from datetime import timedelta
from math import ceil
from typing import Any

from flask import Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from core.api import (
    Region,
    db,
    local_datetime,
    local_now,
    parse_day,
    permission_required,
    record_event,
    write_xlsx,
    yuan,
)
from plugins.logistics import ledger, receivables
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.i18n import _
from plugins.logistics.views import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(total: int, size: int) -> tuple[int, int]:
    """The page asked for, kept inside the list (past the end: the last page)."""
    pages = max(ceil(total / size), 1)
    asked = request.args.get("page", 1, type=int) or 1
    return min(max(asked, 1), pages), pages


@bp.route("/ledger")
@permission_required("logistics.view")
def phone_ledger():
    day = parse_day(request.args.get("day")) or local_now().date()
    total = ledger.day_count(day, current_user)
    page, pages = _page(total, ledger.PAGE_SIZE)
    orders = ledger.day_page(day, current_user, page)
    return render_template("logistics/ledger.html", day=day, orders=orders, total=total, page=page, pages=pages,
                           previous=day - timedelta(days=1), following=day + timedelta(days=1),
                           offset=(page - 1) * ledger.PAGE_SIZE, ledger=ledger, flow=ORDER_FLOW)


def _regions() -> list[Region]:
    """The region filter is for those who see every region; a regional manager sees their own anyway."""
    if not current_user.can("customers.view_all"):
        return []
    return list(db.session.scalars(select(Region).order_by(Region.code)))


@bp.route("/receivables")
@permission_required("logistics.receivables")
def receivables_list():
    flt = receivables.AgeingFilter.from_args(request.args)
    count, totals = receivables.ageing_totals(flt, current_user)
    page, pages = _page(count, receivables.PAGE_SIZE)
    rows = receivables.ageing_page(flt, current_user, page)
    return render_template("logistics/receivables.html", flt=flt, rows=rows, totals=totals, count=count, page=page,
                           pages=pages, regions=_regions(), buckets=receivables.BUCKET_LABELS,
                           sorts=receivables.SORTS, today=local_now().date())


@bp.route("/receivables.xlsx")
@permission_required("logistics.receivables_export")
def receivables_export():
    if not current_user.can("logistics.receivables"):
        abort(403)
    flt = receivables.AgeingFilter.from_args(request.args)
    rows = receivables.ageing_rows(flt, current_user)
    header = [_("Code"), _("Customer"), _("Region"), _("Owner"), _("Billed"), _("Paid"), _("Balance"), _("Owed"),
              *(str(label) for label in receivables.BUCKET_LABELS.values()), _("Oldest open bill")]
    data = write_xlsx(header, (_export_row(row) for row in rows), sheet="receivables")
    record_event("logistics_receivables", None, "export", {"filter": _filter_words(flt), "rows": len(rows),
                                                          "format": "xlsx"})
    db.session.commit()
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="receivables-{local_now().date().isoformat()}.xlsx"'
    return response


def _export_row(row: Any) -> list[Any]:
    """Money as exact yuan the spreadsheet can add up; the bill date as a company-local day."""
    figures = [yuan(int(getattr(row, name))) for name in receivables.TOTALS]
    return [row.code, row.name, row.region or "", row.owner or "", *figures,
            local_datetime(row.oldest_open, "yyyy-MM-dd")]


def _filter_words(flt: receivables.AgeingFilter) -> dict[str, str]:
    """The filter as the history reads it: names, not ids."""
    words = {}
    if flt.q:
        words["q"] = flt.q
    if flt.region_id is not None:
        region = db.session.get(Region, flt.region_id)
        words["region"] = region.name if region else str(flt.region_id)
    if flt.everyone:
        words["all"] = _("also customers who owe nothing")
    return words
