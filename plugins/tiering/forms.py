"""Tiering's forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.api import DateField, choices
from plugins.tiering.i18n import _l
from plugins.tiering.labels import GRADE_LABELS


class OverrideForm(FlaskForm):
    grade = SelectField(_l("Grade"), choices=choices(GRADE_LABELS.items()), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    expires_on = DateField(_l("Valid until"), validators=[DataRequired()])
