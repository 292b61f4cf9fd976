"""Order contracts on the order page: attach one (number, date, file), download its file, remove it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_from_directory, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from core.api import (
    DateField,
    MaxFileSize,
    db,
    get_visible_or_404,
    local_now,
    permission_required,
    record_event,
    upload_dir,
)
from plugins.logistics.contracts import (
    EXTENSIONS,
    NUMBER_LENGTH,
    UPLOAD_KIND,
    ContractRefused,
    OrderContract,
    attach_contract,
    remove_contract,
)
from plugins.logistics.i18n import _, _l
from plugins.logistics.models import Order
from plugins.logistics.views import bp


class ContractForm(FlaskForm):
    number = StringField(_l("Contract number"), validators=[DataRequired(), Length(max=NUMBER_LENGTH)])
    signed_on = DateField(_l("Signed on"), validators=[DataRequired()], default=lambda: local_now().date())
    upload = FileField(_l("Contract file (PDF, image, Word; optional)"), validators=[
        FileAllowed(EXTENSIONS, _l("Upload a PDF, an image or a Word file.")), MaxFileSize("CONTRACT_MAX_BYTES")])


def _contract(order: Order, contract_id: int) -> OrderContract:
    contract = db.session.scalar(select(OrderContract).where(OrderContract.id == contract_id,
                                                             OrderContract.order_id == order.id))
    if contract is None:
        abort(404)
    return contract


def _back(order: Order):
    return redirect(url_for("logistics.order", order_id=order.id, _anchor="contracts"))


@bp.route("/orders/<id:order_id>/contracts/new", methods=["GET", "POST"])
@permission_required("logistics.order")
def contract_new(order_id: int):
    order = get_visible_or_404(Order, order_id)
    form = ContractForm()
    if form.validate_on_submit():
        try:
            contract = attach_contract(order, form.number.data, form.signed_on.data, form.upload.data, current_user)
        except ContractRefused as refusal:
            db.session.rollback()
            form[refusal.field].errors = [*form[refusal.field].errors, str(refusal)]
        else:
            db.session.commit()
            flash(_("Contract %(number)s attached.", number=contract.number), "success")
            return _back(order)
    return render_template("logistics/contract_form.html", form=form, order=order)


@bp.route("/orders/<id:order_id>/contracts/<id:contract_id>/file")
@permission_required("logistics.view")
def contract_file(order_id: int, contract_id: int):
    """The file, for those who may see the order; each download is on the order's history."""
    order = get_visible_or_404(Order, order_id)
    contract = _contract(order, contract_id)
    if not contract.stored_file or not (upload_dir(UPLOAD_KIND) / contract.stored_file).is_file():
        abort(404)
    record_event("logistics_order_contracts", contract.id, "download", {"file": contract.file_name},
                 customer_id=order.customer_id)
    db.session.commit()
    return send_from_directory(upload_dir(UPLOAD_KIND), contract.stored_file, as_attachment=True,
                               download_name=contract.file_name)


@bp.route("/orders/<id:order_id>/contracts/<id:contract_id>/delete", methods=["GET", "POST"])
@permission_required("logistics.order")
def contract_delete(order_id: int, contract_id: int):
    """GET asks to confirm; POST removes (the history keeps what the contract said)."""
    order = get_visible_or_404(Order, order_id)
    contract = _contract(order, contract_id)
    form = FlaskForm()
    if form.validate_on_submit():
        number = contract.number
        remove_contract(contract)
        db.session.commit()
        flash(_("Contract %(number)s removed.", number=number), "success")
        return _back(order)
    return render_template("logistics/contract_delete.html", form=form, order=order, contract=contract)
