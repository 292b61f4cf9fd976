"""The customers blueprint: the confidential archive (查阅管理).

Every page of it shows archive content, so each needs ``customers.view_archive`` on top of its own
permission; only the delivery card (name, address, phones) is open to every role that sees the
customer. Checked here once, so an archive page added later cannot forget it.
"""
from flask import Blueprint, abort, request
from flask_login import current_user

bp = Blueprint("customers", __name__, url_prefix="/customers")
OPEN_ENDPOINTS = frozenset({"customers.delivery"})


@bp.before_request
def archive_is_confidential() -> None:
    if request.endpoint in OPEN_ENDPOINTS or not current_user.is_authenticated:
        return  # the view itself sends an anonymous visitor to the login page
    if not current_user.can("customers.view_archive"):
        abort(403)
