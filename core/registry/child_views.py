"""Add, edit and delete the records hanging off an archive (people, visits, contracts, ...)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from core.audit import record_event
from core.auth.permissions import permission_required
from core.db import db
from core.registry.blueprint import bp
from core.registry.children import CHILD_KINDS, ChildKind
from core.registry.models import Contract, Customer
from core.registry.uploads import upload_dir
from core.visibility import get_visible_or_404


def _kind(key: str) -> ChildKind:
    kind = CHILD_KINDS.get(key)
    if kind is None:
        abort(404)
    return kind


def _row(kind: ChildKind, customer: Customer, row_id: int) -> Any:
    row = db.session.scalar(select(kind.model).where(kind.model.id == row_id,
                                                     kind.model.customer_id == customer.id))
    if row is None:
        abort(404)
    return row


def _back(customer: Customer, kind: ChildKind) -> Any:
    return redirect(url_for("customers.detail", customer_id=customer.id, _anchor=kind.key))


@bp.route("/<id:customer_id>/<kind_key>/new", methods=["GET", "POST"])
@permission_required("customers.edit")
def child_new(customer_id: int, kind_key: str):
    customer = get_visible_or_404(Customer, customer_id)
    kind = _kind(kind_key)
    form = kind.form()
    if form.validate_on_submit():
        row = kind.model(customer_id=customer.id)
        kind.save(row, form, current_user)
        db.session.add(row)
        db.session.commit()
        flash(_("Saved."), "success")
        return _back(customer, kind)
    return render_template("customers/child_form.html", form=form, kind=kind, customer=customer, row=None)


@bp.route("/<id:customer_id>/<kind_key>/<id:row_id>/edit", methods=["GET", "POST"])
@permission_required("customers.edit")
def child_edit(customer_id: int, kind_key: str, row_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    kind = _kind(kind_key)
    row = _row(kind, customer, row_id)
    form = kind.form(obj=row)
    if form.validate_on_submit():
        kind.save(row, form, current_user)
        db.session.commit()
        flash(_("Saved."), "success")
        return _back(customer, kind)
    return render_template("customers/child_form.html", form=form, kind=kind, customer=customer, row=row)


@bp.route("/<id:customer_id>/<kind_key>/<id:row_id>/delete", methods=["GET", "POST"])
@permission_required("customers.edit")
def child_delete(customer_id: int, kind_key: str, row_id: int):
    """GET asks for confirmation; POST deletes (the audit trail keeps the deletion)."""
    customer = get_visible_or_404(Customer, customer_id)
    kind = _kind(kind_key)
    row = _row(kind, customer, row_id)
    form = FlaskForm()
    if form.validate_on_submit():
        db.session.delete(row)
        db.session.commit()
        flash(_("Deleted."), "success")
        return _back(customer, kind)
    return render_template("customers/child_delete.html", form=form, kind=kind, customer=customer, row=row)


@bp.route("/<id:customer_id>/contracts/<id:row_id>/file")
@permission_required("customers.view")
def contract_file(customer_id: int, row_id: int):
    customer = get_visible_or_404(Customer, customer_id)
    contract = _row(CHILD_KINDS["contracts"], customer, row_id)
    if not isinstance(contract, Contract) or not contract.stored_file:
        abort(404)
    record_event("customer_contracts", contract.id, "download", {"file": contract.file_name},
                 customer_id=customer.id)
    db.session.commit()
    return send_from_directory(upload_dir("contracts"), contract.stored_file, as_attachment=True,
                               download_name=contract.file_name)
