"""Request-level wiring: navigation, header counts, error pages, security headers, event delivery."""
from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from core.events import dispatch_ready
from core.plugins import call


def navigation(user: Any) -> dict[str, list[dict[str, Any]]]:
    """Menu entries from every enabled plugin that ``user`` may open, grouped and ordered."""
    groups: dict[str, list[dict[str, Any]]] = {"main": [], "admin": []}
    items = sorted(call("menu_items", user=user), key=lambda item: (item.order, str(item.label)))
    for item in items:
        if item.permission and not user.can(item.permission):
            continue
        url = url_for(item.endpoint)
        groups.setdefault(item.group or "main", []).append({
            "label": item.label, "url": url,
            "active": request.path == url or (url != "/" and request.path.startswith(url)),
        })
    return groups


def init_web(app: Flask) -> None:
    @app.context_processor
    def layout_context() -> dict[str, Any]:
        if not getattr(current_user, "is_authenticated", False):
            return {"nav": {"main": [], "admin": []}, "unread_count": 0, "work": None}
        from core.notifications import unread_count
        from core.tasks import work_counts

        return {"nav": navigation(current_user), "unread_count": unread_count(current_user),
                "work": work_counts(current_user)}

    @app.errorhandler(404)
    def not_found(error: Any):
        return render_template("errors/error.html", code=404, message=_("Page not found.")), 404

    @app.errorhandler(403)
    def forbidden(error: Any):
        return render_template("errors/error.html", code=403,
                               message=_("You do not have the permission for this page.")), 403

    @app.errorhandler(CSRFError)
    def csrf_error(error: Any):
        return render_template("errors/error.html", code=400, message=_(
            "The form expired or was not sent from this site. Go back, reload and try again.")), 400

    @app.after_request
    def finish(response: Any) -> Any:
        dispatch_ready()
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
