"""Request-level wiring: navigation, header counts, error pages, security headers, event delivery."""
from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from core.events import dispatch_ready
from core.plugins import call
from core.registry.uploads import too_large_message
from core.settings import setting


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


# Scripts only from our own files, never inline, so an injected <script> or onclick does not run.
# Charts are to be drawn on the server as SVG: inline <svg> markup, or images from 'self' or data:
# URLs; none of it needs scripts. The one inline <style> (theme colours) carries a per-response nonce.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'{nonce}; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'self'")
STATIC_ENDPOINTS = {"static", "theme_static", "plugin_static"}


def csp_nonce() -> str:
    """The nonce of this response's Content-Security-Policy, for the one inline <style> of base.html."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def security_headers(app: Flask, response: Any) -> None:
    """Headers on every response. Only static files may be cached: every other answer (archive pages,
    exports, PDFs, contract files) is customer data that must not stay in a browser or proxy cache."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":  # a PDF under object-src 'none' would not open in Chrome's viewer
        nonce = f" 'nonce-{g.csp_nonce}'" if "csp_nonce" in g else ""
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(nonce=nonce))
    if app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint not in STATIC_ENDPOINTS and not (request.endpoint or "").endswith(".static"):
        response.headers["Cache-Control"] = "no-store"


def init_web(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    with app.app_context():
        proxies = setting("core.trusted_proxies")
    if proxies:  # the client's address (login throttling) and scheme come from the proxy's headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        """The header's menu and counts, computed once per request: a page that renders fragments
        (the dashboard's widgets, panels) calls the context processors once per template."""
        if not getattr(current_user, "is_authenticated", False):
            return {"nav": {"main": [], "admin": []}, "unread_count": 0, "work": None}
        if "layout_context" not in g:
            from core.notifications import unread_count
            from core.tasks import work_counts

            g.layout_context = {"nav": navigation(current_user), "unread_count": unread_count(current_user),
                                "work": work_counts(current_user)}
        return g.layout_context

    @app.errorhandler(404)
    def not_found(error: Any):
        return render_template("errors/error.html", code=404, message=_("Page not found.")), 404

    @app.errorhandler(400)
    def bad_request(error: Any):
        return render_template("errors/error.html", code=400,
                               message=_("The request could not be understood. Go back and try again.")), 400

    @app.errorhandler(403)
    def forbidden(error: Any):
        return render_template("errors/error.html", code=403,
                               message=_("You do not have the permission for this page.")), 403

    @app.errorhandler(413)
    def too_large(error: Any):
        return render_template("errors/error.html", code=413,
                               message=too_large_message(app.config["MAX_CONTENT_LENGTH"])), 413

    @app.errorhandler(CSRFError)
    def csrf_error(error: Any):
        return render_template("errors/error.html", code=400, message=_(
            "The form expired or was not sent from this site. Go back, reload and try again.")), 400

    @app.after_request
    def finish(response: Any) -> Any:
        dispatch_ready()
        security_headers(app, response)
        return response
