"""Customer list, archive page, create/edit and archive-flow transitions."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from core.audit import timeline
from core.auth.models import Region
from core.auth.permissions import permission_required
from core.db import db
from core.events import commit, fire_after_commit
from core.forms import choices
from core.numbering import next_number
from core.plugins import call
from core.registry.forms import BUSINESS_TYPE_LABELS, CustomerForm, TransitionForm
from core.registry.models import Customer
from core.visibility import get_visible_or_404, restrict
from core.workflow import TransitionRefused

bp = Blueprint("customers", __name__, url_prefix="/customers")
EDITABLE = ("name", "business_type", "size_class", "phone", "address", "region_id", "is_prospect", "notes")


@bp.route("/")
@permission_required("customers.view")
def index():
    q = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = restrict(select(Customer), Customer)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Customer.name.ilike(like), Customer.code.ilike(like),
                              Customer.phone.ilike(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    size = 50
    customers = db.session.scalars(stmt.order_by(Customer.code).limit(size).offset((page - 1) * size)).all()
    ids = [c.id for c in customers]
    columns = sorted(call("customer_list_columns", user=current_user), key=lambda c: c.order)
    column_values = {col.key: col.values(ids) for col in columns} if ids else {}
    return render_template("customers/index.html", customers=customers, q=q, page=page, total=total,
                           pages=max((total + size - 1) // size, 1), columns=columns,
                           column_values=column_values, types=BUSINESS_TYPE_LABELS)


def _form(customer: Customer | None = None) -> CustomerForm:
    form = CustomerForm(obj=customer)
    regions = db.session.scalars(select(Region).order_by(Region.code))
    form.region_id.choices = choices((r.id, r.name) for r in regions)
    if customer is None and request.method == "GET" and current_user.region_id:
        form.region_id.data = current_user.region_id
    return form


@bp.route("/new", methods=["GET", "POST"])
@permission_required("customers.create")
def new():
    form = _form()
    if form.validate_on_submit():
        customer = Customer(code=f"C{next_number('customer'):06d}", owner_id=current_user.id)
        for field in EDITABLE:
            setattr(customer, field, _value(form, field))
        db.session.add(customer)
        db.session.flush()
        fire_after_commit("customer_created", customer=customer)
        commit()
        flash(_("Customer %(code)s created.", code=customer.code), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    return render_template("customers/form.html", form=form, customer=None)


@bp.route("/<int:customer_id>")
@permission_required("customers.view")
def detail(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    flow = Customer.__workflow__
    panels = sorted(call("customer_panels", customer=customer, user=current_user), key=lambda p: p.order)
    return render_template("customers/detail.html", customer=customer, panels=panels,
                           events=timeline(customer), flow=flow,
                           transitions=flow.available(customer, current_user),
                           transition_form=TransitionForm(), types=BUSINESS_TYPE_LABELS)


@bp.route("/<int:customer_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def edit(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    form = _form(customer)
    if form.validate_on_submit():
        if str(customer.version_id) != (form.version_id.data or ""):
            return _stale(form, customer)
        changes = {}
        for field in EDITABLE:
            value = _value(form, field)
            if getattr(customer, field) != value:
                changes[field] = [getattr(customer, field), value]
                setattr(customer, field, value)
        try:
            db.session.flush()
        except StaleDataError:
            db.session.rollback()
            return _stale(form, get_visible_or_404(Customer, customer_id))
        if changes:
            fire_after_commit("customer_updated", customer=customer, changes=changes)
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    return render_template("customers/form.html", form=form, customer=customer)


def _value(form: CustomerForm, field: str) -> Any:
    value = getattr(form, field).data
    return (value or None) if field == "size_class" else value


def _stale(form: CustomerForm, customer: Customer) -> Any:
    """Refuse a save based on an old version; show which fields now hold other values."""
    differing = []
    for field in EDITABLE:
        mine = getattr(form, field).data
        theirs = getattr(customer, field)
        if (mine or None) != (theirs or None):
            differing.append((getattr(form, field).label.text, theirs))
    flash(_("Someone else saved this archive while you were editing it. Nothing was overwritten; "
            "the current values are shown below."), "error")
    form.version_id.data = str(customer.version_id)
    return render_template("customers/form.html", form=form, customer=customer, differing=differing), 409


@bp.route("/<int:customer_id>/transition", methods=["POST"])
@permission_required("customers.view")
def transition(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        done = Customer.__workflow__.apply(customer, form.transition.data, current_user,
                                           form.comment.data or "")
    except TransitionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("customers.detail", customer_id=customer_id)), 303
    commit()
    flash(_("Done: %(action)s.", action=done.label), "success")
    return redirect(url_for("customers.detail", customer_id=customer_id))


def load_customer_card(record_id: int, user: Any) -> dict[str, Any]:
    return {"customer": get_visible_or_404(Customer, record_id, user), "types": BUSINESS_TYPE_LABELS}
