"""The application factory: settings, database, plugins, templates, translations, blueprints.

Nothing below the factory imports it: plugins import ``core.api``, and the command line and the
WSGI server call ``create_app``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from core import core_hooks, events, models  # noqa: F401  (session listeners, the full schema)
from core.approvals import EXTENSION as APPROVALS
from core.approvals import build_registry as build_approvals
from core.auth.models import User
from core.auth.service import session_user
from core.config import instance_path, load_config
from core.db import db
from core.i18n import init_i18n
from core.inputs import init_inputs
from core.jobs import init_jobs
from core.metrics import build_catalogue
from core.money import register_filters
from core.plugin_checks import check_plugins
from core.plugins import build_host, call
from core.settings import init_settings, setting
from core.themes import init_themes
from core.web import init_web

CORE_DIR = Path(__file__).resolve().parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides every other source of settings."""
    app = Flask("core", instance_relative_config=True, instance_path=instance_path(config))
    load_config(app, config)
    db.init_app(app)
    CSRFProtect(app)
    init_inputs(app)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = _l("Please log in to see this page.")
    login.login_message_category = "info"
    login.session_protection = "strong"

    @login.user_loader
    def load_user(session_id: str) -> User | None:
        return session_user(session_id)

    host = build_host(app, core_hooks)
    app.extensions["guanxi"] = host
    translations = {"core": CORE_DIR / "translations"}
    template_dirs: dict[str, Path] = {}
    static_dirs: dict[str, Path] = {}
    for info in host.enabled:
        for kind, target in (("templates", template_dirs), ("static", static_dirs)):
            folder = info.cls.folder(kind)
            if folder:
                target[info.name] = folder
        if info.cls.folder("translations"):
            translations[info.name] = info.cls.folder("translations")
    init_i18n(app, translations)
    register_filters(app)
    init_settings(app)
    with app.app_context():
        app.config["BABEL_DEFAULT_TIMEZONE"] = setting("core.timezone")  # Flask-Babel's name for it
    init_themes(app, template_dirs, static_dirs)
    with app.app_context():
        app.extensions["guanxi_metrics"] = build_catalogue(app)
        app.extensions[APPROVALS] = build_approvals(app)
        for blueprint in call("register_blueprints"):
            app.register_blueprint(blueprint)
        for command in call("register_commands"):
            app.cli.add_command(command)
        check_plugins(app, host, CORE_DIR / "templates")
        init_jobs(app)
    init_web(app)
    return app
