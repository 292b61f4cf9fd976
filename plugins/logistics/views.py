"""Orders and shipping pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from core.auth.permissions import permission_required

bp = Blueprint("logistics", __name__, url_prefix="/logistics")


@bp.route("/")
@permission_required("logistics.view")
def index():
    return render_template("logistics/index.html")
