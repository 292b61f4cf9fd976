"""What promotions tells the rest of the system: spend per customer, the customer-page panel."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import render_template
from sqlalchemy import Select, func, select

from core.api import Customer, Period, db, month_of, to_local
from plugins.promotions.flows import PROMOTION_FLOW
from plugins.promotions.models import ExecutionEntry, Promotion, PromotionTarget

PANEL_ROWS = 10


def spend_per_customer(customer_ids: Sequence[int] | Select, period: Period,
                       series: str | None = None) -> dict[int, dict[str, Any]]:
    """``promotion_spend_cents``: the spend logged in the period on each promotion a customer is a
    target of, divided equally among the promotion's targets (whole cents), in one grouped query."""
    share = ExecutionEntry.spend_cents / func.nullif(Promotion.target_count, 0)
    keys: tuple[Any, ...] = (PromotionTarget.customer_id,)
    if series == "month":
        keys += (month_of(ExecutionEntry.happened_on, period).label("month"),)
    stmt = (select(*keys, func.sum(share))
            .join(ExecutionEntry, ExecutionEntry.promotion_id == PromotionTarget.promotion_id)
            .join(Promotion, Promotion.id == PromotionTarget.promotion_id)
            .where(PromotionTarget.customer_id.in_(customer_ids), ExecutionEntry.spend_cents > 0))
    if period.start is not None:
        stmt = stmt.where(ExecutionEntry.happened_on >= to_local(period.start).date())
    if period.end is not None:
        stmt = stmt.where(ExecutionEntry.happened_on < to_local(period.end).date())
    result: dict[int, dict[str, Any]] = {}
    for row in db.session.execute(stmt.group_by(*keys)):
        if series == "month":
            customer_id, month, cents = row
            result.setdefault(customer_id, {}).setdefault("promotion_spend_cents", {})[month] = int(cents or 0)
        else:
            customer_id, cents = row
            result[customer_id] = {"promotion_spend_cents": int(cents or 0)}
    return result


def customer_promotions(customer: Customer, user: Any, limit: int = PANEL_ROWS) -> list[Promotion]:
    """The newest promotions aimed at ``customer`` that ``user`` may see (one query)."""
    from plugins.promotions.services import promotion_condition

    return list(db.session.scalars(
        select(Promotion).join(PromotionTarget, PromotionTarget.promotion_id == Promotion.id)
        .where(PromotionTarget.customer_id == customer.id, promotion_condition(user))
        .order_by(Promotion.period_start.desc(), Promotion.id.desc()).limit(limit)))


def customer_panel(customer: Customer, user: Any) -> str:
    return render_template("promotions/panel.html", promotions=customer_promotions(customer, user),
                           flow=PROMOTION_FLOW)


WIDGET_STATES = ("submitted", "sent_back", "filed", "completed")


def state_counts(user: Any) -> dict[str, int]:
    """How many promotions ``user`` sees are in each state of the widget (one grouped query)."""
    from plugins.promotions.services import promotion_condition

    rows = db.session.execute(select(Promotion.state, func.count()).where(
        promotion_condition(user), Promotion.state.in_(WIDGET_STATES)).group_by(Promotion.state))
    return {state: count for state, count in rows}


def widget(user: Any) -> str:
    return render_template("promotions/widget.html", counts=state_counts(user), states=WIDGET_STATES,
                           flow=PROMOTION_FLOW)
