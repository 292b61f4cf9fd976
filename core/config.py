"""Start-up configuration: defaults, then the instance file, then GUANXI_* environment, then explicit
overrides. Declared settings (core.settings) are resolved from the same sources, so where each key
came from is recorded for them."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Config, Flask

DEFAULTS: dict[str, Any] = {
    "GUANXI_PLUGINS": None,  # None: every built-in plugin
    "GUANXI_THEME": "default",
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "GUANXI_LOCALES": ("zh_CN", "en"),
    "PASSWORD_HASH_METHOD": "scrypt",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # uploads: any request larger than this is refused (413); each kind of file has its own limit
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "CONTRACT_MAX_BYTES": 10 * 1024 * 1024,
    "IMPORT_MAX_BYTES": 4 * 1024 * 1024,
    "IMPORT_FILE_MAX_AGE_HOURS": 24,  # an import neither confirmed nor cancelled is deleted after this
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
}

CONFIG_SOURCES = "guanxi.config_sources"  # app.extensions key: config key -> where it was set

# environment variable -> config key
ENVIRONMENT = {
    "GUANXI_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "GUANXI_PLUGINS": "GUANXI_PLUGINS",
    "GUANXI_THEME": "GUANXI_THEME",
    "GUANXI_SECRET_KEY": "SECRET_KEY",
    "GUANXI_LOCALE": "BABEL_DEFAULT_LOCALE",
}


def instance_path(overrides: dict[str, Any] | None) -> str | None:
    """The instance folder (guanxi.cfg, secret_key, the SQLite database): ``INSTANCE_PATH`` in
    explicit config, else ``GUANXI_INSTANCE_PATH``, else Flask's default beside the package."""
    chosen = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("GUANXI_INSTANCE_PATH")
    return str(Path(chosen).expanduser().resolve()) if chosen else None


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    from_file = Config(app.instance_path)
    from_file.from_pyfile("guanxi.cfg", silent=True)
    app.config.update(from_file)
    sources = dict.fromkeys(from_file, "instance file")
    for env_name, key in ENVIRONMENT.items():
        if env_name in os.environ:
            app.config[key] = os.environ[env_name]
    if os.environ.get("GUANXI_SECURE_COOKIES") == "1":
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    if overrides:
        app.config.update(overrides)
        sources.update(dict.fromkeys(overrides, "configuration"))
    app.extensions[CONFIG_SOURCES] = sources
    app.config["GUANXI_PLUGINS"] = parse_plugin_list(app.config["GUANXI_PLUGINS"])
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'guanxi.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def parse_plugin_list(value: Any) -> list[str] | None:
    """`None` keeps the default (all built-in); "" means none; otherwise a comma list."""
    if value is None:
        return None
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    return list(value)


def _instance_secret(instance: Path) -> str:
    """A per-installation key kept in the instance folder, so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
