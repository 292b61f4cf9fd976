"""Customer tiering pages."""
from __future__ import annotations

from flask import Blueprint, render_template

from core.api import permission_required

bp = Blueprint("tiering", __name__, url_prefix="/tiering")


@bp.route("/")
@permission_required("tiering.view")
def index():
    return render_template("tiering/index.html")
