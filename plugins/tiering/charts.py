"""The overview's charts: grade distribution, pyramid, lifecycle funnel, RFM grid and nine-grid.

Counts are of the customers the user may see; every bar and cell links to the customer list
filtered to it. Bars are core's pygal charts; the two grids are drawn here as plain SVG (cells are
rectangles with presentation attributes, so the Content-Security-Policy lets them through).
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import func, select

from core.api import ChartPoint, chart, db, restrict
from plugins.tiering.i18n import _
from plugins.tiering.labels import (
    GRADE_LABELS,
    LEVELS,
    LIFECYCLE_LABELS,
    PYRAMID_LABELS,
    SEGMENT_LABELS,
)
from plugins.tiering.models import Grade, Override
from plugins.tiering.queries import today

CELL, GAP, MARGIN = 64, 4, 90
SHADES = ("#f4f7fb", "#d6e4f0", "#a9c6e0", "#6f9fc8", "#1f5f8b")


def list_url(**args: Any) -> str:
    return url_for("customers.index", **args)


def counts(column: Any, user: Any) -> dict[Any, int]:
    stmt = restrict(select(column, func.count()).group_by(column), Grade, user)
    return {key: n for key, n in db.session.execute(stmt) if key is not None}


def grade_counts(user: Any) -> dict[str, int]:
    """Customers by effective grade: an override in force counts in its grade, not the computed one."""
    computed = counts(Grade.grade, user)
    moved = restrict(select(Grade.grade, Override.grade, func.count())
                     .join(Override, Override.customer_id == Grade.customer_id)
                     .where(Override.expires_on >= today()).group_by(Grade.grade, Override.grade), Grade, user)
    for was, now, n in db.session.execute(moved):
        if was:
            computed[was] = computed.get(was, 0) - n
        computed[now] = computed.get(now, 0) + n
    return computed


def bars(title: str, labels: dict[str, Any], found: dict[str, int], arg: str, kind: str = "bar") -> Markup:
    """One bar per label linking to the list filtered to it; horizontal bars read top-down."""
    keys = list(reversed(labels)) if kind == "hbar" else list(labels)
    points = [ChartPoint(found.get(key, 0), href=list_url(**{arg: key})) for key in keys]
    return chart(kind, title, [str(labels[k]) for k in keys], {_("Customers"): points}, width=560, height=300)


def grid(title: str, rows: list[tuple[str, Any]], columns: list[tuple[str, Any]], found: dict[tuple, int],
         href: Any, row_title: str, column_title: str) -> Markup:
    """A grid of counts: one linked cell per (row, column), darker for more customers."""
    top = max(found.values(), default=0)
    width = MARGIN + len(columns) * (CELL + GAP)
    height = 40 + len(rows) * (CELL + GAP) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="tiering-grid" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
    for r, (row_key, row_label) in enumerate(rows):
        y = 30 + r * (CELL + GAP)
        parts.append(f'<text x="{MARGIN - 6}" y="{y + CELL / 2 + 4}" font-size="12" text-anchor="end">'
                     f'{escape(row_label)}</text>')
        for c, (column_key, _label) in enumerate(columns):
            x = MARGIN + c * (CELL + GAP)
            n = found.get((row_key, column_key), 0)
            shade = SHADES[0] if not n else SHADES[min(4, 1 + (3 * n) // max(top, 1))]
            colour = "#ffffff" if shade in SHADES[3:] else "#222222"
            parts.append(f'<a href="{escape(href(row_key, column_key))}"><rect x="{x}" y="{y}" width="{CELL}" '
                         f'height="{CELL}" fill="{shade}" stroke="#9aa9b8"/>'
                         f'<text class="count" x="{x + CELL / 2}" y="{y + CELL / 2 + 5}" font-size="14" '
                         f'text-anchor="middle" fill="{colour}">{n}</text></a>')
    y = 30 + len(rows) * (CELL + GAP) + 14
    for c, (_key, column_label) in enumerate(columns):
        parts.append(f'<text x="{MARGIN + c * (CELL + GAP) + CELL / 2}" y="{y}" font-size="12" '
                     f'text-anchor="middle">{escape(column_label)}</text>')
    parts.append(f'<text x="{MARGIN}" y="{y + 20}" font-size="12">{escape(column_title)} →</text>')
    parts.append(f'<text x="0" y="30" font-size="11" fill="#555555">↓ {escape(row_title)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def overview(user: Any) -> dict[str, Markup]:
    rfm = restrict(select(Grade.recency, Grade.frequency, func.count())
                   .where(Grade.recency.is_not(None)).group_by(Grade.recency, Grade.frequency), Grade, user)
    rfm_found = {(r, f): n for r, f, n in db.session.execute(rfm)}
    nine = restrict(select(Grade.potential_score, Grade.relationship_score, func.count())
                    .where(Grade.potential_score.is_not(None))
                    .group_by(Grade.potential_score, Grade.relationship_score), Grade, user)
    nine_found = {(p, r): n for p, r, n in db.session.execute(nine)}
    scores = [(s, str(s)) for s in range(1, 6)]
    levels = [(k, str(v)) for k, v in LEVELS.items()]
    return {
        "grades": bars(_("Customers by grade"), GRADE_LABELS, grade_counts(user), "tiering_grade"),
        "sizes": bars(_("Customers by size class"), {"A": "A", "B": "B", "C": "C"}, counts(Grade.size_class, user),
                      "size_class"),
        "pyramid": bars(_("Customer pyramid"), PYRAMID_LABELS, counts(Grade.pyramid, user), "tiering_pyramid",
                        kind="hbar"),
        "lifecycle": bars(_("Lifecycle funnel"), LIFECYCLE_LABELS, counts(Grade.lifecycle, user),
                          "tiering_lifecycle", kind="hbar"),
        "segments": bars(_("RFM segments"), SEGMENT_LABELS, counts(Grade.segment, user), "tiering_segment",
                         kind="hbar"),
        "rfm": grid(_("RFM grid: recency × frequency"), list(reversed(scores)), scores, rfm_found,
                    lambda r, f: list_url(tiering_r=r, tiering_f=f), _("Recency (5 = latest)"),
                    _("Frequency (5 = most orders)")),
        "nine": grid(_("Nine-grid: potential × relationship strength"), list(reversed(levels)), levels,
                     nine_found, lambda p, r: list_url(tiering_potential=p, tiering_relationship=r),
                     _("Potential"), _("Relationship strength")),
    }
