"""Dashboard, inbox and the print endpoint."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from core.db import db
from core.notifications import inbox, mark_read
from core.plugins import call
from core.printing import documents, pdf_response
from core.redirects import redirect_back

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def dashboard():
    widgets = sorted(call("dashboard_widgets", user=current_user), key=lambda w: w.order)
    return render_template("dashboard.html", widgets=widgets)


@bp.route("/notifications")
@login_required
def notifications():
    return render_template("notifications.html", messages=inbox(current_user), form=FlaskForm())


@bp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@login_required
def notification_read(notification_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not mark_read(current_user, notification_id):
        abort(404)
    db.session.commit()
    return redirect_back(request.form.get("next"), url_for("main.notifications"))


@bp.route("/print/<name>/<id:record_id>.pdf")
@login_required
def print_document(name: str, record_id: int):
    document = documents().get(name)
    if document is None:
        abort(404)
    return pdf_response(document, record_id, current_user)
