"""The printed forms of the manual: phone order record, pick-up slip, weighbridge ticket, gate pass."""
from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import abort

from core.api import Document, db, get_visible_or_404, record_event
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.forms import TRANSPORT
from plugins.logistics.i18n import _l
from plugins.logistics.models import Order, Trip
from plugins.logistics.schedule import load_sheet


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _order(record_id: int, user: Any) -> dict[str, Any]:
    order = get_visible_or_404(Order, record_id, user)
    return {"order": order, "flow": ORDER_FLOW, "transport": TRANSPORT}


def _counted_trip(record_id: int, user: Any, need_pass: bool = False) -> dict[str, Any]:
    """Every print after the first of each form is a copy: counted, marked 副本/COPY, and audited."""
    trip = get_visible_or_404(Trip, record_id, user)
    if trip.state == "voided" or (need_pass and not trip.pass_number):
        abort(404)
    counter = "pass_print_count" if need_pass else "print_count"
    printed = (getattr(trip, counter) or 0) + 1
    setattr(trip, counter, printed)
    record_event("logistics_trips", trip.id, "print",
                 {"document": "gate_pass" if need_pass else "weigh_ticket", "copy": printed - 1},
                 customer_id=trip.customer_id)
    db.session.commit()
    context = {"trip": trip, "order": trip.order, "copy": printed - 1}
    if need_pass:
        context["qr"] = qr_data_uri(trip.pass_token)
    return context


def documents() -> list[Document]:
    return [
        Document("phone_order", _l("Phone order record"), "logistics/print/phone_order.html", "logistics.view",
                 _order, page_size="A5"),
        Document("pickup_slip", _l("Pick-up slip"), "logistics/print/pickup_slip.html", "logistics.view",
                 _order, page_size="A5 landscape"),
        Document("weigh_ticket", _l("Weighbridge ticket"), "logistics/print/weigh_ticket.html", "logistics.view",
                 _counted_trip, page_size="A5 landscape"),
        Document("production_schedule", _l("Production schedule"), "logistics/print/schedule.html",
                 "logistics.view", load_sheet, page_size="A4"),
        Document("gate_pass", _l("Gate pass"), "logistics/print/gate_pass.html", "logistics.view",
                 lambda record_id, user: _counted_trip(record_id, user, need_pass=True), page_size="A5 landscape"),
    ]
