"""What a request may carry: ids that fit an integer column, dates in a sane window, text without
control characters.

Checked once here, at the edge, so hostile input is a 400, a 404 or a form message and never
reaches the database (PostgreSQL refuses NUL bytes and overflowing integers with an error, which
would otherwise be a 500).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

INT_MAX = 2**31 - 1  # an Integer column (PostgreSQL int4)
INT_MIN = -(2**31)
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)

# C0 controls and DEL, except tab, line feed and carriage return (typed in text areas).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IdConverter(IntegerConverter):
    """``<id:customer_id>``: a record id, 1 up to the largest value of an integer column.

    A larger number cannot name a row; it answers 404 like any other missing id instead of
    overflowing the column in the query.
    """

    def __init__(self, map: Map, min: int = 1, max: int = INT_MAX) -> None:
        super().__init__(map, min=min, max=max)


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def in_date_window(day: date) -> bool:
    """Dates people type and pass around lie in 1900–2100: far enough for founding dates and
    birthdays, near enough that converting to UTC or adding a day never leaves the calendar."""
    return FIRST_DAY <= day <= LAST_DAY


def parse_day(text: str | None) -> date | None:
    """An ISO date (2026-11-23) inside the window, else None."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if in_date_window(day) else None


def id_arg(args: Any, name: str) -> int | None:
    """A record id from the query string or form, None when missing, malformed or out of range."""
    value = args.get(name, type=int)
    return value if value is not None and 1 <= value <= INT_MAX else None


class ControlCharacters(BadRequest):
    """A request carrying a control character (a NUL byte, an escape ...) in its path, query or form."""


def _refuse_control_characters() -> None:
    """Control characters are never typed: a request carrying one anywhere is refused whole."""
    texts = [request.path]
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            texts += (key, value)
    if any(has_control_characters(text) for text in texts):
        raise ControlCharacters()


def _control_characters_page(error: ControlCharacters) -> tuple[str, int]:
    return render_template("errors/error.html", code=400, message=_(
        "The request holds control characters (such as a NUL byte) that no form can hold. "
        "Remove them and try again.")), 400


def init_inputs(app: Flask) -> None:
    """Register the ``id`` URL converter (before any blueprint) and the control-character check."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(_refuse_control_characters)
    app.register_error_handler(ControlCharacters, _control_characters_page)
