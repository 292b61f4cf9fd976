"""Guanxi core: the app factory and the names plugins import (``hookimpl``, ``Plugin``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from core.hookspecs import hookimpl
from core.plugins import Plugin, PluginError

__all__ = ["create_app", "hookimpl", "Plugin", "PluginError"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, database, plugins, templates, translations, blueprints."""
    from flask_babel import lazy_gettext as _l
    from flask_login import LoginManager
    from flask_wtf.csrf import CSRFProtect

    from core import events, models  # noqa: F401  (session listeners and the full core schema)
    from core.config import load_config
    from core.db import db
    from core.i18n import init_i18n
    from core.inputs import init_inputs
    from core.plugin_checks import check_plugins
    from core.plugins import build_host, call
    from core.themes import init_themes
    from core.web import init_web

    app = Flask(__name__, instance_relative_config=True,
                instance_path=(config or {}).get("INSTANCE_PATH"))
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
    def load_user(user_id: str):
        from core.auth.models import User

        return db.session.get(User, int(user_id))

    host = build_host(app)
    app.extensions["guanxi"] = host
    core_dir = Path(__file__).resolve().parent
    translations = {"core": core_dir / "translations"}
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
    init_themes(app, template_dirs, static_dirs)
    with app.app_context():
        for blueprint in call("register_blueprints"):
            app.register_blueprint(blueprint)
        for command in call("register_commands"):
            app.cli.add_command(command)
        check_plugins(app, host, core_dir / "templates")
    init_web(app)
    return app
