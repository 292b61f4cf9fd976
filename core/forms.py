"""Form helpers and fields shared by core and plugins."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.fields.choices import SelectChoice
from wtforms.fields.datetime import DateTimeLocalField
from wtforms.widgets import NumberInput

from core.clock import to_local, to_utc


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices; labels may be lazy strings."""
    return [SelectChoice(value, label) for value, label in pairs]


class MoneyField(Field):
    """Typed in yuan with up to two decimals, stored as integer cents (never a float)."""

    widget = NumberInput(step="0.01", min="0")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{Decimal(self.data) / 100:.2f}"

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            self.data = None
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter an amount such as 1280.50.")) from None
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            self.data = None
            raise ValueError(_l("Enter an amount such as 1280.50."))
        self.data = int(amount * 100)


class LocalDateTimeField(DateTimeLocalField):
    """Shown and typed in the company's timezone, stored as naive UTC."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_data(self, value: datetime | None) -> None:
        if value is not None:
            value = to_local(value)
        super().process_data(value)

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = to_utc(self.data)
