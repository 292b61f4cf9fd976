"""The grade panel on the customer page: grade, reasons, figures, history and the override."""
from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import select

from core.api import Customer, db
from plugins.tiering.forms import OverrideForm
from plugins.tiering.labels import ATTRIBUTE_LABELS, GRADE_LABELS, LEVELS, attribute_value
from plugins.tiering.models import Grade, Snapshot
from plugins.tiering.services import current_override, reasons

HISTORY_ROWS = 12


def panel_html(customer: Customer, user: Any) -> str:
    row = db.session.get(Grade, customer.id)
    history = db.session.scalars(select(Snapshot).where(Snapshot.customer_id == customer.id)
                                 .order_by(Snapshot.computed_at.desc(), Snapshot.id.desc()).limit(HISTORY_ROWS)).all()
    override = current_override(customer.id)
    form = OverrideForm() if user.can("tiering.override") else None
    return render_template("tiering/panel.html", customer=customer, row=row, history=history,
                           override=override, form=form, reasons=reasons(row) if row else [],
                           grades=GRADE_LABELS, attributes=ATTRIBUTE_LABELS, value=attribute_value,
                           levels=LEVELS)
