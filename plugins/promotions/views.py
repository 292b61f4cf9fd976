"""Promotions pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from core.api import permission_required

bp = Blueprint("promotions", __name__, url_prefix="/promotions")


@bp.route("/")
@permission_required("promotions.view")
def index():
    return render_template("promotions/index.html")
