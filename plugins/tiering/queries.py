"""Tiering in the customer list: the computed A/B/C, filters on every computed attribute, the grade
column and tags. Each is a condition or subquery on ``Customer``, so the list stays one query."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from core.api import Column, Customer, ListFilter, db, local_now
from plugins.tiering.i18n import _l
from plugins.tiering.labels import (
    FOCUS_LABELS,
    GRADE_LABELS,
    LEVELS,
    LIFECYCLE_LABELS,
    PYRAMID_LABELS,
    SEGMENT_LABELS,
)
from plugins.tiering.models import Grade, Override


def today() -> Any:
    return local_now().date()


def active_override(today_: Any) -> Any:
    return Override.expires_on >= today_


def effective_grades(customer_ids: Sequence[int] | Any) -> dict[int, str | None]:
    """The grade each customer shows: an override still in force, else the computed grade."""
    overridden = dict(db.session.execute(select(Override.customer_id, Override.grade).where(
        Override.customer_id.in_(customer_ids), active_override(today()))).all())
    computed = dict(db.session.execute(select(Grade.customer_id, Grade.grade).where(
        Grade.customer_id.in_(customer_ids))).all())
    return {cid: overridden.get(cid, grade) for cid, grade in computed.items()} | overridden


def grade_condition(grade: str) -> ColumnElement[bool]:
    """Customers whose effective grade is ``grade``: overridden to it, or computed so and not overridden."""
    now = today()
    overridden = select(Override.customer_id).where(active_override(now))
    return or_(Customer.id.in_(select(Override.customer_id).where(active_override(now), Override.grade == grade)),
               and_(Customer.id.in_(select(Grade.customer_id).where(Grade.grade == grade)),
                    Customer.id.not_in(overridden)))


def size_class_expression() -> Any:
    """The computed A/B/C, falling back to the typed one for customers not graded yet."""
    computed = (select(Grade.size_class).where(Grade.customer_id == Customer.id)
                .correlate(Customer).scalar_subquery())
    return func.coalesce(computed, Customer.size_class)


def _in(column: Any, value: Any) -> ColumnElement[bool]:
    return Customer.id.in_(select(Grade.customer_id).where(column == value))


def list_filters() -> list[ListFilter]:
    levels = tuple((str(k), v) for k, v in LEVELS.items())
    return [
        ListFilter("tiering_grade", _l("Grade"), grade_condition, choices=tuple(GRADE_LABELS.items()), order=30),
        ListFilter("tiering_focus", _l("Focus reason"),
                   lambda v: Customer.id.in_(select(Grade.customer_id).where(Grade.focus.like(f"%{v}%"))),
                   choices=tuple(FOCUS_LABELS.items()), order=31),
        ListFilter("tiering_lifecycle", _l("Lifecycle stage"), lambda v: _in(Grade.lifecycle, v),
                   choices=tuple(LIFECYCLE_LABELS.items()), order=32),
        ListFilter("tiering_pyramid", _l("Pyramid level"), lambda v: _in(Grade.pyramid, v),
                   choices=tuple(PYRAMID_LABELS.items()), order=33),
        ListFilter("tiering_segment", _l("RFM segment"), lambda v: _in(Grade.segment, v),
                   choices=tuple(SEGMENT_LABELS.items()), order=34),
        ListFilter("tiering_r", _l("RFM recency score"), lambda v: _in(Grade.recency, v), kind="number",
                   minimum=1, maximum=5, order=35),
        ListFilter("tiering_f", _l("RFM frequency score"), lambda v: _in(Grade.frequency, v), kind="number",
                   minimum=1, maximum=5, order=36),
        ListFilter("tiering_m", _l("RFM monetary score"), lambda v: _in(Grade.monetary, v), kind="number",
                   minimum=1, maximum=5, order=37),
        ListFilter("tiering_potential", _l("Nine-grid potential"), lambda v: _in(Grade.potential_score, int(v)),
                   choices=levels, order=38),
        ListFilter("tiering_relationship", _l("Nine-grid relationship"),
                   lambda v: _in(Grade.relationship_score, int(v)), choices=levels, order=39),
        ListFilter("tiering_clv_from", _l("Lifetime value from (¥10,000)"),
                   lambda v: Customer.id.in_(select(Grade.customer_id).where(Grade.clv_cents >= v * 1_000_000)),
                   kind="number", minimum=1, maximum=1_000_000, order=39),
        ListFilter("tiering_churn", _l("Churn trend"), lambda _v: _in(Grade.churn, True), kind="check", order=40),
        ListFilter("tiering_overridden", _l("Grade set by hand"),
                   lambda _v: Customer.id.in_(select(Override.customer_id).where(active_override(today()))),
                   kind="check", order=41),
    ]


def grade_texts(customer_ids: list[int]) -> dict[int, str]:
    return {cid: str(GRADE_LABELS.get(grade, "—")) for cid, grade in effective_grades(customer_ids).items()
            if grade}


GRADE_ORDER = {"key": 1, "focus": 2, "general": 3, "potential": 4}


def list_columns() -> list[Column]:
    rank = (select(Grade.key_rank).where(Grade.customer_id == Customer.id).correlate(Customer).scalar_subquery())
    return [Column("tiering_grade", _l("Grade"), grade_texts, order=30, sort=rank)]


def tags(customer_ids: Sequence[int]) -> dict[int, list[str]]:
    """``{id: ["key", "focus:churn", "lifecycle:decline", …]}``: what promotions target."""
    found: dict[int, list[str]] = {}
    for cid, grade in effective_grades(customer_ids).items():
        if grade:
            found.setdefault(cid, []).append(grade)
    rows = db.session.execute(select(Grade.customer_id, Grade.focus, Grade.lifecycle, Grade.size_class)
                              .where(Grade.customer_id.in_(customer_ids)))
    for cid, focus, lifecycle, size in rows:
        found.setdefault(cid, []).extend(
            [f"focus:{d}" for d in (focus or "").split(",") if d]
            + ([f"lifecycle:{lifecycle}"] if lifecycle else []) + ([f"size:{size}"] if size else []))
    return found
