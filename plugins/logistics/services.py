"""Order and weighbridge operations. Every state change goes through the flows; every number
comes from a gapless per-series counter in the same transaction."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.api import (
    INT_MAX,
    Customer,
    Transition,
    TransitionRefused,
    db,
    document_number,
    fire_after_commit,
    money,
    note_edit,
    record_event,
    record_first_order,
    setting,
    to_local,
    utcnow,
)
from plugins.logistics import checks
from plugins.logistics.flows import ORDER_FLOW, TRIP_FLOW
from plugins.logistics.i18n import N_, _
from plugins.logistics.models import Order, OrderLine, Payment, Product, Trip, TripLine, Vehicle
from plugins.logistics.timing import classify


class WeighingRefused(Exception):
    """A pass that may not be taken; ``findings`` says why, ``str()`` is for the user."""

    def __init__(self, message: str, findings: list[checks.Finding] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


def issue_number(prefix: str, moment: datetime, dated: bool = False) -> str:
    """DD-2026-00001, or WB-20261123-00042 for a dated series: core's format, the company's day."""
    return document_number("logistics", prefix, to_local(moment).date(), dated)


@dataclass(frozen=True)
class LineInput:
    product: Product
    tonnes: str | None = None
    bags: int | None = None


def line_amount(quantity_kg: int, price_cents_per_tonne: int) -> int:
    """Cents, rounded half up, in integers only."""
    return (quantity_kg * price_cents_per_tonne + 500) // 1000


class OrderRefused(Exception):
    """An order that cannot be recorded as typed; ``str()`` is for the user."""


def order_line(item: LineInput) -> OrderLine:
    """One line from tonnes or bags; refused when its quantity or amount outgrows the columns."""
    bag = item.product.bag_weight_kg
    if item.bags:
        quantity_kg, bags = item.bags * bag, item.bags
    else:
        quantity_kg = int(Decimal(item.tonnes) * 1000)
        bags = -(-quantity_kg // bag) if bag else 0
    amount = line_amount(quantity_kg, item.product.price_cents_per_tonne)
    if max(quantity_kg, bags, amount) > INT_MAX:
        raise OrderRefused(_("The line of %(product)s is larger than one order line can hold (at most %(amount)s); "
                             "split it into several orders.", product=item.product.name, amount=money(INT_MAX)))
    return OrderLine(product_id=item.product.id, quantity_kg=quantity_kg, bags=bags,
                     price_cents_per_tonne=item.product.price_cents_per_tonne, amount_cents=amount)


def create_order(customer: Customer, lines: list[LineInput], user: Any, **fields: Any) -> Order:
    order_lines = [order_line(item) for item in lines]  # refused before a number is taken
    order = Order(number=issue_number("DD", utcnow()), customer_id=customer.id, created_by=user.id,
                  address=fields.pop("address", None) or customer.address, **fields)
    order.lines.extend(order_lines)
    db.session.add(order)
    db.session.flush()
    record_first_order(customer.id, to_local(order.ordered_at).date())
    return order


def locked(record: Any) -> Any:
    """``record`` read again under a row lock (SELECT … FOR UPDATE) with its current values: of two
    people acting on one row at once, the second waits and then sees what the first did."""
    model = type(record)
    return db.session.execute(select(model).where(model.id == record.id).with_for_update(of=model)
                              .execution_options(populate_existing=True)).scalar_one()


# steps with a page of their own: the review confirms, sends back and takes resubmissions; arrival
# asks for its time
OWN_PAGES = ("confirm_data", "send_back", "resubmit", "confirm_arrival")


def take_order_step(order: Order, name: str, user: Any, comment: str = "") -> Transition:
    """One step of the order flow, on the locked order (a step posted twice is refused with a
    message, never applied twice). Confirming is the order review's (``review.py``), which asks
    the other plugins first (``order_confirming``)."""
    order = locked(order)
    if name in OWN_PAGES:
        raise TransitionRefused(_("This step is taken through the order review or its own form on the order page."))
    step = ORDER_FLOW.apply(order, name, user, comment)
    if name == "release_credit":
        order.credit_released = True
        order.ready_at = order.ready_at or utcnow()
    elif name == "schedule" and order.fully_paid:  # paid before a change: nothing more to wait for
        ORDER_FLOW.apply(order, "confirm_payment", user, authorised=True)
        order.ready_at = order.ready_at or utcnow()
    elif name == "change":
        _reopened(order)
    elif name == "cancel":
        from plugins.logistics.review import close_review  # the review builds on these services

        close_review(order, comment)
    elif name == "close_short":
        _finished(order, max((t.pass_used_at for t in order.trips if t.pass_used_at), default=utcnow()))
    return step


def _reopened(order: Order) -> None:
    """A change after confirmation: the review's approval is void (its applicant is asked to
    resubmit once the lines are right), and payment or credit clears the changed order again."""
    note_edit(order, "lines")
    order.credit_released = False
    order.ready_at = order.pickup_reminded_at = None


def record_invoice(order: Order, invoice_number: str, user: Any) -> Transition:
    """The invoice (销售票号) is issued: its number is kept and printed on the pick-up slip."""
    order = locked(order)
    order.invoice_number = invoice_number.strip()
    return ORDER_FLOW.apply(order, "invoice", user)  # refused (and rolled back) unless products confirmed


def _finished(order: Order, left_at: datetime) -> None:
    order.left_at = left_at
    order.timing = classify(to_local(order.ordered_at).date(), to_local(left_at).date())
    fire_after_commit("order_shipped", order=order)


def record_payment(order: Order, amount_cents: int, method: str, user: Any) -> Payment:
    """Money received against the order total: payments add up; once the total is received the
    order's payment is confirmed (回款确认) if it was waiting for it."""
    order = locked(order)
    if order.state == "cancelled":
        raise TransitionRefused(_("Order %(number)s is cancelled.", number=order.number))
    if amount_cents <= 0:
        raise TransitionRefused(_("Enter the amount received."))
    if order.paid_cents + amount_cents > INT_MAX:
        raise TransitionRefused(_("That amount is larger than an order can hold."))
    payment = Payment(order_id=order.id, customer_id=order.customer_id, amount_cents=amount_cents,
                      method=method, recorded_by=user.id)
    db.session.add(payment)
    order.payment_cents = order.paid_cents + amount_cents
    order.payment_method = method
    if order.state == "scheduled" and order.fully_paid:
        ORDER_FLOW.apply(order, "confirm_payment", user)
        order.ready_at = order.ready_at or utcnow()
    db.session.flush()
    return payment


class OverrideNeeded(WeighingRefused):
    """Only override-level findings stand in the way and the user may not override them: the
    capture can go to the holders of ``logistics.override`` as a request (``overrides``)."""


def check_settings() -> dict[str, checks.CheckSetting]:
    return setting("logistics.checks")


def _enforce(findings: list[checks.Finding], user: Any, reason: str) -> checks.Decision:
    decision = checks.decide(findings, reason, may_override=user.can("logistics.override"))
    if not decision.allowed:
        refusal = OverrideNeeded if not decision.blocked and not user.can("logistics.override") else WeighingRefused
        raise refusal(_("This pass cannot be taken: %(problems)s",
                                problems="; ".join(describe(f) for f in decision.blocked + decision.needs_override)),
                              findings)
    return decision


def take_tare(order: Order, vehicle: Vehicle, weight_kg: int, user: Any, manual: bool = False,
              reason: str = "") -> Trip:
    """The empty truck on the scale: opens a ticket (trip) for ``order``."""
    if order.state not in ("invoiced", "shipping"):
        raise WeighingRefused(_("Order %(number)s is not ready for loading (it is “%(state)s”).",
                                number=order.number, state=ORDER_FLOW.state_label(order.state)))
    order = locked(order)
    if order.remaining_bags <= 0:
        raise WeighingRefused(_("Order %(number)s has nothing left to ship.", number=order.number))
    open_trip = db.session.scalar(select(Trip).where(Trip.vehicle_id == vehicle.id,
                                                     Trip.state.in_(("tare_weighed", "loaded", "gross_weighed"))))
    now = utcnow()
    facts = checks.WeighingFacts(tare_kg=weight_kg, tare_at=now, stored_tare_kg=vehicle.last_tare_kg,
                                 earlier_tare=open_trip is not None)
    findings = checks.check_tare(facts, check_settings())
    _enforce(findings, user, reason)
    trip = Trip(number=issue_number("WB", now, dated=True), customer_id=order.customer_id,
                vehicle=vehicle, tare_kg=weight_kg, tare_at=now, tare_manual=manual, tare_by_id=user.id,
                findings=[finding_record(f) for f in findings], override_reason=reason.strip() or None)
    order.trips.append(trip)
    vehicle.last_tare_kg, vehicle.last_tare_at = weight_kg, now
    if order.state == "invoiced":
        ORDER_FLOW.apply(order, "start_shipping", user)
    db.session.flush()
    return trip


def load(trip: Trip, bags: int | dict[int, int], user: Any, batches: dict[int, str] | None = None) -> Trip:
    """The warehouse keeper records what went onto the truck, per order line: bags, and the
    production batch (生产批号) they came from. Each line's kilograms are its bags x its product's
    bag weight; the truck's loaded weight is their sum (no loading without a tare pass).

    ``bags`` is ``{order_line_id: bags}``, or a number for an order of one line."""
    trip = locked(trip)
    lines = {line.id: line for line in trip.order.lines}
    if isinstance(bags, int):
        if len(lines) != 1:
            raise WeighingRefused(_("Enter the bags loaded of each product."))
        bags = {next(iter(lines)): bags}
    batches = batches or {}
    counted = {line_id: count for line_id, count in bags.items() if count}
    if not counted or any(count < 0 for count in counted.values()):
        raise WeighingRefused(_("Enter the bags loaded of at least one product."))
    if set(counted) - set(lines):
        raise WeighingRefused(_("That product is not on order %(number)s.", number=trip.order.number))
    for line_id, count in counted.items():
        line = lines[line_id]
        if count > line.remaining_bags:
            raise WeighingRefused(_("%(product)s: %(bags)s bags is more than the %(left)s bags left on the order.",
                                    product=line.product.name, bags=count, left=line.remaining_bags))
    TRIP_FLOW.apply(trip, "load", user)
    for line_id, count in counted.items():
        line = lines[line_id]
        batch = (batches.get(line_id) or "").strip() or None
        trip.lines.append(TripLine(order_id=trip.order_id, order_line_id=line_id, bags=count,
                                   kg=count * line.product.bag_weight_kg, batch_number=batch))
    trip.loaded_bags = sum(load.bags for load in trip.lines)
    trip.loaded_kg = sum(load.kg for load in trip.lines)
    db.session.flush()
    return trip


def take_gross(trip: Trip, weight_kg: int, user: Any, manual: bool = False, reason: str = "") -> Trip:
    """The loaded truck on the scale: its net is checked against the sum of its lines' loaded
    kilograms (W-11). On the locked ticket, so a second capture is refused, never written."""
    from plugins.logistics.overrides import refuse_while_pending  # overrides builds on this module

    trip = locked(trip)
    reason_refused = TRIP_FLOW.refusal(trip, "weigh_gross", user)
    if reason_refused:
        raise TransitionRefused(reason_refused)
    refuse_while_pending(trip)
    now = utcnow()
    facts = checks.WeighingFacts(tare_kg=trip.tare_kg, tare_at=trip.tare_at, gross_kg=weight_kg, gross_at=now,
                                 loaded_kg=trip.loaded_kg, capacity_kg=trip.vehicle.capacity_kg,
                                 earlier_gross=trip.gross_kg is not None)
    findings = checks.check_gross(facts, check_settings())
    _enforce(findings, user, reason)
    TRIP_FLOW.apply(trip, "weigh_gross", user)
    trip.gross_kg, trip.gross_at, trip.gross_manual, trip.gross_by_id = weight_kg, now, manual, user.id
    trip.net_kg = weight_kg - trip.tare_kg
    trip.findings = list(trip.findings or []) + [finding_record(f) for f in findings]
    if reason.strip():
        trip.override_reason = "; ".join(filter(None, [trip.override_reason, reason.strip()]))
    return trip


def issue_pass(trip: Trip, user: Any) -> Trip:
    """One gate pass per trip: the ticket is locked, so a second click waits and is refused."""
    trip = locked(trip)
    TRIP_FLOW.apply(trip, "issue_pass", user)
    trip.pass_number = issue_number("CM", utcnow())
    trip.pass_token = secrets.token_urlsafe(16)
    return trip


class PassRefused(Exception):
    pass


def use_pass(code: str, user: Any, typed: bool = False) -> Trip:
    """The gate accepts a pass once, by the token in its QR code. A typed pass number is accepted
    only from a holder of ``logistics.gate_manual`` and the ticket is marked as let out by hand.
    The ticket is locked: two people letting one pass out at the same moment let it out once."""
    code = code.strip()
    if typed:
        if not user.can("logistics.gate_manual"):
            raise PassRefused(_("Scan the QR code of the gate pass; only a supervisor may type its number."))
        found = select(Trip).where(Trip.pass_number == code)
    else:
        found = select(Trip).where(Trip.pass_token == code)
    trip = db.session.scalar(found.with_for_update(of=Trip).execution_options(populate_existing=True))
    if trip is None:
        if not typed and db.session.scalar(select(Trip.id).where(Trip.pass_number == code)) is not None:
            raise PassRefused(_("%(code)s is the pass number: scan the QR code of the gate pass.", code=code))
        raise PassRefused(_("No gate pass %(code)s.", code=code))
    if trip.pass_used_at is not None:
        raise PassRefused(_("Gate pass %(number)s was already used at %(time)s.", number=trip.pass_number,
                            time=to_local(trip.pass_used_at).strftime("%Y-%m-%d %H:%M")))
    if trip.state != "pass_issued":
        raise PassRefused(_("Gate pass %(number)s is not valid (the ticket is “%(state)s”).",
                            number=trip.pass_number, state=TRIP_FLOW.state_label(trip.state)))
    TRIP_FLOW.apply(trip, "leave", user)
    trip.pass_used_at = utcnow()
    trip.pass_manual = typed
    order = locked(trip.order)
    if ORDER_FLOW.refusal(order, "finish_shipping", user) is None:
        ORDER_FLOW.apply(order, "finish_shipping", user)
        _finished(order, trip.pass_used_at)
    return trip


class PrintRefused(Exception):
    pass


def issue_original(trip: Trip, document: str, user: Any) -> Trip:
    """The original of a ticket's form (weighbridge ticket, gate pass) is issued once, by a POST;
    every later print is a copy."""
    from plugins.logistics.documents import COUNTERS
    from plugins.logistics.models import PrintLog

    trip = locked(trip)
    counter = COUNTERS[document]
    if getattr(trip, counter):
        raise PrintRefused(_("The original was issued already; what you print now is a copy."))
    if trip.state == "voided" or (document == "gate_pass" and not trip.pass_number):
        raise PrintRefused(_("This form cannot be issued yet."))
    setattr(trip, counter, 1)
    db.session.add(PrintLog(trip_id=trip.id, document=document, kind="original", user_id=user.id))
    record_event("logistics_trips", trip.id, "print", {"document": document, "copy": 0},
                 customer_id=trip.customer_id)
    return trip


def finding_record(finding: checks.Finding) -> dict[str, Any]:
    return {"check": finding.check, "level": int(finding.level),
            "params": {k: str(v) for k, v in finding.params.items()}}


MESSAGES = {
    "gross_without_tare": N_("Gross pass without a tare pass."),
    "gross_not_above_tare": N_("Gross %(gross)s kg is not above tare %(tare)s kg."),
    "net_tolerance": N_("Net %(net)s kg is outside %(low)s–%(high)s kg for the %(loaded)s kg loaded."),
    "tare_drift": N_("Tare %(tare)s kg differs %(percent)s%% from the stored %(stored)s kg."),
    "interval_too_short": N_("Only %(minutes)s minutes between tare and gross."),
    "interval_too_long": N_("%(minutes)s minutes between tare and gross: the tare is too old."),
    "over_capacity": N_("Net %(net)s kg is over the vehicle's capacity of %(capacity)s kg."),
    "weighed_twice": N_("This truck already has an open ticket, or this pass was taken already."),
}


def describe(finding: checks.Finding | dict[str, Any]) -> str:
    check = finding.check if isinstance(finding, checks.Finding) else finding["check"]
    params = finding.params if isinstance(finding, checks.Finding) else finding["params"]
    return _(MESSAGES[check], **params)


def reissue(trip: Trip, tare_kg: int, gross_kg: int | None, user: Any, reason: str) -> Trip:
    """Correct a ticket: the old one is voided with the reason, a new one references it."""
    from plugins.logistics.overrides import withdraw_for_void

    withdraw_for_void(trip, reason)  # before the ticket's lock: a decision locks the review first
    trip = locked(trip)
    TRIP_FLOW.apply(trip, "void", user, reason)
    trip.voided_reason = reason.strip()
    now = utcnow()
    replacement = Trip(number=issue_number("WB", now, dated=True), customer_id=trip.customer_id,
                       vehicle=trip.vehicle, tare_kg=tare_kg, tare_at=trip.tare_at, tare_manual=True,
                       loaded_bags=trip.loaded_bags, loaded_kg=trip.loaded_kg, replaces_id=trip.id,
                       override_reason=reason.strip(),
                       lines=[TripLine(order_id=load.order_id, order_line_id=load.order_line_id, bags=load.bags,
                                       kg=load.kg, batch_number=load.batch_number) for load in trip.lines])
    if gross_kg is not None:
        if gross_kg <= tare_kg:
            raise WeighingRefused(describe({"check": "gross_not_above_tare",
                                            "params": {"gross": gross_kg, "tare": tare_kg}}))
        replacement.gross_kg, replacement.gross_at, replacement.gross_manual = gross_kg, trip.gross_at or now, True
        replacement.net_kg = gross_kg - tare_kg
    trip.order.trips.append(replacement)
    db.session.flush()
    if replacement.gross_kg is not None:
        TRIP_FLOW.apply(replacement, "reissue_weighed", user, reason)
    elif replacement.loaded_bags:
        TRIP_FLOW.apply(replacement, "reissue_loaded", user, reason)
    return replacement
