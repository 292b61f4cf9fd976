"""Forms of the promotion and materials pages."""
from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from core.api import DateField, IntegerField, MoneyField, choices
from plugins.promotions.i18n import _l
from plugins.promotions.models import RATINGS

TONNES = Regexp(r"^\d{1,7}(\.\d{1,3})?$", message=_l("Tonnes with at most three decimals, e.g. 120 or 12.5."))
MAX_QUANTITY = 1_000_000
TEXT = 5000


def kg_of(tonnes: str | None) -> int:
    """Kilograms of a tonnes text the ``TONNES`` validator accepted (empty: 0)."""
    return int(Decimal(tonnes) * 1000) if tonnes else 0


class MaterialLineForm(FlaskForm):
    class Meta:
        csrf = False

    item_id = SelectField(_l("Material"), coerce=int, validators=[Optional()])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=0, max=MAX_QUANTITY)])


class ApplicationForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    region_id = SelectField(_l("Region"), coerce=int, validators=[DataRequired()])
    period_start = DateField(_l("Period from"), validators=[DataRequired()])
    period_end = DateField(_l("Period to"), validators=[DataRequired()])
    target_rule = SelectField(_l("Target customers by rule"), validators=[Optional()])
    target_codes = TextAreaField(_l("Target customers by code"), validators=[Optional(), Length(max=200_000)],
                                 render_kw={"placeholder": _l("Customer codes, one per line or separated by commas.")})
    situation_before = TextAreaField(_l("Situation before"), validators=[DataRequired(), Length(max=TEXT)])
    purpose = TextAreaField(_l("Purpose"), validators=[DataRequired(), Length(max=TEXT)])
    target_tonnes = StringField(_l("Target volume (tonnes)"), validators=[Optional(), TONNES])
    target_amount = MoneyField(_l("Target amount (yuan)"), validators=[Optional()], max_cents=10**13)
    target_new_customers = IntegerField(_l("Target new customers"),
                                        validators=[Optional(), NumberRange(min=0, max=100_000)])
    plan = TextAreaField(_l("Plan"), validators=[DataRequired(), Length(max=TEXT)])
    budget = MoneyField(_l("Budget (yuan)"), validators=[InputRequired()], max_cents=10**11)
    materials = FieldList(FormField(MaterialLineForm), min_entries=3, max_entries=20)


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ExecutionForm(FlaskForm):
    happened_on = DateField(_l("Date"), validators=[DataRequired()])
    activity = TextAreaField(_l("Activity"), validators=[DataRequired(), Length(max=TEXT)])
    spend = MoneyField(_l("Spend (yuan)"), validators=[Optional()], max_cents=10**11)
    photos = MultipleFileField(_l("Photos (JPEG, PNG or WebP)"))


class CompletionForm(FlaskForm):
    rating = SelectField(_l("Completion"), choices=choices(RATINGS.items()), validators=[DataRequired()])
    note = TextAreaField(_l("Completion assessment"), validators=[DataRequired(), Length(max=TEXT)])


class EvaluationForm(FlaskForm):
    execution_summary = TextAreaField(_l("Execution"), validators=[DataRequired(), Length(max=TEXT)])
    achievement_summary = TextAreaField(_l("Target achievement"), validators=[DataRequired(), Length(max=TEXT)])
    problems = TextAreaField(_l("Problems"), validators=[Optional(), Length(max=TEXT)])
    improvements = TextAreaField(_l("Improvements"), validators=[Optional(), Length(max=TEXT)])
    success_case = BooleanField(_l("A success case to share"))
    case_summary = TextAreaField(_l("What others can learn"), validators=[Optional(), Length(max=TEXT)])


class ItemForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])


class ReceiptForm(FlaskForm):
    item_id = SelectField(_l("Material"), coerce=int, validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=1, max=MAX_QUANTITY)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class IssueForm(FlaskForm):
    line_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=1, max=MAX_QUANTITY)])
    note = StringField(_l("Issued to"), validators=[Optional(), Length(max=200)])


class PlanForm(FlaskForm):
    region_id = SelectField(_l("Region"), coerce=int, validators=[DataRequired()])
    period_start = DateField(_l("Period from"), validators=[DataRequired()])
    period_end = DateField(_l("Period to"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=TEXT)])
    lines = FieldList(FormField(MaterialLineForm), min_entries=5, max_entries=30)

