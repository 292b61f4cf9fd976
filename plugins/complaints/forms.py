"""The complaint's forms: intake and one small form per step."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.api import DateField, LocalDateTimeField, MaxFileSize, MoneyField, choices
from plugins.complaints.flows import (
    ATTACHMENT_KINDS,
    CATEGORIES,
    CHANNELS,
    PATHS,
    REMEDIES,
    SATISFACTION,
    SEVERITIES,
    SIGN_DEPARTMENTS,
    WAYS,
)
from plugins.complaints.i18n import _l

ALLOWED_FILES = ["jpg", "jpeg", "png", "webp", "heic", "pdf"]
TEXT = 5000


def _text(label, required=True, limit=TEXT):
    return TextAreaField(label, validators=[DataRequired() if required else Optional(), Length(max=limit)])


PHOTO_LABEL = _l("Photo or lab report (JPG, PNG, PDF)")


def upload_field(label=PHOTO_LABEL):
    return FileField(label, validators=[FileAllowed(ALLOWED_FILES, _l("Upload a photo (JPG, PNG) or a PDF.")),
                                        MaxFileSize("COMPLAINTS_MAX_BYTES")])


class IntakeForm(FlaskForm):
    customer_id = SelectField(_l("Customer"), coerce=int, validators=[InputRequired()])
    channel = SelectField(_l("Channel"), choices=choices(CHANNELS.items()))
    category = SelectField(_l("Category"), choices=choices(CATEGORIES.items()))
    description = _text(_l("What the customer reports"))
    customer_request = _text(_l("What the customer asks for"), required=False, limit=2000)
    document = SelectField(_l("Order, weighbridge ticket or batch"), validators=[Optional()], choices=[])
    batch_ref = StringField(_l("Production batch (生产批号)"), validators=[Optional(), Length(max=40)])
    severity = SelectField(_l("Severity"), validators=[Optional()],
                           choices=choices([("", _l("As suggested")), *SEVERITIES.items()]))
    severity_reason = StringField(_l("Reason for another severity"), validators=[Optional(), Length(max=1000)])
    spot_answer = _text(_l("Answer given on the spot (closes the complaint)"), required=False)
    upload = upload_field()
    upload_kind = SelectField(_l("Kind of file"), choices=choices(ATTACHMENT_KINDS.items()))


class NoteForm(FlaskForm):
    """A step that takes one text: findings, plan, evidence, report, the acknowledgement note."""

    text = _text(_l("Text"), required=False)


class AssessForm(FlaskForm):
    path = SelectField(_l("Handling"), choices=choices((key, PATHS[key]) for key in ("minor", "serious")))
    severity = SelectField(_l("Severity"), choices=choices(SEVERITIES.items()))
    reason = StringField(_l("Reason for a change of severity"), validators=[Optional(), Length(max=1000)])


class HandlingForm(FlaskForm):
    loss = _text(_l("Customer's actual loss"))
    claim = _text(_l("Customer's claim"))
    findings = _text(_l("On-site findings"))
    cause = _text(_l("Cause of the loss"), required=False)
    remedy = SelectField(_l("Remedy"), choices=choices(REMEDIES.items()))


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def lab_time(form, field):
    """0 to 60 days; NaN and infinity are refused here, not compared (they would raise)."""
    if field.data is not None and not (field.data.is_finite() and 0 <= field.data <= 60):
        raise ValidationError(_l("Give QC's lab time in days (0 to 60)."))


class DepartmentsForm(FlaskForm):
    departments = MultiCheckbox(_l("Departments to sign"), choices=choices(SIGN_DEPARTMENTS.items()))
    lab_days = DecimalField(_l("QC lab time (days)"), places=1, validators=[Optional(), lab_time])


class SettlementForm(FlaskForm):
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired()], max_cents=10**11)
    way = SelectField(_l("Way"), choices=choices(WAYS.items()))
    on = DateField(_l("Date"), validators=[DataRequired()])
    note = _text(_l("Proposal"), required=False, limit=2000)


class DecisionForm(FlaskForm):
    comment = _text(_l("Opinion or reason"), required=False, limit=2000)


class ImplementForm(FlaskForm):
    evidence = _text(_l("What was done (evidence)"))
    upload = upload_field(_l("Evidence file (JPG, PNG, PDF)"))


class EvaluationForm(FlaskForm):
    of_process = _text(_l("Evaluation of the process"))
    of_plan = _text(_l("Evaluation of the plan"))
    of_result = _text(_l("Evaluation of the result"))
    root_cause = _text(_l("Root cause"), required=False)
    capa = _text(_l("Corrective and preventive action (纠正预防措施)"), required=False)


class CallbackForm(FlaskForm):
    satisfaction = SelectField(_l("Customer satisfaction"), choices=choices(SATISFACTION.items()))
    note = _text(_l("What the customer said"))
    rejects = BooleanField(_l("The customer rejects the decision"))
    recourse = _text(_l("Further recourse offered"), required=False, limit=2000)


class ArrivalForm(FlaskForm):
    at = LocalDateTimeField(_l("Arrived on site at"), validators=[DataRequired()])


class HandoverForm(FlaskForm):
    to_id = SelectField(_l("Hand over to"), coerce=int)
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class AttachForm(FlaskForm):
    upload = upload_field()
    kind = SelectField(_l("Kind of file"), choices=choices(ATTACHMENT_KINDS.items()))


class ConfirmForm(FlaskForm):
    """A button only (archive, recall list): the CSRF token."""
