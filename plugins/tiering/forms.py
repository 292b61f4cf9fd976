"""Tiering's forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.api import DateField, MoneyField, choices
from plugins.tiering.i18n import _l
from plugins.tiering.labels import GRADE_LABELS


class OverrideForm(FlaskForm):
    grade = SelectField(_l("Grade"), choices=choices(GRADE_LABELS.items()), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    expires_on = DateField(_l("Valid until"), validators=[DataRequired()])


SCORES = choices([(str(n), str(n)) for n in range(5, 0, -1)])


class KeyPlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    period = StringField(_l("Period"), validators=[DataRequired(), Length(max=50)],
                         description=_l("e.g. 2027 or 2027 first half"))
    goals = TextAreaField(_l("Goals"), validators=[DataRequired(), Length(max=5000)])
    actions = TextAreaField(_l("Actions"), validators=[DataRequired(), Length(max=5000)])
    budget_cents = MoneyField(_l("Budget (yuan)"), validators=[InputRequired()])


class KeyEvaluationForm(FlaskForm):
    period = StringField(_l("Period"), validators=[DataRequired(), Length(max=50)],
                         description=_l("e.g. 2026 Q4"))
    evaluated_on = DateField(_l("Date"), validators=[DataRequired()])
    volume = SelectField(_l("Volume"), choices=SCORES, default="3")
    payment = SelectField(_l("Payment"), choices=SCORES, default="3")
    cooperation = SelectField(_l("Cooperation"), choices=SCORES, default="3")
    potential = SelectField(_l("Potential"), choices=SCORES, default="3")
    strengths = TextAreaField(_l("Strengths"), validators=[Optional(), Length(max=5000)])
    problems = TextAreaField(_l("Problems"), validators=[Optional(), Length(max=5000)])
    next_steps = TextAreaField(_l("Next steps"), validators=[Optional(), Length(max=5000)])
