"""Languages (zh_CN default, en), per-user choice, locale-aware formatting in the company timezone."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user


def N_(message: str) -> str:
    """Mark a message id for extraction; it is translated later, when shown."""
    return message


def select_locale() -> str:
    supported = current_app.config["GUANXI_LOCALES"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported:
        return current_user.locale
    chosen = session.get("locale") if request else None
    if chosen in supported:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def compile_catalogs(directories: list[Path]) -> None:
    """Compile each messages.po whose .mo is missing or older, so a fresh checkout just works."""
    for directory in directories:
        for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            try:
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog)
            except OSError:
                current_app.logger.warning("cannot write %s", mo_path)


def local_datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored UTC datetime shown in the company timezone."""
    return format_datetime(value, fmt) if value else ""


def local_date(value: date | None) -> str:
    return format_date(value, "yyyy-MM-dd") if value else ""


def init_i18n(app: Flask, translation_dirs: list[Path]) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in translation_dirs)
    with app.app_context():
        compile_catalogs(translation_dirs)
    # one Babel per app: Flask-Babel caches translations on its domain, and apps with other
    # plugins (tests build many) must not share a catalogue merged from another plugin set
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters.update(datetime=local_datetime, date=local_date, number=format_decimal)
    app.jinja_env.globals.update(get_locale=get_locale)
