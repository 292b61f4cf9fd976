"""Orders, the weighbridge station, the gate, and master data."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm.exc import StaleDataError

from core.api import (
    INT_MAX,
    INT_MIN,
    Customer,
    CustomerFilter,
    TransitionRefused,
    Vetoed,
    choices,
    commit,
    customer_query,
    db,
    get_visible_or_404,
    id_arg,
    local_now,
    money,
    parse_day,
    permission_required,
    redirect_back,
    render_pdf,
    restrict,
    utcnow,
)
from plugins.logistics import forms
from plugins.logistics.flows import ORDER_FLOW, TRIP_FLOW
from plugins.logistics.i18n import _
from plugins.logistics.master_data import Taken, save_row, vehicle_for
from plugins.logistics.models import Order, OrderLine, Product, Trip, Vehicle
from plugins.logistics.overrides import gross_done, override_views, weigh_gross
from plugins.logistics.review import submit_review
from plugins.logistics.services import (
    LineInput,
    OrderRefused,
    PassRefused,
    PrintRefused,
    WeighingRefused,
    create_order,
    describe,
    issue_original,
    issue_pass,
    load,
    record_invoice,
    record_payment,
    reissue,
    take_order_step,
    take_tare,
    use_pass,
)
from plugins.logistics.timing import is_overdue

bp = Blueprint("logistics", __name__, url_prefix="/logistics")
OPEN_TRIP_STATES = ("tare_weighed", "loaded", "gross_weighed", "pass_issued")


def _today():
    return local_now().date()


@bp.route("/")
@permission_required("logistics.view")
def index():
    state = request.args.get("state", "")
    q = request.args.get("q", "").strip()
    stmt = restrict(select(Order), Order).join(Customer, Customer.id == Order.customer_id)
    if state in ORDER_FLOW.states:
        stmt = stmt.where(Order.state == state)
    if q:
        stmt = stmt.where(or_(Order.number.ilike(f"%{q}%"), Customer.name.ilike(f"%{q}%"),
                              Customer.name_initials.like(f"%{q.lower()}%")))
    orders = db.session.scalars(stmt.order_by(Order.ordered_at.desc()).limit(200)).all()
    return render_template("logistics/index.html", orders=orders, flow=ORDER_FLOW, state=state, q=q,
                           today=_today(), is_overdue=is_overdue)


def _products() -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.code)))


@bp.route("/orders/new", methods=["GET", "POST"])
@permission_required("logistics.order")
def new_order():
    customer_id = id_arg(request.values, "customer_id")
    if customer_id is None and request.values.get("customer_id"):
        abort(404)
    if not customer_id:
        q = request.args.get("q", "").strip()
        found = db.session.scalars(customer_query(CustomerFilter(q=q), current_user)
                                   .order_by(Customer.code).limit(20)).all() if q else []
        return render_template("logistics/pick_customer.html", q=q, customers=found)
    customer = get_visible_or_404(Customer, customer_id)
    form = forms.OrderForm()
    products = _products()
    for entry in form.lines:
        entry.product_id.choices = choices([(0, "—")] + [(p.id, f"{p.code} {p.name}") for p in products])
    if request.method == "GET":
        form.address.data = customer.address
    if form.validate_on_submit():
        by_id = {p.id: p for p in products}
        lines = [LineInput(by_id[e.product_id.data], tonnes=e.tonnes.data or None, bags=e.bags.data)
                 for e in form.lines if e.product_id.data in by_id and (e.tonnes.data or e.bags.data)]
        if not lines:
            form.lines.errors.append(_("Enter at least one product with tonnes or bags."))
        else:
            try:
                order = create_order(customer, lines, current_user, ordered_by=form.ordered_by.data,
                                     ordered_at=form.ordered_at.data, address=form.address.data,
                                     delivery_on=form.delivery_on.data, transport=form.transport.data,
                                     remarks=form.remarks.data)
                submit_review(order, current_user)
            except (OrderRefused, TransitionRefused) as refusal:
                db.session.rollback()
                form.lines.errors.append(str(refusal))
            else:
                commit()
                flash(_("Order %(number)s recorded.", number=order.number), "success")
                return redirect(url_for("logistics.order", order_id=order.id))
    return render_template("logistics/order_form.html", form=form, customer=customer)


def _order(order_id: int) -> Order:
    return get_visible_or_404(Order, order_id)


@bp.route("/orders/<id:order_id>")
@permission_required("logistics.view")
def order(order_id: int):
    from core.api import TransitionForm, timeline
    from plugins.logistics.contracts import OrderContract
    from plugins.logistics.order_views import case_context
    from plugins.logistics.services import OWN_PAGES

    record = _order(order_id)
    return render_template(
        "logistics/order.html", order=record, flow=ORDER_FLOW, trip_flow=TRIP_FLOW, **case_context(record),
        transitions=[t for t in ORDER_FLOW.available(record, current_user)
                     if t.name not in ("confirm_payment", "invoice", "start_shipping", "finish_shipping", *OWN_PAGES)],
        transition_form=TransitionForm(), payment_form=forms.PaymentForm(), invoice_form=forms.InvoiceForm(),
        events=timeline(record, parts=(Trip.order_id, OrderLine.order_id, OrderContract.order_id)),
        today=_today(), is_overdue=is_overdue, payment_methods=forms.PAYMENT_METHODS)


def _back(record: Order) -> Any:
    return redirect(url_for("logistics.order", order_id=record.id))


REFUSALS = (TransitionRefused, WeighingRefused, PassRefused, Vetoed)


def _attempt(action: Callable[[], Any], done: Callable[[Any], str]) -> Any:
    """Run one step: on a refusal roll back and show why; otherwise commit and confirm. A row that
    someone else changed meanwhile is a message too (reload and look), never an error page."""
    try:
        result = action()
        commit()
    except REFUSALS as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return None
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone else changed this record at the same moment; look at it again."), "error")
        return None
    flash(done(result), "success")
    return result


def _step(record: Order, name: str, comment: str = "") -> Any:
    return _attempt(lambda: take_order_step(record, name, current_user, comment),
                    lambda step: _("Done: %(action)s.", action=step.label))


@bp.route("/orders/<id:order_id>/transition", methods=["POST"])
@permission_required("logistics.view")
def order_transition(order_id: int):
    from core.api import TransitionForm

    record = _order(order_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    _step(record, form.transition.data, form.comment.data or "")
    return _back(record)


def _flash_errors(form: FlaskForm) -> None:
    """A form posted from a list page goes back there: its errors travel as one message."""
    flash("; ".join(f"{form[name].label.text}: {error}" for name, errors in form.errors.items()
                    for error in errors), "error")


@bp.route("/orders/<id:order_id>/payment", methods=["POST"])
@permission_required("logistics.payment")
def order_payment(order_id: int):
    record, form = _order(order_id), forms.PaymentForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(record)
    _attempt(lambda: record_payment(record, form.amount.data, form.method.data, current_user),
             lambda payment: _("%(amount)s received; balance %(balance)s.", amount=money(payment.amount_cents),
                               balance=money(record.balance_cents)))
    return _back(record)


@bp.route("/orders/<id:order_id>/invoice", methods=["POST"])
@permission_required("logistics.invoice")
def order_invoice(order_id: int):
    record, form = _order(order_id), forms.InvoiceForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back(record)
    _attempt(lambda: record_invoice(record, form.invoice_number.data, current_user),
             lambda step: _("Done: %(action)s.", action=step.label))
    return _back(record)


def _checked(manual: bool | None) -> bool:
    if manual is None:
        raise WeighingRefused(_("The indicator no longer shows that weight; take the reading again."))
    return manual


def _weight_source(weight: int) -> bool | None:
    """True for a typed weight (marked manual), False for the station's stable capture, None when the
    form claims a capture the indicator no longer holds."""
    from plugins.logistics.stations import fresh_capture

    if request.form.get("source") != "indicator":
        return True
    return False if fresh_capture(request.form.get("station", "main"), weight) else None


@bp.route("/station", methods=["GET", "POST"])
@permission_required("logistics.view")
def station():
    """The weigher's page; the warehouse keeper uses it too, to record what was loaded."""
    if not (current_user.can("logistics.weigh") or current_user.can("logistics.warehouse")):
        abort(403)
    if request.method == "POST" and not current_user.can("logistics.weigh"):
        abort(403)
    from plugins.logistics.stations import station_label, stations

    station_name = request.values.get("station", "")
    if station_name not in stations():
        station_name = next(iter(stations()))
    form = forms.TareForm()
    ready = db.session.scalars(restrict(select(Order), Order).where(Order.state.in_(("invoiced", "shipping")))
                               .order_by(Order.rush.desc(), Order.ordered_at)).all()
    form.order_id.choices = choices((o.id, f"{o.number} {o.customer.name}" + (f" · {_('rush')}" if o.rush else ""))
                                    for o in ready)
    if form.validate_on_submit():
        record = get_visible_or_404(Order, form.order_id.data)
        vehicle = vehicle_for(form.plate.data)
        manual = _weight_source(form.weight.data)
        trip = _attempt(lambda: take_tare(record, vehicle, form.weight.data, current_user,
                                          manual=_checked(manual), reason=form.reason.data or ""),
                        lambda t: _("Tare pass %(number)s: %(kg)s kg.", number=t.number, kg=t.tare_kg))
        if trip:
            return redirect(url_for("logistics.station", station=station_name))
    trips = db.session.scalars(restrict(select(Trip), Trip).join(Order, Order.id == Trip.order_id)
                               .where(Trip.state.in_(OPEN_TRIP_STATES)).order_by(Order.rush.desc(), Trip.tare_at)).all()
    configured = stations()
    return render_template("logistics/station.html", form=form, trips=trips, trip_flow=TRIP_FLOW,
                           overrides=override_views([t.id for t in trips]),
                           gross_form=forms.GrossForm(), plain=FlaskForm(), describe=describe,
                           station_name=station_name, stations=configured, station_label=station_label)


def _trip(trip_id: int) -> Trip:
    return get_visible_or_404(Trip, trip_id)


@bp.route("/trips/<id:trip_id>/load", methods=["POST"])
@permission_required("logistics.warehouse")
def trip_load(trip_id: int):
    trip, form = _trip(trip_id), FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    counted = forms.loaded_lines(request.form, [line.id for line in trip.order.lines])
    if isinstance(counted, str):
        flash(counted, "error")
    else:
        bags, batches = counted
        _attempt(lambda: load(trip, bags, current_user, batches),
                 lambda t: _("%(number)s: %(bags)s bags loaded.", number=t.number, bags=t.loaded_bags))
    return redirect(url_for("logistics.station", station=request.form.get("station") or None))


@bp.route("/trips/<id:trip_id>/gross", methods=["POST"])
@permission_required("logistics.weigh")
def trip_gross(trip_id: int):
    trip, form = _trip(trip_id), forms.GrossForm()
    if form.validate_on_submit():
        manual = _weight_source(form.weight.data)
        _attempt(lambda: weigh_gross(trip, form.weight.data, current_user, manual=_checked(manual),
                                     reason=form.reason.data or ""), gross_done)
    else:
        _flash_errors(form)
    return redirect(url_for("logistics.station", station=request.form.get("station") or None))


@bp.route("/trips/<id:trip_id>/pass", methods=["POST"])
@permission_required("logistics.gate_pass")
def trip_pass(trip_id: int):
    trip = _trip(trip_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    _attempt(lambda: issue_pass(trip, current_user),
             lambda t: _("Gate pass %(number)s issued.", number=t.pass_number))
    at_station = current_user.can("logistics.weigh") or current_user.can("logistics.warehouse")
    fallback = url_for("logistics.station") if at_station else url_for("logistics.order", order_id=trip.order_id)
    return redirect_back(request.form.get("next"), fallback)


ORIGINALS = {"weigh_ticket": ("logistics.weigh", "logistics/print/weigh_ticket.html"),
             "gate_pass": ("logistics.gate_pass", "logistics/print/gate_pass.html")}


@bp.route("/trips/<id:trip_id>/original/<any(weigh_ticket, gate_pass):document>", methods=["POST"])
@permission_required("logistics.view")
def trip_original(trip_id: int, document: str):
    """Issue the original of a ticket's form: the answer is its PDF; later prints are copies."""
    from plugins.logistics.documents import form_page_size, trip_context, trip_for_print

    permission, template = ORIGINALS[document]
    if not current_user.can(permission):
        abort(403)
    trip = trip_for_print(trip_id, current_user, document)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        issue_original(trip, document, current_user)
        commit()
    except PrintRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect_back(request.form.get("next"), url_for("logistics.order", order_id=trip.order_id))
    pdf = render_pdf(template, page_size=form_page_size(), **trip_context(trip, document))
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document}-{trip.id}.pdf"'
    return response


@bp.route("/trips/<id:trip_id>/correct", methods=["GET", "POST"])
@permission_required("logistics.void")
def trip_correct(trip_id: int):
    """Tickets are never edited: a correction voids the ticket and issues a new one referencing it."""
    trip = _trip(trip_id)
    if trip.state in ("left", "voided"):
        abort(404)
    form = forms.CorrectionForm(data={"tare": trip.tare_kg, "gross": trip.gross_kg} if request.method == "GET" else None)
    old_number = trip.number
    if form.validate_on_submit() and _attempt(
            lambda: reissue(trip, form.tare.data, form.gross.data, current_user, form.reason.data),
            lambda new: _("Ticket %(old)s voided; %(new)s issued in its place.", old=old_number, new=new.number)):
        return redirect(url_for("logistics.order", order_id=trip.order_id))
    return render_template("logistics/correct.html", form=form, trip=trip)


@bp.route("/schedule")
@permission_required("logistics.view")
def schedule():
    from plugins.logistics.schedule import orders_due, sheet

    day = parse_day(request.args.get("day")) or _today()
    return render_template("logistics/schedule.html", day=day, rows=sheet(day), orders=orders_due(day, current_user),
                           previous=day - timedelta(days=1), following=day + timedelta(days=1))


@bp.route("/gate", methods=["GET", "POST"])
@permission_required("logistics.gate")
def gate():
    form = forms.GateForm()
    result = None
    if form.validate_on_submit():
        try:
            trip = use_pass(form.code.data, current_user, typed=bool(form.typed.data))
        except (PassRefused, TransitionRefused) as refusal:
            db.session.rollback()
            result = {"ok": False, "message": str(refusal)}
        else:
            commit()
            result = {"ok": True, "trip": trip}
            form.code.data = ""
            form.typed.data = False
    return render_template("logistics/gate.html", form=form, result=result)


MASTER = {"products": (Product, forms.ProductForm, "code"), "vehicles": (Vehicle, forms.VehicleForm, "plate")}


@bp.route("/<any(products, vehicles):kind>", methods=["GET", "POST"])
@bp.route("/<any(products, vehicles):kind>/<id:row_id>", methods=["GET", "POST"])
@permission_required("logistics.view")
def master(kind: str, row_id: int | None = None):
    """Products and vehicles: the list, a new one, or one edited (the office keeps them)."""
    if request.method == "POST" and not current_user.can("logistics.master"):
        abort(403)
    model, form_class, key = MASTER[kind]
    row = db.session.get(model, row_id) if row_id else None
    if row_id and row is None:
        abort(404)
    form = form_class(obj=row)
    if form.validate_on_submit():
        try:
            row = save_row(model, row, getattr(form, key).data, form.populate_obj)
        except Taken as taken:
            getattr(form, key).errors.append(str(taken))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("logistics.master", kind=kind))
    rows = db.session.scalars(select(model).order_by(getattr(model, key))).all()
    return render_template(f"logistics/{kind}.html", form=form, rows=rows, editing=row)


@bp.route("/stations/<name>/readings", methods=["POST"])
def station_push(name: str):
    """Readings pushed by ``guanxi weighbridge-agent``, authenticated by the station's token."""
    from plugins.logistics.stations import record, token_ok

    presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token_ok(name, presented):
        abort(403)
    data = request.get_json(silent=True)
    try:
        weight = int(data["weight"])
        captured = int(data["captured"]) if data.get("captured") is not None else None
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: 1e400 reads as infinity
        abort(400)
    stable = data.get("stable")
    if not all(INT_MIN <= kg <= INT_MAX for kg in (weight, captured or 0)) or not isinstance(stable, bool | None):
        abort(400)
    record(name, weight, stable, captured)
    return jsonify({"ok": True})


@bp.route("/stations/<name>/reading.json")
@permission_required("logistics.weigh")
def station_reading(name: str):
    from plugins.logistics.models import StationReading
    from plugins.logistics.stations import ensure_reader, stations

    if name not in stations():
        abort(404)
    ensure_reader(current_app._get_current_object(), name)
    row = db.session.get(StationReading, name)
    if row is None:
        return jsonify({"station": name, "weight": None})
    return jsonify({"station": name, "weight": row.weight_kg, "stable": row.stable, "captured": row.captured_kg,
                    "captured_at": row.captured_at.isoformat() if row.captured_at else None,
                    "age_seconds": (utcnow() - row.updated_at).total_seconds()})
