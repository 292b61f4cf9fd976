"""Settings: defaults, then the instance file, then GUANXI_* environment, then explicit overrides."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "GUANXI_PLUGINS": None,  # None: every built-in plugin
    "GUANXI_THEME": "default",
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "GUANXI_LOCALES": ("zh_CN", "en"),
    "GUANXI_COMPANY_NAME": None,
    "PASSWORD_HASH_METHOD": "scrypt",
    "PASSWORD_MIN_LENGTH": 10,
    "LOGIN_MAX_FAILURES": 5,  # per account from unknown browsers, and per known browser
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,  # per client address, from browsers not known for the account
    "LOGIN_LOCK_MINUTES": 15,
    # proxies in front that set X-Forwarded-For/-Proto (0: none, the peer address is the client's)
    "TRUSTED_PROXIES": 0,
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

# environment variable -> config key
ENVIRONMENT = {
    "GUANXI_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "GUANXI_PLUGINS": "GUANXI_PLUGINS",
    "GUANXI_THEME": "GUANXI_THEME",
    "GUANXI_SECRET_KEY": "SECRET_KEY",
    "GUANXI_LOCALE": "BABEL_DEFAULT_LOCALE",
    "GUANXI_TIMEZONE": "BABEL_DEFAULT_TIMEZONE",
    "GUANXI_COMPANY_NAME": "GUANXI_COMPANY_NAME",
    "GUANXI_TRUSTED_PROXIES": "TRUSTED_PROXIES",
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("guanxi.cfg", silent=True)
    for env_name, key in ENVIRONMENT.items():
        if env_name in os.environ:
            app.config[key] = os.environ[env_name]
    if os.environ.get("GUANXI_SECURE_COOKIES") == "1":
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    if overrides:
        app.config.update(overrides)
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
