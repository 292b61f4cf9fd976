"""Orders and shipping: products, vehicles, phone orders, weighbridge tickets, gate passes.

Weights are integer kilograms, money integer cents. One order may leave on several trucks: each
truck's trip is a weighbridge ticket (tare pass, gross pass) with its own gate pass.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.base import NO_VALUE

from core.api import Audited, AuditField, Choice, Customer, Money, Weight, db, guard_state, utcnow
from plugins.logistics.flows import ORDER_FLOW, TRIP_FLOW
from plugins.logistics.forms import PAYMENT_METHODS, TRANSPORT
from plugins.logistics.i18n import _l
from plugins.logistics.override_models import WeightOverride  # noqa: F401 - core finds the tables here
from plugins.logistics.timing import TIMINGS


def _findings(findings: Any) -> str:
    from plugins.logistics.services import describe  # services builds on these models

    if not isinstance(findings, list):  # rows written before findings were kept as JSON
        return str(findings)
    return "; ".join(describe(finding) for finding in findings)


class Product(Audited, db.Model):
    __tablename__ = "logistics_products"
    __audit_label__ = _l("Products")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    bag_weight_kg: Mapped[int] = mapped_column(Integer, default=40)
    pellet_size: Mapped[str | None] = mapped_column(String(20))
    price_cents_per_tonne: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __audit_fields__ = {
        "code": _l("Code"), "name": _l("Name"), "bag_weight_kg": Weight(_l("Bag weight")),
        "pellet_size": _l("Pellet size"), "price_cents_per_tonne": Money(_l("Price per tonne")),
        "active": _l("Active"),
    }


class Vehicle(Audited, db.Model):
    __tablename__ = "logistics_vehicles"
    __audit_label__ = _l("Vehicles")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(20), unique=True)
    carrier: Mapped[str | None] = mapped_column(String(100))
    driver: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(50))
    capacity_kg: Mapped[int | None] = mapped_column(Integer)
    last_tare_kg: Mapped[int | None] = mapped_column(Integer)
    last_tare_at: Mapped[datetime | None] = mapped_column(DateTime)

    __audit_fields__ = {
        "plate": _l("Truck plate"), "carrier": _l("Carrier"), "driver": _l("Driver"), "phone": _l("Phone"),
        "capacity_kg": Weight(_l("Capacity")), "last_tare_kg": Weight(_l("Last tare")),
        "last_tare_at": _l("Last tare weighed at"),
    }


OPEN_ORDERS = "state NOT IN ('shipped', 'arrived', 'cancelled')"
WAITING_PICKUP = "state IN ('paid', 'products_confirmed', 'invoiced')"


class Order(Audited, db.Model):
    """A phone order (电话订货记录) and its way to the customer."""

    __tablename__ = "logistics_orders"
    __audit_label__ = _l("Orders")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    ordered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ordered_by: Mapped[str | None] = mapped_column(String(50))  # the person who phoned
    address: Mapped[str | None] = mapped_column(String(300))
    delivery_on: Mapped[date | None] = mapped_column(Date)
    transport: Mapped[str] = mapped_column(String(20), default="pickup")
    rush: Mapped[bool] = mapped_column(Boolean, default=False)
    rush_reason: Mapped[str | None] = mapped_column(String(300))
    rush_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    remarks: Mapped[str | None] = mapped_column(Text)
    payment_cents: Mapped[int | None] = mapped_column(Integer)
    payment_method: Mapped[str | None] = mapped_column(String(30))
    credit_released: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_number: Mapped[str | None] = mapped_column(String(50))
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)  # payment cleared: the pick-up clock starts
    pickup_reminded_at: Mapped[datetime | None] = mapped_column(DateTime)  # the rep was reminded once
    left_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime)
    timing: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30), default=ORDER_FLOW.initial, index=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(default=1)

    customer: Mapped[Customer] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", lazy="selectin",
                                                  cascade="all, delete-orphan", order_by="OrderLine.id")
    trips: Mapped[list[Trip]] = relationship(back_populates="order", lazy="selectin", order_by="Trip.id")
    payments: Mapped[list[Payment]] = relationship(lazy="selectin", order_by="Payment.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version_id}
    # the few open orders among hundreds of thousands shipped: the dashboard counts the late ones
    # and the few paid ones still waiting for their customer: the delayed pick-ups
    __table_args__ = (Index("ix_logistics_orders_open", "ordered_at",
                            postgresql_where=text(OPEN_ORDERS), sqlite_where=text(OPEN_ORDERS)),
                      Index("ix_logistics_orders_waiting_pickup", "ready_at",
                            postgresql_where=text(WAITING_PICKUP), sqlite_where=text(WAITING_PICKUP)))
    __audit_exclude__ = frozenset({"version_id", "state_changed_at", "pickup_reminded_at"})
    __audit_fields__ = {
        "number": _l("Order number"), "customer_id": _l("Customer"), "ordered_at": _l("Order time"),
        "ordered_by": _l("Person ordering"), "address": _l("Delivery address"),
        "delivery_on": _l("Requested delivery date"), "transport": Choice(_l("Transport"), TRANSPORT),
        "rush": _l("Rush order"), "rush_reason": _l("Reason for the rush"), "rush_by_id": _l("Rush set by"),
        "ready_at": _l("Ready for pick-up since"), "lines": _l("Order lines"), "remarks": _l("Remarks"), "payment_cents": Money(_l("Payment received")),
        "payment_method": Choice(_l("Payment method"), PAYMENT_METHODS),
        "credit_released": _l("Released on credit"), "invoice_number": _l("Invoice number"),
        "left_at": _l("Left the gate at"), "arrived_at": _l("Arrived at"),
        "timing": Choice(_l("Delivery timing"), TIMINGS), "state": _l("State"), "created_by": _l("Recorded by"),
    }

    @property
    def ordered_kg(self) -> int:
        return sum(line.quantity_kg for line in self.lines)

    @property
    def loaded_kg(self) -> int:
        """What is on trucks or gone: bags loaded x bag weight, per line (what the customer pays for)."""
        return sum(line.loaded_kg for line in self.lines)

    @property
    def shipped_kg(self) -> int:
        """Loaded kilograms of the trucks that left the gate."""
        return sum(line.gated_kg for line in self.lines)

    @property
    def remaining_kg(self) -> int:
        return sum(line.remaining_kg for line in self.lines)

    @property
    def remaining_bags(self) -> int:
        return sum(line.remaining_bags for line in self.lines)

    @property
    def amount_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def billed_cents(self) -> int:
        """The amount of what was loaded: per line, loaded kilograms at the line's price."""
        return sum(line.billed_cents for line in self.lines)

    @property
    def paid_cents(self) -> int:
        return self.payment_cents or 0

    @property
    def balance_cents(self) -> int:
        """What the customer still owes on the order total (negative: paid in advance of a change)."""
        return self.amount_cents - self.paid_cents

    @property
    def fully_paid(self) -> bool:
        return self.amount_cents > 0 and self.paid_cents >= self.amount_cents

    @property
    def payment_cleared(self) -> bool:
        return self.credit_released or self.fully_paid

    @property
    def open_trips(self) -> list[Trip]:
        return [t for t in self.trips if t.state not in ("left", "voided")]

    @property
    def ready_bags(self) -> int:
        return sum(min(line.ready_bags or 0, line.bags) for line in self.lines)

    @property
    def readiness(self) -> int:
        """Per cent of the ordered bags stocked up and ready to load (备货)."""
        total = sum(line.bags for line in self.lines)
        return 100 * self.ready_bags // total if total else 0


class OrderLine(Audited, db.Model):
    __tablename__ = "logistics_order_lines"
    __audit_label__ = _l("Order lines")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("logistics_orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("logistics_products.id"))
    quantity_kg: Mapped[int] = mapped_column(Integer)
    bags: Mapped[int] = mapped_column(Integer)
    price_cents_per_tonne: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    produced_bags: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # production's count
    ready_bags: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # in the warehouse, ready

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined")

    def _loads(self, states: tuple[str, ...] | None = None) -> list[TripLine]:
        return [load for trip in self.order.trips if trip.state != "voided" and (states is None or trip.state in states)
                for load in trip.lines if load.order_line_id == self.id]

    @property
    def loaded_bags(self) -> int:
        """Bags on trucks that were not voided: loading, weighed, waiting at the gate or gone."""
        return sum(load.bags for load in self._loads())

    @property
    def loaded_kg(self) -> int:
        return sum(load.kg for load in self._loads())

    @property
    def gated_bags(self) -> int:
        return sum(load.bags for load in self._loads(("left",)))

    @property
    def gated_kg(self) -> int:
        return sum(load.kg for load in self._loads(("left",)))

    @property
    def remaining_bags(self) -> int:
        return max(self.bags - self.loaded_bags, 0)

    @property
    def remaining_kg(self) -> int:
        return max(self.quantity_kg - self.loaded_kg, 0)

    @property
    def billed_cents(self) -> int:
        return (self.loaded_kg * self.price_cents_per_tonne + 500) // 1000

    @property
    def batches(self) -> list[str]:
        return sorted({load.batch_number for load in self._loads() if load.batch_number})

    __audit_fields__ = {
        "order_id": _l("Order"), "product_id": _l("Product"), "quantity_kg": Weight(_l("Quantity")),
        "bags": _l("Bags"), "price_cents_per_tonne": Money(_l("Price per tonne")),
        "amount_cents": Money(_l("Amount")), "produced_bags": _l("Bags produced"),
        "ready_bags": _l("Bags ready"),
    }


class Trip(Audited, db.Model):
    """One truck's trip for an order: the weighbridge ticket (过磅单). Passes are write-once."""

    __tablename__ = "logistics_trips"
    __audit_label__ = _l("Weighbridge tickets")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("logistics_orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)  # for visibility
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("logistics_vehicles.id"), index=True)
    tare_kg: Mapped[int | None] = mapped_column(Integer)
    tare_at: Mapped[datetime | None] = mapped_column(DateTime)
    tare_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    tare_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    loaded_bags: Mapped[int | None] = mapped_column(Integer)
    loaded_kg: Mapped[int | None] = mapped_column(Integer)
    gross_kg: Mapped[int | None] = mapped_column(Integer)
    gross_at: Mapped[datetime | None] = mapped_column(DateTime)
    gross_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    gross_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    net_kg: Mapped[int | None] = mapped_column(Integer)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    override_reason: Mapped[str | None] = mapped_column(Text)
    voided_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("logistics_trips.id"))
    print_count: Mapped[int] = mapped_column(Integer, default=0)  # weighbridge ticket prints
    pass_print_count: Mapped[int] = mapped_column(Integer, default=0)  # gate pass prints
    pass_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    pass_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    pass_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    pass_manual: Mapped[bool] = mapped_column(Boolean, default=False)  # let out on a typed number
    state: Mapped[str] = mapped_column(String(30), default=TRIP_FLOW.initial, index=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(DateTime)

    order: Mapped[Order] = relationship(back_populates="trips", lazy="joined")
    vehicle: Mapped[Vehicle] = relationship(lazy="joined")
    lines: Mapped[list[TripLine]] = relationship(back_populates="trip", lazy="selectin",
                                                 cascade="all, delete-orphan", order_by="TripLine.id")

    # Prints are recorded as print events; the QR token is a key, not something to read.
    __audit_exclude__ = frozenset({"state_changed_at", "print_count", "pass_print_count", "pass_token"})
    __audit_fields__ = {
        "number": _l("Ticket number"), "order_id": _l("Order"), "customer_id": _l("Customer"),
        "vehicle_id": _l("Truck plate"), "tare_kg": Weight(_l("Tare")), "tare_at": _l("Tare weighed at"),
        "tare_manual": _l("Tare typed in"), "tare_by_id": _l("Tare weighed by"), "gross_by_id": _l("Gross weighed by"), "loaded_bags": _l("Bags loaded"), "loaded_kg": Weight(_l("Loaded weight")),
        "gross_kg": Weight(_l("Gross")), "gross_at": _l("Gross weighed at"), "gross_manual": _l("Gross typed in"),
        "net_kg": Weight(_l("Net")), "findings": AuditField(_l("Check findings"), format=_findings),
        "override_reason": _l("Reason for an override"), "voided_reason": _l("Reason for voiding"),
        "replaces_id": _l("Replaces ticket"), "pass_number": _l("Gate pass number"),
        "pass_used_at": _l("Gate pass used at"), "pass_manual": _l("Gate pass number typed in"),
        "state": _l("State"),
    }

    @property
    def replaced_number(self) -> str | None:
        if not self.replaces_id:
            return None
        return next((t.number for t in self.order.trips if t.id == self.replaces_id), None)


class TripLine(Audited, db.Model):
    """What one truck took of one order line: bags counted by the warehouse keeper, kilograms as
    bags x the product's bag weight (billed), and the production batch (生产批号) they came from."""

    __tablename__ = "logistics_trip_lines"
    __audit_label__ = _l("Loaded lines")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("logistics_trips.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("logistics_orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("logistics_order_lines.id"), index=True)
    bags: Mapped[int] = mapped_column(Integer)
    kg: Mapped[int] = mapped_column(Integer)
    batch_number: Mapped[str | None] = mapped_column(String(40), index=True)

    trip: Mapped[Trip] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship(lazy="joined")

    __audit_fields__ = {
        "trip_id": _l("Weighbridge ticket"), "order_id": _l("Order"), "order_line_id": _l("Order line"),
        "bags": _l("Bags loaded"), "kg": Weight(_l("Loaded weight")), "batch_number": _l("Production batch"),
    }


class Payment(Audited, db.Model):
    """Money received against an order (货款): partial payments add up to the order total."""

    __tablename__ = "logistics_payments"
    __audit_label__ = _l("Payments")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("logistics_orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(30))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __audit_fields__ = {
        "order_id": _l("Order"), "customer_id": _l("Customer"), "amount_cents": Money(_l("Amount received")),
        "method": Choice(_l("Payment method"), PAYMENT_METHODS), "received_at": _l("Received at"),
        "recorded_by": _l("Recorded by"),
    }


PRINT_KINDS = ("original", "copy", "preview")


class PrintLog(db.Model):
    """Who printed which form of a ticket when (a read audit): the original once, by a POST; every
    later fetch a numbered copy; a fetch before the original was issued a preview. Appending here
    is all a GET of a printed form may do: it never changes the ticket."""

    __tablename__ = "logistics_print_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("logistics_trips.id"), index=True)
    document: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))
    copy: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    printed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


guard_state(Order, ORDER_FLOW)
guard_state(Trip, TRIP_FLOW)


class TicketImmutable(RuntimeError):
    """A weight on a ticket was about to be overwritten: correct by voiding and reissuing instead."""


def _write_once(attribute: Any) -> None:
    @event.listens_for(attribute, "set")
    def _refuse_overwrite(target: Trip, value: Any, oldvalue: Any, initiator: Any) -> None:
        if oldvalue not in (None, NO_VALUE) and value != oldvalue:
            raise TicketImmutable(f"{attribute.key} of ticket {target.number} is written once")


for _weight in (Trip.tare_kg, Trip.gross_kg, Trip.net_kg, Trip.pass_number):
    _write_once(_weight)


class StationReading(db.Model):
    """The latest reading of each weighbridge station, written by its reader or agent."""

    __tablename__ = "logistics_station_readings"
    station: Mapped[str] = mapped_column(String(50), primary_key=True)
    weight_kg: Mapped[int | None] = mapped_column(Integer)
    stable: Mapped[bool | None] = mapped_column(Boolean)
    captured_kg: Mapped[int | None] = mapped_column(Integer)  # the last stable capture (W-7)
    captured_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


from plugins.logistics import contracts as _contracts  # noqa: E402,F401  (their model and index join these tables)
from plugins.logistics import receivables as _receivables  # noqa: E402,F401
from plugins.logistics import returns as _returns  # noqa: E402,F401
