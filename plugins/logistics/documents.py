"""The printed forms of the manual: phone order record, pick-up slip, weighbridge ticket, gate pass."""
from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import abort
from sqlalchemy import func, select

from core.api import Document, User, db, get_visible_or_404, record_event
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.forms import TRANSPORT
from plugins.logistics.i18n import _l
from plugins.logistics.models import Order, PrintLog, Trip
from plugins.logistics.schedule import load_sheet


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _order(record_id: int, user: Any) -> dict[str, Any]:
    order = get_visible_or_404(Order, record_id, user)
    return {"order": order, "flow": ORDER_FLOW, "transport": TRANSPORT}


COUNTERS = {"weigh_ticket": "print_count", "gate_pass": "pass_print_count"}


def trip_for_print(record_id: int, user: Any, document: str) -> Trip:
    trip = get_visible_or_404(Trip, record_id, user)
    if trip.state == "voided" or (document == "gate_pass" and not trip.pass_number):
        abort(404)
    return trip


def trip_context(trip: Trip, document: str, copy: int | None = None, preview: bool = False) -> dict[str, Any]:
    context = {"trip": trip, "order": trip.order, "copy": copy, "preview": preview,
               "weigher": _name(trip.gross_by_id or trip.tare_by_id), "made_by": _name(trip.order.created_by)}
    if document == "gate_pass":
        context["qr"] = qr_data_uri(trip.pass_token)
    return context


def _name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.display_name if user else ""


def _fetched_trip(record_id: int, user: Any, document: str) -> dict[str, Any]:
    """A GET of a ticket's form: a numbered copy once the original was issued (by a POST), a
    preview before. It appends a read-audit row, and changes nothing on the ticket."""
    trip = trip_for_print(record_id, user, document)
    issued = bool(getattr(trip, COUNTERS[document]))
    copy = None
    if issued:
        copy = 1 + (db.session.scalar(select(func.count()).select_from(PrintLog).where(
            PrintLog.trip_id == trip.id, PrintLog.document == document, PrintLog.kind == "copy")) or 0)
    db.session.add(PrintLog(trip_id=trip.id, document=document, kind="copy" if issued else "preview",
                            copy=copy or 0, user_id=user.id))
    if issued:
        record_event("logistics_trips", trip.id, "print", {"document": document, "copy": copy},
                     customer_id=trip.customer_id)
    return trip_context(trip, document, copy=copy, preview=not issued)


def documents() -> list[Document]:
    return [
        Document("phone_order", _l("Phone order record"), "logistics/print/phone_order.html", "logistics.view",
                 _order, page_size="A5"),
        Document("pickup_slip", _l("Pick-up slip"), "logistics/print/pickup_slip.html", "logistics.view",
                 _order, page_size="A5 landscape"),
        Document("weigh_ticket", _l("Weighbridge ticket"), "logistics/print/weigh_ticket.html", "logistics.view",
                 lambda record_id, user: _fetched_trip(record_id, user, "weigh_ticket"), page_size="A5 landscape"),
        Document("production_schedule", _l("Production schedule"), "logistics/print/schedule.html",
                 "logistics.view", load_sheet, page_size="A4"),
        Document("gate_pass", _l("Gate pass"), "logistics/print/gate_pass.html", "logistics.view",
                 lambda record_id, user: _fetched_trip(record_id, user, "gate_pass"), page_size="A5 landscape"),
    ]
