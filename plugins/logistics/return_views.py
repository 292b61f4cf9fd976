"""The return page (退货单): what to take back and, for the warehouse, the form to record it received.
Rules live in ``returns``; this reads the form."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from core.api import User, db, get_visible_or_404, permission_required
from plugins.logistics.forms import MAX_BAGS
from plugins.logistics.i18n import _
from plugins.logistics.returns import RETURN_STATES, ReturnOrder, receive_return, receive_task
from plugins.logistics.views import _attempt, bp


@bp.route("/returns/<id:return_id>")
@permission_required("logistics.view")
def return_page(return_id: int):
    record = get_visible_or_404(ReturnOrder, return_id)
    receiver = db.session.get(User, record.received_by) if record.received_by else None
    may_receive = record.state == "expected" and current_user.can("logistics.warehouse")
    return render_template("logistics/return.html", record=record, states=RETURN_STATES, receiver=receiver,
                           task=receive_task(record), form=FlaskForm() if may_receive else None)


@bp.route("/returns/<id:return_id>/receive", methods=["POST"])
@permission_required("logistics.warehouse")
def return_receive(return_id: int):
    record = get_visible_or_404(ReturnOrder, return_id)
    back = redirect(url_for("logistics.return_page", return_id=record.id))
    if not FlaskForm().validate_on_submit():
        flash(_("The form expired; send it again."), "error")
        return back
    bags: dict[int, int] = {}
    for line in record.lines:
        raw = (request.form.get(f"bags-{line.id}") or "").strip()
        if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_BAGS:
            flash(_("Bags are a whole number from 0 to %(most)s.", most=MAX_BAGS), "error")
            return back
        bags[line.id] = int(raw)
    _attempt(lambda: receive_return(record, bags, current_user),
             lambda done: _("Return %(number)s received.", number=done.number))
    return back
