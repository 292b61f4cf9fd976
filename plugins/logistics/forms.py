"""Forms of the orders and shipping pages."""
from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from core.api import DateField, IntegerField, LocalDateTimeField, MoneyField, choices, utcnow
from plugins.logistics.i18n import _l

TRANSPORT = {"pickup": _l("Customer pick-up"), "company": _l("Company truck"), "carrier": _l("Carrier")}
PAYMENT_METHODS = {"transfer": _l("Bank transfer"), "cash": _l("Cash"), "acceptance": _l("Bank acceptance bill")}
MAX_BAGS = 100_000  # 4 000 t of 40 kg bags: far beyond a truck, well inside the columns
TONNES = Regexp(r"^\d{1,4}(\.\d{1,3})?$", message=_l("Tonnes with at most three decimals, e.g. 25 or 12.5."))


class LineForm(FlaskForm):
    class Meta:
        csrf = False

    product_id = SelectField(_l("Product"), coerce=int, validators=[Optional()])
    tonnes = StringField(_l("Tonnes"), validators=[Optional(), TONNES])
    bags = IntegerField(_l("Bags"), validators=[Optional(), NumberRange(min=1, max=MAX_BAGS)])


class OrderForm(FlaskForm):
    ordered_by = StringField(_l("Person ordering"), validators=[Optional(), Length(max=50)])
    ordered_at = LocalDateTimeField(_l("Order time"), validators=[DataRequired()], default=utcnow)
    address = StringField(_l("Delivery address"), validators=[Optional(), Length(max=300)])
    delivery_on = DateField(_l("Requested delivery date"), validators=[Optional()])
    transport = SelectField(_l("Transport"), choices=choices(TRANSPORT.items()))
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=2000)])
    lines = FieldList(FormField(LineForm), min_entries=3, max_entries=10)


class PaymentForm(FlaskForm):
    amount = MoneyField(_l("Amount received (yuan)"), validators=[DataRequired()])
    method = SelectField(_l("Method"), choices=choices(PAYMENT_METHODS.items()))


class InvoiceForm(FlaskForm):
    invoice_number = StringField(_l("Invoice number"), validators=[DataRequired(), Length(max=50)])


class TareForm(FlaskForm):
    order_id = SelectField(_l("Order"), coerce=int)
    plate = StringField(_l("Truck plate"), validators=[DataRequired(), Length(max=20)])
    weight = IntegerField(_l("Weight (kg)"), validators=[DataRequired(), NumberRange(min=1, max=200000)])
    reason = StringField(_l("Reason for an override"), validators=[Optional(), Length(max=300)])


BATCH = re.compile(r"[0-9A-Za-z\-_/.]{1,40}")


def loaded_lines(data: Any, line_ids: list[int]) -> tuple[dict[int, int], dict[int, str]] | str:
    """The loading form's fields ``bags-<line id>`` and ``batch-<line id>`` (``bags`` alone for an
    order of one line): bags per line and production batch numbers, or a message for the keeper."""
    bags: dict[int, int] = {}
    batches: dict[int, str] = {}
    for line_id in line_ids:
        raw = (data.get(f"bags-{line_id}") or (data.get("bags") if len(line_ids) == 1 else "") or "").strip()
        if raw:
            if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_BAGS:
                return str(_l("Bags are a whole number from 1 to %(most)s.", most=MAX_BAGS))
            bags[line_id] = int(raw)
        batch = (data.get(f"batch-{line_id}") or (data.get("batch") if len(line_ids) == 1 else "") or "").strip()
        if batch:
            if not BATCH.fullmatch(batch):
                return str(_l("A batch number has up to 40 letters, digits and - _ / ."))
            batches[line_id] = batch
    if not any(bags.values()):
        return str(_l("Enter the bags loaded of at least one product."))
    return bags, batches


class GrossForm(FlaskForm):
    weight = IntegerField(_l("Weight (kg)"), validators=[DataRequired(), NumberRange(min=1, max=200000)])
    reason = StringField(_l("Reason for an override"), validators=[Optional(), Length(max=300)])


class GateForm(FlaskForm):
    code = StringField(_l("QR code of the gate pass"), validators=[DataRequired(), Length(max=80)])
    typed = BooleanField(_l("Typed pass number (manual, supervisors only)"))


class ProductForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    bag_weight_kg = IntegerField(_l("Bag weight (kg)"), validators=[DataRequired(), NumberRange(min=1, max=1000)])
    pellet_size = StringField(_l("Pellet size"), validators=[Optional(), Length(max=20)])
    price_cents_per_tonne = MoneyField(_l("Price per tonne (yuan)"), validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)


class VehicleForm(FlaskForm):
    plate = StringField(_l("Truck plate"), validators=[DataRequired(), Length(max=20)])
    carrier = StringField(_l("Carrier"), validators=[Optional(), Length(max=100)])
    driver = StringField(_l("Driver"), validators=[Optional(), Length(max=50)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    capacity_kg = IntegerField(_l("Capacity (kg)"), validators=[Optional(), NumberRange(min=1, max=200000)])


class CorrectionForm(FlaskForm):
    tare = IntegerField(_l("Tare (kg)"), validators=[DataRequired(), NumberRange(min=1, max=200000)])
    gross = IntegerField(_l("Gross (kg)"), validators=[Optional(), NumberRange(min=1, max=200000)])
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=500)])
