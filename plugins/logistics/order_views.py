"""The order's own cases on the logistics blueprint: its review, line changes, rush, stock-up,
arrival, and the list of delayed pick-ups. Rules live in the service modules; these only read forms."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from core.api import (
    approval_rounds,
    choices,
    local_now,
    permission_required,
    to_local,
)
from plugins.logistics import case_forms, pickups, review, stockup
from plugins.logistics.arrival import confirm_arrival, delivery_basis
from plugins.logistics.changes import change_lines
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.i18n import _
from plugins.logistics.models import Order
from plugins.logistics.returns import RETURN_STATES, returns_of
from plugins.logistics.rush import FINISHED, set_rush
from plugins.logistics.services import LineInput, OrderRefused
from plugins.logistics.timing import PROMISE_DAYS, TIMINGS
from plugins.logistics.views import _attempt, _back, _flash_errors, _order, _products, bp


def case_context(order: Order) -> dict[str, Any]:
    """What the order page shows of the order's cases, and the forms of the steps ``current_user``
    may take now."""
    user = current_user
    days = (local_now().date() - to_local(order.ordered_at).date()).days
    return {
        "review_state": review.review_state(order), "review_task": review.open_review_task(order),
        "review_facts": review.review_facts(order) if order.state == "recorded" else None,
        "review_rounds": approval_rounds(order), "may_submit": review.may_submit(order, user),
        "submit_form": case_forms.SubmitReviewForm(),
        "rush_form": case_forms.RushForm() if user.can("logistics.rush") and order.state not in FINISHED else None,
        "stock_kept": stockup.may_record(user) if order.state in stockup.STOCKING else {},
        "arrival_form": (case_forms.ArrivalForm() if order.state == "shipped" and user.can("logistics.order")
                         else None),
        "timings": TIMINGS, "delivery_basis": delivery_basis(order), "days_open": days,
        "promise_days": PROMISE_DAYS, "pickup_delayed": pickups.is_delayed(order),
        "returns": returns_of(order), "return_states": RETURN_STATES,
    }


@bp.route("/orders/<id:order_id>/review", methods=["POST"])
@permission_required("logistics.order")
def order_review(order_id: int):
    """Submit a recorded order for review, or resubmit it after a change."""
    record, form = _order(order_id), case_forms.SubmitReviewForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(record)
    _attempt(lambda: review.submit_review(record, current_user, form.comment.data or ""),
             lambda _request: _("Order %(number)s is up for review.", number=record.number))
    return _back(record)


def _line_inputs(form: case_forms.LinesForm, products: dict[int, Any], order: Order
                 ) -> tuple[dict[int, LineInput | None], list[LineInput]]:
    """Kept lines by id (None: removed) and new lines; a kept line's typed tonnes win over its bags
    only when they were changed."""
    lines = {line.id: line for line in order.lines}
    edits: dict[int, LineInput | None] = {}
    added: list[LineInput] = []
    for entry in form.lines:
        line_id = int(entry.line_id.data) if (entry.line_id.data or "").isdigit() else None
        if line_id is not None and line_id not in lines:
            abort(400)
        product = products.get(entry.product_id.data)
        tonnes, bags = entry.tonnes.data or None, entry.bags.data
        if line_id is not None:
            line = lines[line_id]
            if entry.remove.data:
                edits[line_id] = None
                continue
            typed_tonnes = tonnes is not None and Decimal(tonnes) * 1000 != line.quantity_kg
            if product is None or not (tonnes or bags):
                raise OrderRefused(_("Give each kept line a product and its tonnes or bags, or remove it."))
            edits[line_id] = LineInput(product, tonnes=tonnes if typed_tonnes else None,
                                       bags=None if typed_tonnes else bags)
        elif product is not None and (tonnes or bags):
            added.append(LineInput(product, tonnes=tonnes, bags=bags))
    return edits, added


@bp.route("/orders/<id:order_id>/lines", methods=["GET", "POST"])
@permission_required("logistics.order")
def order_lines(order_id: int):
    """Change the lines of an order being changed; then it is resubmitted for review."""
    record = _order(order_id)
    if record.state != "changing":
        flash(_("Request a change of the order first; its lines are changed while it is being changed."), "error")
        return _back(record)
    products = {p.id: p for p in _products()}
    for line in record.lines:  # a product no longer sold stays selectable on its own line
        products.setdefault(line.product_id, line.product)
    if request.method == "GET":
        data = [{"line_id": str(line.id), "product_id": line.product_id,
                 "tonnes": f"{line.quantity_kg / 1000:g}", "bags": line.bags} for line in record.lines]
        form = case_forms.LinesForm(data={"lines": data + [{}, {}]})
    else:
        form = case_forms.LinesForm()
    for entry in form.lines:
        entry.product_id.choices = choices([(0, "—")] + [(p.id, f"{p.code} {p.name}") for p in products.values()])
    if form.validate_on_submit():
        try:
            edits, added = _line_inputs(form, products, record)
        except OrderRefused as refusal:
            form.lines.errors.append(str(refusal))
        else:
            if _attempt(lambda: change_lines(record, edits, added, current_user),
                        lambda order: _("Lines of %(number)s changed; resubmit it for review.", number=order.number)):
                return _back(record)
    return render_template("logistics/order_lines.html", order=record, form=form)


@bp.route("/orders/<id:order_id>/rush", methods=["POST"])
@permission_required("logistics.rush")
def order_rush(order_id: int):
    record, form = _order(order_id), case_forms.RushForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(record)
    on = form.rush.data == "1"
    _attempt(lambda: set_rush(record, on, form.reason.data, current_user),
             lambda order: _("Order %(number)s is a rush order.", number=order.number) if on
             else _("Order %(number)s is no longer a rush order.", number=order.number))
    return _back(record)


@bp.route("/orders/<id:order_id>/stock", methods=["POST"])
@permission_required("logistics.view")
def order_stock(order_id: int):
    """Production records the bags made, the warehouse the bags ready, per line."""
    record = _order(order_id)
    kept = stockup.may_record(current_user)
    if not any(kept.values()):
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    counts = case_forms.stock_counts(request.form, [line.id for line in record.lines], kept)
    if isinstance(counts, str):
        flash(counts, "error")
    else:
        _attempt(lambda: stockup.record_stock(record, counts, current_user),
                 lambda order: _("Stock-up of %(number)s recorded: %(percent)s %% ready.", number=order.number,
                                 percent=order.readiness))
    return _back(record)


@bp.route("/orders/<id:order_id>/arrival", methods=["POST"])
@permission_required("logistics.order")
def order_arrival(order_id: int):
    record, form = _order(order_id), case_forms.ArrivalForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(record)
    _attempt(lambda: confirm_arrival(record, form.arrived_at.data, current_user),
             lambda order: _("Arrival of %(number)s confirmed.", number=order.number))
    return _back(record)


@bp.route("/pickups")
@permission_required("logistics.view")
def delayed_pickups():
    """Paid orders their customers have not collected in time, those the user may see, paged."""
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < len(page) < 6 else 1
    rows, total = pickups.delayed_page(current_user, max(page, 1))
    pages = max(1, -(-total // pickups.PER_PAGE))
    return render_template("logistics/pickups.html", orders=rows, total=total, page=page, pages=pages,
                           flow=ORDER_FLOW, now=local_now(), to_local=to_local)

