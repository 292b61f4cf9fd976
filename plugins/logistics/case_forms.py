"""Forms of the order's own cases: review submission, rush, line changes, stock-up, arrival."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.api import IntegerField, LocalDateTimeField, utcnow
from plugins.logistics.forms import MAX_BAGS, TONNES
from plugins.logistics.i18n import _l


class SubmitReviewForm(FlaskForm):
    comment = TextAreaField(_l("What changed (for the reviewer)"), validators=[Optional(), Length(max=1000)])


class RushForm(FlaskForm):
    rush = HiddenField(default="1")
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class ArrivalForm(FlaskForm):
    arrived_at = LocalDateTimeField(_l("Received by the customer at"), validators=[DataRequired()], default=utcnow)


class ChangedLineForm(FlaskForm):
    class Meta:
        csrf = False

    line_id = HiddenField()
    product_id = SelectField(_l("Product"), coerce=int, validators=[Optional()])
    tonnes = StringField(_l("Tonnes"), validators=[Optional(), TONNES])
    bags = IntegerField(_l("Bags"), validators=[Optional(), NumberRange(min=1, max=MAX_BAGS)])
    remove = BooleanField(_l("Remove"))


class LinesForm(FlaskForm):
    lines = FieldList(FormField(ChangedLineForm), min_entries=1, max_entries=12)


def stock_counts(data: Any, line_ids: list[int], kept: dict[str, bool]) -> dict[int, dict[str, int]] | str:
    """The stock-up form's ``produced-<line id>`` and ``ready-<line id>`` fields the user keeps, or a
    message (bounded whole numbers only)."""
    counts: dict[int, dict[str, int]] = {}
    for line_id in line_ids:
        for name in (n for n, allowed in kept.items() if allowed):
            raw = (data.get(f"{name}-{line_id}") or "").strip()
            if not raw:
                continue
            if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_BAGS:
                return str(_l("Bags are a whole number from 0 to %(most)s.", most=MAX_BAGS))
            counts.setdefault(line_id, {})[name] = int(raw)
    if not counts:
        return str(_l("Enter the bags of at least one product."))
    return counts
