from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import DateField, choices
from core.registry.child_forms import PHONE

BUSINESS_TYPE_LABELS = {
    "distributor": _l("Distributor"),
    "farm": _l("Direct user (farm)"),
    "feed_mill": _l("Feed mill"),
}


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    business_type = SelectField(_l("Business type"), choices=choices(BUSINESS_TYPE_LABELS.items()))
    size_class = SelectField(_l("Size class"), choices=choices([("", "—"), ("A", "A"), ("B", "B"), ("C", "C")]),
                             validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50), PHONE])
    mobile = StringField(_l("Mobile"), validators=[Optional(), Length(max=50), PHONE])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    region_id = SelectField(_l("Region"), coerce=int)
    owner_id = SelectField(_l("Owner"), coerce=int, validators=[Optional()])
    founding_date = DateField(_l("Founded on"), validators=[Optional()])
    organisation_form = StringField(_l("Organisation form"), validators=[Optional(), Length(max=100)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=100)])
    assets = StringField(_l("Assets"), validators=[Optional(), Length(max=200)])
    is_prospect = BooleanField(_l("Prospect (no order yet)"), default=True)
    intends_to_order = BooleanField(_l("Intends to order"))
    growth_potential = BooleanField(_l("Growth potential"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    version_id = HiddenField()


class TransitionForm(FlaskForm):
    transition = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
