"""The override request's page (what the approver looks at, with the decision buttons of core's
task) and the weigher's two actions on it: ask again after a refusal, withdraw while waiting."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from core.api import approval_rounds, permission_required
from plugins.logistics.flows import TRIP_FLOW
from plugins.logistics.i18n import _, _l
from plugins.logistics.overrides import ask_again, deciders, override_views, withdraw
from plugins.logistics.services import describe
from plugins.logistics.views import _attempt, _flash_errors, _trip, bp


class AskAgainForm(FlaskForm):
    reason = TextAreaField(_l("Reason for an override"), validators=[InputRequired(), Length(max=300)])


def _back_to_station() -> object:
    return redirect(url_for("logistics.station", station=request.form.get("station") or None))


@bp.route("/trips/<id:trip_id>/override")
@permission_required("logistics.view")
def trip_override(trip_id: int):
    """The ticket's override requests: the capture, the findings, the reason, every round."""
    trip = _trip(trip_id)
    view = override_views([trip.id]).get(trip.id)
    if view is None:
        abort(404)
    return render_template("logistics/override.html", trip=trip, view=view, rounds=approval_rounds(trip),
                           describe=describe, trip_flow=TRIP_FLOW, deciders=deciders(), plain=FlaskForm(),
                           net=view.capture.weight_kg - (trip.tare_kg or 0))


@bp.route("/trips/<id:trip_id>/override/again", methods=["POST"])
@permission_required("logistics.weigh")
def trip_override_again(trip_id: int):
    trip, form = _trip(trip_id), AskAgainForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return _back_to_station()
    _attempt(lambda: ask_again(trip, current_user, form.reason.data),
             lambda capture: _("%(kg)s kg kept: the override request went to %(who)s again.",
                               kg=capture.weight_kg, who=deciders()))
    return _back_to_station()


@bp.route("/trips/<id:trip_id>/override/withdraw", methods=["POST"])
@permission_required("logistics.weigh")
def trip_override_withdraw(trip_id: int):
    trip = _trip(trip_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    _attempt(lambda: withdraw(trip, current_user),
             lambda capture: _("Override request withdrawn: weigh ticket %(number)s again.", number=trip.number))
    return _back_to_station()

