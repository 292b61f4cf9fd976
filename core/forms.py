"""Form helpers and fields shared by core and plugins."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import wtforms
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.fields.choices import SelectChoice
from wtforms.fields.datetime import DateTimeLocalField
from wtforms.validators import StopValidation
from wtforms.widgets import NumberInput

from core.clock import to_local, to_utc
from core.inputs import FIRST_DAY, INT_MAX, INT_MIN, LAST_DAY, in_date_window
from core.money import money

DATE_WINDOW = _l("Enter a date between %(first)s and %(last)s.", first=FIRST_DAY.isoformat(),
                 last=LAST_DAY.isoformat())


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices; labels may be lazy strings."""
    return [SelectChoice(value, label) for value, label in pairs]


class _ReadsItsText:
    """A field that reads its typed text itself keeps what is wrong with it in ``problem`` and
    reports it before the validators run, so a ``DataRequired`` cannot replace the message with
    "This field is required." (WTForms' required validators clear earlier errors)."""

    problem: Any = None

    def pre_validate(self, form: Any) -> None:
        if self.problem:
            raise StopValidation(self.problem)


class MoneyField(_ReadsItsText, Field):
    """Typed in yuan with up to two decimals, stored as integer cents (never a float).

    At most ``max_cents``, by default what an integer column holds (¥21,474,836.47).
    """

    widget = NumberInput(step="0.01", min="0")

    def __init__(self, *args: Any, max_cents: int = INT_MAX, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_cents = max_cents

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{Decimal(self.data) / 100:.2f}"

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = self.problem = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            return
        try:
            cents = Decimal(text) * 100
        except ArithmeticError:  # not a number, or one beyond Decimal's exponent range
            cents = Decimal("NaN")
        if not cents.is_finite() or cents < 0 or cents != cents.to_integral_value():  # NaN, Infinity
            self.problem = _l("Enter an amount such as 1280.50.")
        elif cents > self.max_cents:
            self.problem = _l("Enter an amount of at most %(amount)s.", amount=money(self.max_cents))
        else:
            self.data = int(cents)


class IntegerField(wtforms.IntegerField):
    """A whole number that fits the integer column it is stored in; a ``NumberRange`` narrows it."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not INT_MIN <= self.data <= INT_MAX:
            raise StopValidation(_l("This number is out of range."))


class DateField(wtforms.DateField):
    """A typed date inside the window of ``core.inputs`` (1900–2100)."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and not in_date_window(self.data):
            raise StopValidation(DATE_WINDOW)


class LocalDateTimeField(_ReadsItsText, DateTimeLocalField):
    """Shown and typed in the company's timezone, stored as naive UTC."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_data(self, value: datetime | None) -> None:
        if value is not None:
            value = to_local(value)
        super().process_data(value)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.problem = None
        super().process_formdata(valuelist)
        if self.data is not None and not in_date_window(self.data.date()):
            self.data, self.problem = None, DATE_WINDOW
        if self.data is not None:
            self.data = to_utc(self.data)
