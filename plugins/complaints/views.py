"""Complaints pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from core.api import permission_required

bp = Blueprint("complaints", __name__, url_prefix="/complaints")


@bp.route("/")
@permission_required("complaints.view")
def index():
    return render_template("complaints/index.html")


@bp.route("/<id:complaint_id>")
@permission_required("complaints.view")
def detail(complaint_id: int):
    return render_template("complaints/index.html")
