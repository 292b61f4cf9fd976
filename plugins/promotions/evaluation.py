"""Effect evaluation from real figures (促销效果评估).

The target customers' shipped tonnes and amount over the promotion's period, from the
``customer_metrics`` hook (logistics answers it when enabled), against:

* a baseline: the same customers over a period of the same length just before, and
* a control group: the customers not targeted with the same region and grade as a target
  (the grade a plugin answers through ``promotion_customer_grade``, else the archive's A/B/C size
  class), whose change over the same two periods says what would have happened anyway.

Expected tonnes = the targets' baseline × the control group's growth (period ÷ baseline; 1 when the
control group bought nothing in the baseline). Uplift = actual − expected; cost per extra tonne =
spend ÷ uplift in tonnes (only for a positive uplift). Target achievement compares the actual
tonnes, amount and new customers (targets whose first order fell in the period) with the targets.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, literal, or_, select, tuple_

from core.api import Customer, Period, call, customer_metrics, db, local_day_bounds
from plugins.promotions.models import Promotion, PromotionTarget

KG, CENTS = "shipped_kg", "shipped_amount_cents"


@dataclass(frozen=True)
class Figures:
    """Summed figures of a group of customers over one period."""

    kg: int
    cents: int


@dataclass(frozen=True)
class Evaluation:
    period: tuple[date, date]
    baseline: tuple[date, date]
    target_count: int
    control_count: int
    targets_now: Figures
    targets_before: Figures
    control_now: Figures
    control_before: Figures
    control_growth: Decimal | None  # period ÷ baseline of the control group
    expected_kg: int
    uplift_kg: int
    spent_cents: int
    cost_per_extra_tonne_cents: int | None
    new_customers: int
    achievement_kg: Decimal | None  # share of the target, 1 = met
    achievement_cents: Decimal | None
    achievement_new: Decimal | None
    has_figures: bool  # somebody answers shipped_kg

    @property
    def target_growth(self) -> Decimal | None:
        return _ratio(self.targets_now.kg, self.targets_before.kg)


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def periods(promotion: Promotion) -> tuple[tuple[date, date], tuple[date, date]]:
    """The promotion's period and the baseline of the same number of days just before it."""
    days = promotion.period_days
    before_end = promotion.period_start - timedelta(days=1)
    return (promotion.period_start, promotion.period_end), (before_end - timedelta(days=days - 1), before_end)


def _period(first: date, last: date) -> Period:
    return Period(local_day_bounds(first)[0], local_day_bounds(last)[1])


def grade_expression() -> Any:
    """The grade control customers are matched on: a plugin's answer, else the size class."""
    answers = call("promotion_customer_grade")
    return answers[0] if answers else Customer.size_class


def target_ids(promotion: Promotion) -> Any:
    return select(PromotionTarget.customer_id).where(PromotionTarget.promotion_id == promotion.id)


def control_ids(promotion: Promotion) -> Any:
    """A Select of the control group: customers (not prospects) outside the targets in a region
    and grade some target has."""
    grade = func.coalesce(grade_expression(), literal(""))
    cells = (select(Customer.region_id, grade).where(Customer.id.in_(target_ids(promotion))).distinct())
    return select(Customer.id).where(tuple_(Customer.region_id, grade).in_(cells),
                                     Customer.id.not_in(target_ids(promotion)),
                                     Customer.is_prospect.is_(False))


def _sums(everyone: Any, groups: tuple[set[int], ...], period: Period) -> list[Figures]:
    """Summed figures of each group of customers over ``period``, from one ``customer_metrics`` call
    for ``everyone`` (a Select of the groups' ids: no parameter list however large the groups)."""
    figures = customer_metrics(everyone, period)
    return [Figures(sum(int(figures.get(cid, {}).get(KG) or 0) for cid in group),
                    sum(int(figures.get(cid, {}).get(CENTS) or 0) for cid in group)) for group in groups]


def _metrics_answered() -> bool:
    from flask import current_app

    return KG in current_app.extensions["guanxi_metrics"].owners


def evaluate(promotion: Promotion) -> Evaluation:
    """Every figure of the evaluation: the two groups' ids, then one ``customer_metrics`` call per
    period for both groups together (grouped queries, whatever the number of targets)."""
    (first, last), (base_first, base_last) = periods(promotion)
    now, before = _period(first, last), _period(base_first, base_last)
    targets = set(db.session.scalars(target_ids(promotion)))
    control = set(db.session.scalars(control_ids(promotion)))
    everyone = select(Customer.id).where(or_(Customer.id.in_(target_ids(promotion)),
                                             Customer.id.in_(control_ids(promotion))))
    t_now, c_now = _sums(everyone, (targets, control), now)
    t_before, c_before = _sums(everyone, (targets, control), before)
    control_count = len(control)
    growth = _ratio(c_now.kg, c_before.kg)
    expected = int((Decimal(t_before.kg) * (growth if growth is not None else 1)).quantize(Decimal(1), ROUND_HALF_UP))
    uplift = t_now.kg - expected
    cost = (int((Decimal(promotion.spent_cents) * 1000 / uplift).quantize(Decimal(1), ROUND_HALF_UP))
            if uplift > 0 else None)
    new = db.session.scalar(select(func.count()).select_from(Customer).where(
        Customer.id.in_(target_ids(promotion)), Customer.first_order_date >= first,
        Customer.first_order_date <= last)) or 0
    return Evaluation(
        period=(first, last), baseline=(base_first, base_last), target_count=promotion.target_count,
        control_count=control_count, targets_now=t_now, targets_before=t_before, control_now=c_now,
        control_before=c_before, control_growth=growth, expected_kg=expected, uplift_kg=uplift,
        spent_cents=promotion.spent_cents, cost_per_extra_tonne_cents=cost, new_customers=new,
        achievement_kg=_ratio(t_now.kg, promotion.target_kg),
        achievement_cents=_ratio(t_now.cents, promotion.target_amount_cents),
        achievement_new=_ratio(new, promotion.target_new_customers), has_figures=_metrics_answered())
