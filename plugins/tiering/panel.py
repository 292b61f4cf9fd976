"""The grade panel on the customer page: grade, reasons, figures, history and the override."""
from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, select

from core.api import ContactLog, Customer, db, local_month_bounds, local_now
from plugins.tiering.contact_plan import next_due
from plugins.tiering.forms import OverrideForm
from plugins.tiering.key_accounts import PLAN_FLOW
from plugins.tiering.labels import ATTRIBUTE_LABELS, GRADE_LABELS, LEVELS, attribute_value
from plugins.tiering.models import Grade, KeyEvaluation, KeyPlan, Snapshot
from plugins.tiering.services import current_override, reasons
from plugins.tiering.settings import calls_per_month

HISTORY_ROWS = 12


def panel_html(customer: Customer, user: Any) -> str:
    row = db.session.get(Grade, customer.id)
    history = db.session.scalars(select(Snapshot).where(Snapshot.customer_id == customer.id)
                                 .order_by(Snapshot.computed_at.desc(), Snapshot.id.desc()).limit(HISTORY_ROWS)).all()
    override = current_override(customer.id)
    grade = override.grade if override else (row.grade if row else None)
    form = OverrideForm() if user.can("tiering.override") else None
    return render_template("tiering/panel.html", customer=customer, row=row, history=history,
                           override=override, form=form, reasons=reasons(row) if row else [],
                           grades=GRADE_LABELS, attributes=ATTRIBUTE_LABELS, value=attribute_value,
                           levels=LEVELS, calls=planned_calls(customer, grade),
                           key_account=key_account(customer, grade), plan_flow=PLAN_FLOW,
                           can_write=user.can("tiering.key_accounts"))


def key_account(customer: Customer, grade: str | None) -> dict[str, Any] | None:
    """Plans and evaluations of a key customer (or of one that has them from its key days)."""
    plans = db.session.scalars(select(KeyPlan).where(KeyPlan.customer_id == customer.id)
                               .order_by(KeyPlan.id.desc()).limit(5)).all()
    evaluations = db.session.scalars(select(KeyEvaluation).where(KeyEvaluation.customer_id == customer.id)
                                     .order_by(KeyEvaluation.evaluated_on.desc()).limit(4)).all()
    if grade != "key" and not plans and not evaluations:
        return None
    return {"plans": plans, "evaluations": evaluations}


def planned_calls(customer: Customer, grade: str | None) -> dict[str, Any] | None:
    """This month's plan for the customer: calls planned, made so far, and the next one's due day."""
    calls = calls_per_month().get(grade or "", 0)
    if not calls or customer.is_prospect:
        return None
    today = local_now().date()
    made = db.session.scalar(select(func.count()).select_from(ContactLog).where(
        ContactLog.customer_id == customer.id, ContactLog.at >= local_month_bounds(today)[0])) or 0
    return {"planned": calls, "made": min(made, calls), "next": next_due(today, calls, made)}
