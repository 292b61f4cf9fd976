"""Products and vehicles, the office's master data: one rule for their codes and plates, whether a
row is typed on the master pages or a truck is first seen at the weighbridge."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from core.api import db
from plugins.logistics.i18n import _
from plugins.logistics.models import Product, Vehicle


class Taken(ValueError):
    """The code or plate belongs to another row; ``str()`` is the message for the form."""


def plate_of(text: str) -> str:
    """Plates are kept trimmed and upper-case, so 豫a12345 and 豫A12345 are one truck."""
    return text.strip().upper()


def vehicle_for(plate: str) -> Vehicle:
    """The registered truck with this plate, registered now if it is new."""
    plate = plate_of(plate)
    vehicle = db.session.scalar(select(Vehicle).where(Vehicle.plate == plate))
    if vehicle is None:
        vehicle = Vehicle(plate=plate)
        db.session.add(vehicle)
        db.session.flush()
    return vehicle


def save_row(model: type[Product] | type[Vehicle], row: Any, value: str,
             fill: Callable[[Any], None]) -> Any:
    """Create (``row`` None) or update a product or vehicle: ``fill`` copies the form's fields,
    ``value`` is its code or plate, which no other row may have."""
    key = "plate" if model is Vehicle else "code"
    value = plate_of(value) if key == "plate" else value.strip()
    clash = db.session.scalar(select(model).where(getattr(model, key) == value))
    if clash is not None and clash is not row:
        raise Taken(_("This truck is registered already.") if key == "plate" else _("This code is taken."))
    row = row or model()
    fill(row)
    setattr(row, key, value)
    db.session.add(row)
    return row
