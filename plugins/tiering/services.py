"""Manual overrides of a grade, and why a customer has its grade, in words with the figures."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal, format_percent
from sqlalchemy import select

from core.api import Customer, db, local_now
from plugins.tiering.i18n import _
from plugins.tiering.labels import GRADE_LABELS
from plugins.tiering.models import Grade, Override
from plugins.tiering.rules import coefficient_of_variation, growth
from plugins.tiering.settings import thresholds

MAX_OVERRIDE_DAYS = 366


class OverrideRefused(ValueError):
    """An override the form must refuse, with the reason for the user."""


def current_override(customer_id: int, today: date | None = None) -> Override | None:
    """The override in force today, if any."""
    today = today or local_now().date()
    return db.session.scalar(select(Override).where(Override.customer_id == customer_id,
                                                    Override.expires_on >= today))


def set_override(customer: Customer, grade: str, reason: str, expires_on: date, user: Any) -> Override:
    """Set a grade by hand until ``expires_on`` (at most a year ahead); audited. Replaces an older one."""
    today = local_now().date()
    if grade not in GRADE_LABELS:
        raise OverrideRefused(_("Choose a grade."))
    if not reason.strip():
        raise OverrideRefused(_("Say why the grade is set by hand."))
    if not today <= expires_on <= today + timedelta(days=MAX_OVERRIDE_DAYS):
        raise OverrideRefused(_("The override ends between today and a year from now."))
    # the customer's row is the lock: two managers setting the first override at once queue up here
    db.session.execute(select(Customer.id).where(Customer.id == customer.id).with_for_update())
    override = db.session.scalar(select(Override).where(Override.customer_id == customer.id)
                                 .with_for_update(of=Override))
    if override is None:
        override = Override(customer_id=customer.id)
        db.session.add(override)
    override.grade, override.reason, override.expires_on, override.set_by_id = grade, reason.strip(), expires_on, user.id
    return override


def end_override(customer: Customer) -> bool:
    """End the override now (audited as a deletion); the computed grade applies again."""
    override = db.session.scalar(select(Override).where(Override.customer_id == customer.id).with_for_update(of=Override))
    if override is None:
        return False
    db.session.delete(override)
    return True


def tonnes(kg: int) -> str:
    return format_decimal(Decimal(kg) / 1000, format="#,##0.#")


def reasons(row: Grade) -> list[str]:
    """Why the customer has its grades, one sentence each, with the figures they rest on."""
    t, i = thresholds(), row.inputs or {}
    found: list[str] = []
    window = _("by shipped tonnes over the last 12 months")
    if row.grade == "key":
        found.append(_("Key: rank %(rank)s of %(count)s %(window)s (%(tonnes)s t); the top %(top)s are key.",
                       rank=format_decimal(row.key_rank), count=format_decimal(row.ranked), window=window,
                       tonnes=tonnes(i.get("kg_12m", 0)), top=t.key_count))
    elif row.grade in ("focus", "general") and row.key_rank:
        found.append(_("Rank %(rank)s of %(count)s %(window)s (%(tonnes)s t); the top %(top)s are key.",
                       rank=format_decimal(row.key_rank), count=format_decimal(row.ranked), window=window,
                       tonnes=tonnes(i.get("kg_12m", 0)), top=t.key_count))
    elif row.grade in ("focus", "general"):
        found.append(_("No shipments in the last 12 months."))
    if row.grade == "potential":
        found.append(_("Potential: %(visits)s visits logged (%(needed)s needed), intends to order, no order yet.",
                       visits=i.get("visits", 0), needed=t.potential_visits))
    found += [_focus_reason(name, i, t) for name in (row.focus or "").split(",") if name]
    if row.grade == "general":
        found.append(_("General: not among the key customers and no focus reason applies."))
    return found


def _focus_reason(name: str, i: dict[str, Any], t: Any) -> str:
    last, previous = i.get("kg_last_90", 0), i.get("kg_prev_90", 0)
    change = growth(last, previous)
    shown_change = format_percent(change, format="+#,##0%;-#,##0%") if change is not None and change.is_finite() \
        else _("new volume")
    if name == "new":
        first = date.fromisoformat(i["first_order"]) if i.get("first_order") else None
        days = (local_now().date() - first).days if first else 0
        return _("Focus, new customer: first order on %(date)s, %(days)s days ago (old after 365 days).",
                 date=i.get("first_order") or "—", days=days)
    if name == "unstable":
        cv = coefficient_of_variation(i.get("monthly_kg") or [])
        months = " / ".join(tonnes(kg) for kg in i.get("monthly_kg") or [])
        return _("Focus, unstable volume: monthly tonnes of the last 6 months (%(months)s) vary by %(cv)s, "
                 "more than %(limit)s.", months=months, cv=format_decimal(cv or 0, format="0.00"),
                 limit=format_decimal(t.unstable_cv, format="0.00"))
    if name == "fast_growing":
        return _("Focus, fast-growing: %(last)s t in the last 90 days against %(previous)s t before (%(change)s), "
                 "and the rep sees growth potential.", last=tonnes(last), previous=tonnes(previous),
                 change=shown_change)
    parts = []
    if change is not None and change.is_finite() and change <= -t.churn_drop:
        parts.append(_("%(last)s t in the last 90 days against %(previous)s t before (%(change)s)",
                       last=tonnes(last), previous=tonnes(previous), change=shown_change))
    if i.get("last_order") and i.get("interval_days"):
        days = (local_now().date() - date.fromisoformat(i["last_order"])).days
        if days > float(t.gap_factor) * i["interval_days"]:
            parts.append(_("%(days)s days since the last order, more than %(factor)s × the usual %(interval)s days",
                           days=days, factor=format_decimal(t.gap_factor), interval=i["interval_days"]))
    return _("Focus, churn trend: %(why)s.", why="; ".join(parts) or _("see the figures below"))
