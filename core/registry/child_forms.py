"""Forms of the records that hang off a customer archive."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from core.db import utcnow
from core.forms import DateField, LocalDateTimeField, MoneyField, choices
from core.registry.uploads import MaxFileSize

PHONE = Regexp(r"^[0-9+()\- ]{5,}$", message=_l("A phone number has digits, spaces, +, - and brackets."))

PERSON_ROLES = {"owner": _l("Proprietor"), "operator": _l("Operator"), "manager": _l("Manager"),
                "legal_rep": _l("Legal representative"), "other": _l("Other")}
CONTACT_KINDS = {"visit": _l("Visit"), "phone": _l("Phone call")}
DATE_KINDS = {"birthday": _l("Birthday"), "opening": _l("Opening anniversary"), "wedding": _l("Wedding"),
              "other": _l("Other")}
SECONDARY_TYPES = {"farm": _l("Farm"), "distributor": _l("Distributor"), "feed_mill": _l("Feed mill")}


class KeyPersonForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices(PERSON_ROLES.items()))
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50), PHONE])
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    education = StringField(_l("Education"), validators=[Optional(), Length(max=100)])
    personality = TextAreaField(_l("Personality"), validators=[Optional(), Length(max=2000)])
    interests = TextAreaField(_l("Interests"), validators=[Optional(), Length(max=2000)])
    family = TextAreaField(_l("Family"), validators=[Optional(), Length(max=2000)])


class ContractForm(FlaskForm):
    number = StringField(_l("Contract number"), validators=[DataRequired(), Length(max=64)])
    signed_on = DateField(_l("Signed on"), validators=[Optional()])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    terms = TextAreaField(_l("Terms"), validators=[Optional(), Length(max=5000)])
    upload = FileField(_l("Contract file (PDF, image, Word)"), validators=[
        FileAllowed(["pdf", "png", "jpg", "jpeg", "doc", "docx"], _l("Upload a PDF, an image or a Word file.")),
        MaxFileSize("CONTRACT_MAX_BYTES")])


class MarketingPlanForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    period = StringField(_l("Period"), validators=[Optional(), Length(max=100)])
    content = TextAreaField(_l("Content"), validators=[Optional(), Length(max=10000)])


class EvaluationForm(FlaskForm):
    evaluated_on = DateField(_l("Date"), validators=[DataRequired()], default=lambda: utcnow().date())
    summary = TextAreaField(_l("Evaluation"), validators=[DataRequired(), Length(max=10000)])


class SecondaryCustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    business_type = SelectField(_l("Business type"), choices=choices(SECONDARY_TYPES.items()))
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50), PHONE])
    volume = StringField(_l("Volume"), validators=[Optional(), Length(max=100)])
    is_core = BooleanField(_l("Core customer"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])


class ContactLogForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(CONTACT_KINDS.items()))
    at = LocalDateTimeField(_l("Time"), validators=[DataRequired()], default=utcnow)
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    method = StringField(_l("Method"), validators=[Optional(), Length(max=100)])
    cost_cents = MoneyField(_l("Cost (yuan)"), validators=[Optional()])
    people_met = StringField(_l("People met"), validators=[Optional(), Length(max=300)])
    content = TextAreaField(_l("Content"), validators=[DataRequired(), Length(max=5000)])
    result = TextAreaField(_l("Result"), validators=[Optional(), Length(max=5000)])
    follow_up_on = DateField(_l("Follow up on"), validators=[Optional()])


class ImportantDateForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(DATE_KINDS.items()))
    on = DateField(_l("Date"), validators=[DataRequired()])
    person = StringField(_l("Person"), validators=[Optional(), Length(max=100)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])
