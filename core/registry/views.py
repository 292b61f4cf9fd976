"""Customer list, archive page, create/edit, conversion and the archive flow's buttons."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from sqlalchemy.orm.exc import StaleDataError

from core.approvals import approval_rounds, signature_rows
from core.audit import record_event
from core.auth.models import Region
from core.auth.permissions import permission_required
from core.db import db, utcnow
from core.events import commit
from core.forms import choices
from core.history import timeline
from core.plugins import call
from core.registry.archive import CHAIN, act, archive_status, available_actions
from core.registry.blueprint import bp
from core.registry.children import CHILD_KINDS
from core.registry.forms import BUSINESS_TYPE_LABELS, CustomerForm, TransitionForm
from core.registry.models import Customer
from core.registry.search import CustomerFilter, customer_query, sorted_query
from core.registry.services import (
    convert_to_customer,
    create_customer,
    owner_choices,
    region_choices,
    update_customer,
)
from core.registry.size_class import computed_size_class, size_classes
from core.visibility import get_visible_or_404
from core.work_views import due_text
from core.workflow import TransitionRefused

EDITABLE = ("name", "business_type", "size_class", "phone", "mobile", "address", "region_id",
            "founding_date", "organisation_form", "industry", "assets", "is_prospect", "intends_to_order",
            "growth_potential", "notes")
PAGE_SIZE = 50
COUNT_CAP = 10_000  # archives counted and paged through; more narrow the filter or turn the sort


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


@bp.route("/")
@permission_required("customers.view")
def index():
    flt = CustomerFilter.from_args(request.args)
    stmt = customer_query(flt, current_user)
    total = counted(stmt)
    pages = max((min(total, COUNT_CAP) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)  # past the end: the last page
    customers = page_of(stmt, flt, page)
    ids = [c.id for c in customers]
    columns = flt.options.columns
    column_values = {col.key: col.values(ids) for col in columns} if ids else {}
    return render_template(
        "customers/index.html", customers=customers, flt=flt, page=page, total=total, sizes=size_classes(ids),
        capped=total > COUNT_CAP, cap=COUNT_CAP,
        pages=pages, columns=columns, column_values=column_values,
        types=BUSINESS_TYPE_LABELS, regions=regions(), owners=owner_choices(current_user),
        states=Customer.__workflow__.states, today=utcnow().date())


def counted(stmt: Select) -> int:
    """How many archives the list holds, counted up to one past ``COUNT_CAP``: an exact count of
    100,000 rows costs more than the page itself, and no one pages through more than the cap."""
    capped = stmt.with_only_columns(Customer.id).limit(COUNT_CAP + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


def page_of(stmt: Select, flt: CustomerFilter, page: int) -> list[Customer]:
    """One page of archives: the ids first (an index walk, no joins), then the archives with their
    region and owner for those 50 ids only, so a deep page costs what the first does."""
    ids_stmt = sorted_query(stmt.with_only_columns(Customer.id), flt)
    ids = list(db.session.scalars(ids_stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    if not ids:
        return []
    found = {c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    return [found[customer_id] for customer_id in ids]


def _form(customer: Customer | None = None) -> CustomerForm:
    form = CustomerForm(obj=customer)
    allowed_regions = region_choices(current_user)
    if customer and customer.region and customer.region_id not in dict(allowed_regions):
        allowed_regions.append((customer.region_id, customer.region.name))
    form.region_id.choices = choices(allowed_regions)
    owners = owner_choices(current_user)
    if customer and customer.owner and customer.owner_id not in dict(owners):
        owners.append((customer.owner_id, customer.owner.display_name))
    form.owner_id.choices = choices(owners)
    if not current_user.can("customers.assign"):
        del form.owner_id
    if computed_size_class() is not None:  # a plugin computes it: typing it would change nothing
        del form.size_class
    if customer is None and request.method == "GET" and current_user.region_id:
        form.region_id.data = current_user.region_id
    return form


def _value(form: CustomerForm, field: str) -> Any:
    value = getattr(form, field).data
    return (value or None) if field == "size_class" else value


@bp.route("/new", methods=["GET", "POST"])
@permission_required("customers.create")
def new():
    form = _form()
    if form.validate_on_submit():
        values = {field: _value(form, field) for field in EDITABLE if field in form}
        values["owner_id"] = ("owner_id" in form and form.owner_id.data) or current_user.id
        customer = create_customer(values)
        commit()
        flash(_("Customer %(code)s created.", code=customer.code), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    return render_template("customers/form.html", form=form, customer=None)


@bp.route("/<id:customer_id>")
@permission_required("customers.view")
def detail(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    flow = Customer.__workflow__
    panels = sorted(call("customer_panels", customer=customer, user=current_user), key=lambda p: p.order)
    sections = [(kind, kind.rows(customer.id)) for kind in CHILD_KINDS.values()]
    return render_template("customers/detail.html", customer=customer, panels=panels, sections=sections,
                           events=timeline(customer), flow=flow, now=utcnow(), today=utcnow().date(),
                           transitions=available_actions(customer, current_user),
                           waiting=archive_status(customer), rounds=approval_rounds(customer),
                           due_text=due_text, transition_form=TransitionForm(), plain_form=FlaskForm(),
                           types=BUSINESS_TYPE_LABELS, size_class=size_classes([customer.id]).get(customer.id))


@bp.route("/<id:customer_id>/delivery")
@permission_required("customers.view")
def delivery(customer_id: int):
    """The delivery card: what the shop floor needs to load and deliver, none of the archive."""
    customer = get_visible_or_404(Customer, customer_id)
    return render_template("customers/delivery.html", customer=customer)


@bp.route("/<id:customer_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def edit(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    form = _form(customer)
    if form.validate_on_submit():
        if str(customer.version_id) != (form.version_id.data or ""):
            return _stale(form, customer)
        fields = tuple(f for f in EDITABLE if f in form) + (("owner_id",) if "owner_id" in form else ())
        try:
            update_customer(customer, {field: _value(form, field) for field in fields})
        except StaleDataError:
            db.session.rollback()
            return _stale(form, get_visible_or_404(Customer, customer_id))
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("customers.detail", customer_id=customer.id))
    return render_template("customers/form.html", form=form, customer=customer)


def _stale(form: CustomerForm, customer: Customer) -> Any:
    """Refuse a save based on an old version; show which fields now hold other values."""
    differing = []
    for field in (f for f in EDITABLE if f in form):
        mine, theirs = _value(form, field), getattr(customer, field)
        if (mine or None) != (theirs or None):
            differing.append((getattr(form, field).label.text, theirs))
    flash(_("Someone else saved this archive while you were editing it. Nothing was overwritten; "
            "the current values are shown below."), "error")
    form.version_id.data = str(customer.version_id)
    return render_template("customers/form.html", form=form, customer=customer, differing=differing), 409


@bp.route("/<id:customer_id>/convert", methods=["POST"])
@permission_required("customers.edit")
def convert(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if convert_to_customer(customer):
        commit()
        flash(_("%(name)s is now a customer.", name=customer.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer_id))


@bp.route("/<id:customer_id>/transition", methods=["POST"])
@permission_required("customers.view")
def transition(customer_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        done = act(customer, form.transition.data, current_user, form.comment.data or "")
    except TransitionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("customers.detail", customer_id=customer_id)), 303
    commit()
    flash(_("Done: %(action)s.", action=done.label), "success")
    return redirect(url_for("customers.detail", customer_id=customer_id))


def load_customer_card(record_id: int, user: Any) -> dict[str, Any]:
    """The archive card; every print is recorded on the customer's timeline (who and when)."""
    if not user.can("customers.view_archive"):
        abort(403)
    customer = get_visible_or_404(Customer, record_id, user)
    record_event("customers", customer.id, "print", {"document": "customer_card"}, customer_id=customer.id)
    return {"customer": customer, "types": BUSINESS_TYPE_LABELS,
            "size_class": size_classes([customer.id]).get(customer.id),
            "people": CHILD_KINDS["people"].rows(customer.id),
            "secondary": CHILD_KINDS["secondary"].rows(customer.id),
            "contacts": CHILD_KINDS["contacts"].rows(customer.id)[:10], "kinds": CHILD_KINDS,
            "signatures": signature_rows(customer, CHAIN)}
