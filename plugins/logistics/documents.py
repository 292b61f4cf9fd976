"""The printed forms of the manual: phone order record, pick-up slip, weighbridge ticket, gate pass.

Each form carries the manual's fields (DOMAIN.md "Forms") with the names of the people who did the
step filled in from the record's history, on the paper of the company setting
``logistics.form_paper``."""
from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import abort
from sqlalchemy import func, select

from core.api import Document, User, db, get_visible_or_404, record_event, setting
from plugins.logistics.flows import ORDER_FLOW, TRIP_FLOW
from plugins.logistics.forms import TRANSPORT
from plugins.logistics.i18n import _l
from plugins.logistics.models import Order, PrintLog, Trip
from plugins.logistics.schedule import load_sheet
from plugins.logistics.settings import PAGE_SIZES


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def form_page_size() -> str:
    """The CSS page of the paper the company prints its forms on (A5 across or A4 upright)."""
    return PAGE_SIZES[setting("logistics.form_paper")]


def _names(*user_ids: int | None) -> str:
    """The display names of the people, each once, in order: 张三、李四."""
    wanted = list(dict.fromkeys(user_id for user_id in user_ids if user_id))
    users = {user.id: user.display_name for user in
             db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    return "、".join(users[user_id] for user_id in wanted if user_id in users)


def _order(record_id: int, user: Any) -> dict[str, Any]:
    order = get_visible_or_404(Order, record_id, user)
    gone = [trip for trip in order.trips if trip.pass_used_at]
    return {"order": order, "flow": ORDER_FLOW, "transport": TRANSPORT, "gone": gone,
            "form_number": setting("logistics.phone_order_form_number")}


def _pickup_slip(record_id: int, user: Any) -> dict[str, Any]:
    """制单 is whoever made out the slip: the clerk who entered the invoice (销售票号), before
    invoicing whoever recorded the order."""
    context = _order(record_id, user)
    order = context["order"]
    context["made_by"] = _names(ORDER_FLOW.actor(order, "invoice") or order.created_by)
    return context


COUNTERS = {"weigh_ticket": "print_count", "gate_pass": "pass_print_count"}


def trip_for_print(record_id: int, user: Any, document: str) -> Trip:
    trip = get_visible_or_404(Trip, record_id, user)
    if trip.state == "voided" or (document == "gate_pass" and not trip.pass_number):
        abort(404)
    return trip


def trip_context(trip: Trip, document: str, copy: int | None = None, preview: bool = False) -> dict[str, Any]:
    """What a ticket's form shows: every product on the truck; on the weighbridge ticket the
    weighers (tare and gross) and the keeper who counted the load as the inspector (验货员); on
    the gate pass the coordinator who issued it and the day the truck leaves."""
    context: dict[str, Any] = {"trip": trip, "order": trip.order, "copy": copy, "preview": preview}
    if document == "weigh_ticket":
        context["weigher"] = _names(trip.tare_by_id, trip.gross_by_id)
        context["inspector"] = _names(TRIP_FLOW.actor(trip, "load") or TRIP_FLOW.actor(trip, "reissue_loaded"))
    else:
        context["coordinator"] = _names(TRIP_FLOW.actor(trip, "issue_pass"))
        context["exit_at"] = trip.pass_used_at or trip.gross_at or trip.tare_at
        context["qr"] = qr_data_uri(trip.pass_token)
    return context


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
                 _order, page_size=form_page_size),
        Document("pickup_slip", _l("Pick-up slip"), "logistics/print/pickup_slip.html", "logistics.view",
                 _pickup_slip, page_size=form_page_size),
        Document("weigh_ticket", _l("Weighbridge ticket"), "logistics/print/weigh_ticket.html", "logistics.view",
                 lambda record_id, user: _fetched_trip(record_id, user, "weigh_ticket"), page_size=form_page_size),
        Document("production_schedule", _l("Production schedule"), "logistics/print/schedule.html",
                 "logistics.view", load_sheet, page_size="A4"),
        Document("gate_pass", _l("Gate pass"), "logistics/print/gate_pass.html", "logistics.view",
                 lambda record_id, user: _fetched_trip(record_id, user, "gate_pass"), page_size=form_page_size),
    ]
