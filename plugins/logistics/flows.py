"""The order flow (订货—发货) and each truck's trip through the weighbridge and the gate."""
from __future__ import annotations

from typing import Any

from core.api import Transition, Workflow, money, setting
from plugins.logistics.i18n import _, _l

BEFORE_SHIPPING = ("recorded", "changing", "data_confirmed", "scheduled", "paid", "products_confirmed", "invoiced")
CONFIRMED = BEFORE_SHIPPING[2:]  # past the order review: a change sends the order back to it
WAITING_PICKUP = ("paid", "products_confirmed", "invoiced")  # paid or on credit, nothing through the gate yet


def _payment_recorded(order: Any, user: Any) -> str | None:
    if order.fully_paid:
        return None
    return _("Payment is confirmed once the order total is received: %(paid)s of %(total)s so far.",
             paid=money(order.paid_cents), total=money(order.amount_cents))


def _invoice_recorded(order: Any, user: Any) -> str | None:
    return None if order.invoice_number else _("Enter the invoice number first.")


def _all_shipped(order: Any, user: Any) -> str | None:
    """Complete: every line's bags loaded and gone through the gate."""
    if order.open_trips or order.remaining_bags > 0:
        return _("Trucks are still loading or quantity remains to ship.")
    return None


def short_lines(order: Any) -> list[Any]:
    """The lines whose unloaded remainder is outside the order tolerance (company setting)."""
    from plugins.logistics.checks import tolerance_bounds

    tolerance = setting("logistics.order_tolerance")
    return [line for line in order.lines
            if line.remaining_kg and line.quantity_kg - line.remaining_kg < tolerance_bounds(line.quantity_kg,
                                                                                            tolerance)[0]]


def _within_tolerance(order: Any, user: Any) -> str | None:
    """Closing short: no truck still in the yard, something left to ship, and each line's remainder
    within the order tolerance."""
    if order.open_trips:
        return _("Trucks are still loading for this order.")
    if order.remaining_bags <= 0:
        return _("Nothing remains to ship.")
    short = short_lines(order)
    if short:
        return _("More than the order tolerance remains of %(products)s: load another truck, or change the order.",
                 products=", ".join(line.product.name for line in short))
    return None


ORDER_FLOW = Workflow(
    name="logistics_order",
    states={
        "recorded": _l("Recorded"),
        "changing": _l("Being changed"),
        "data_confirmed": _l("Customer data confirmed"),
        "scheduled": _l("Production scheduled"),
        "paid": _l("Payment confirmed"),
        "products_confirmed": _l("Products confirmed"),
        "invoiced": _l("Invoiced"),
        "shipping": _l("Shipping"),
        "shipped": _l("Left the gate"),
        "arrived": _l("Arrived"),
        "cancelled": _l("Cancelled"),
    },
    initial="recorded",
    transitions=[
        Transition("confirm_data", ("recorded",), "data_confirmed", "logistics.order", _l("Confirm customer data")),
        Transition("schedule", ("data_confirmed",), "scheduled", "logistics.schedule", _l("Schedule production")),
        Transition("confirm_payment", ("scheduled",), "paid", "logistics.payment", _l("Confirm payment"),
                   condition=_payment_recorded),
        Transition("release_credit", ("scheduled",), "paid", "logistics.credit", _l("Release on credit"),
                   comment_required=True, style="secondary"),
        Transition("confirm_products", ("paid",), "products_confirmed", "logistics.warehouse",
                   _l("Confirm products")),
        Transition("invoice", ("products_confirmed",), "invoiced", "logistics.invoice", _l("Mark invoiced"),
                   condition=_invoice_recorded),
        Transition("start_shipping", ("invoiced",), "shipping", "logistics.weigh", _l("Start shipping")),
        Transition("finish_shipping", ("shipping",), "shipped", "logistics.gate", _l("All shipped"),
                   condition=_all_shipped),
        Transition("close_short", ("shipping",), "shipped", "logistics.close", _l("Close with the remainder"),
                   condition=_within_tolerance, comment_required=True, style="secondary"),
        Transition("confirm_arrival", ("shipped",), "arrived", "logistics.order", _l("Confirm arrival")),
        Transition("change", CONFIRMED, "changing", "logistics.order", _l("Change the order"),
                   comment_required=True, style="secondary"),
        # the order review's send-back (taken by the review engine) and the resubmission after a change
        Transition("send_back", ("recorded",), "changing", "logistics.order", _l("Send back for a change"),
                   comment_required=True, style="secondary"),
        Transition("resubmit", ("changing",), "recorded", "logistics.order", _l("Resubmit for review")),
        Transition("cancel", BEFORE_SHIPPING, "cancelled", "logistics.cancel", _l("Cancel the order"),
                   comment_required=True, style="secondary"),
    ],
)


def _is_reissue(trip: Any, user: Any) -> str | None:
    return None if trip.replaces_id else _("Only a reissued ticket moves straight to this step.")


def _payment_cleared(trip: Any, user: Any) -> str | None:
    if trip.order.payment_cleared:
        return None
    return _("No gate pass before the payment is confirmed or credit is released.")


TRIP_FLOW = Workflow(
    name="logistics_trip",
    states={
        "tare_weighed": _l("Tare weighed"),
        "loaded": _l("Loaded"),
        "gross_weighed": _l("Gross weighed"),
        "pass_issued": _l("Gate pass issued"),
        "left": _l("Left the gate"),
        "voided": _l("Voided"),
    },
    initial="tare_weighed",
    transitions=[
        Transition("load", ("tare_weighed",), "loaded", "logistics.warehouse", _l("Loaded")),
        Transition("weigh_gross", ("loaded",), "gross_weighed", "logistics.weigh", _l("Take the gross pass")),
        Transition("issue_pass", ("gross_weighed",), "pass_issued", "logistics.gate_pass", _l("Issue gate pass"),
                   condition=_payment_cleared),
        Transition("leave", ("pass_issued",), "left", "logistics.gate", _l("Let out at the gate")),
        Transition("void", ("tare_weighed", "loaded", "gross_weighed", "pass_issued"), "voided",
                   "logistics.void", _l("Void the ticket"), comment_required=True, style="secondary"),
        Transition("reissue_loaded", ("tare_weighed",), "loaded", "logistics.void", _l("Reissued: loaded"),
                   condition=_is_reissue),
        Transition("reissue_weighed", ("tare_weighed",), "gross_weighed", "logistics.void",
                   _l("Reissued: weighed"), condition=_is_reissue),
    ],
)
