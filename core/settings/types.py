"""Setting types: text (a form, the environment) or data (a default, the instance file, the
database) becomes a checked value, and values become text again for forms and pages.

Every value has two forms: ``data``, plain JSON (decimals as strings, never floats) that is stored
and shown, and ``value``, what ``setting(key)`` returns (an int, a Decimal, the result of the
setting's ``validate`` for JSON settings).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l

from core.contract import Setting

TYPES = ("int", "decimal", "bool", "str", "choice", "json")
BOUNDED = ("int", "decimal")
JSON_MAX_CHARS = 20_000
INT_RE = re.compile(r"[+-]?[0-9]{1,15}")
DECIMAL_RE = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,6})?")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MASK = "••••••"


class SettingValueError(ValueError):
    """A value a setting refuses; ``str()`` is the message for whoever typed or configured it."""


class Checked(NamedTuple):
    data: Any
    value: Any


def parse_text(setting: Setting, text: str) -> Checked:
    """Text typed on the settings page or set in the environment."""
    if "\x00" in text:
        raise SettingValueError(_l("The value contains a NUL character."))
    text = text.strip()
    return check(setting, load_json(text) if setting.type == "json" else text)


def load_json(text: str) -> Any:
    """JSON text with numbers that are not integers read as Decimal; NaN and Infinity refused."""
    if len(text) > JSON_MAX_CHARS:
        raise SettingValueError(_l("At most %(count)d characters.", count=JSON_MAX_CHARS))
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise SettingValueError(_l("The JSON is nested too deeply.")) from None
    except ValueError as exc:
        raise SettingValueError(_l("This is not valid JSON: %(error)s", error=str(exc))) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def check(setting: Setting, raw: Any) -> Checked:
    """Data from a default, the instance file, the database or ``parse_text``."""
    kind = setting.type
    if kind == "json":
        data = plain(raw)
        return Checked(data, _validated(setting, data))
    if kind == "int":
        value: Any = _int(raw)
    elif kind == "decimal":
        value = _decimal(raw)
    elif kind == "bool":
        value = _bool(raw)
    elif kind == "choice":
        value = _choice(raw, setting)
    else:
        value = _str(raw, setting.max_length)
    if kind in BOUNDED:
        _bounds(value, setting)
    value = _validated(setting, value) if setting.validate else value
    return Checked(str(value) if kind == "decimal" else value, value)


def _validated(setting: Setting, value: Any) -> Any:
    try:
        return setting.validate(value)
    except SettingValueError:
        raise
    except ValueError as exc:
        raise SettingValueError(str(exc)) from None


def _int(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, str) and INT_RE.fullmatch(raw):
        return int(raw)
    raise SettingValueError(_l("Enter a whole number, such as 15."))


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, float):
        raw = Decimal(repr(raw))  # the shortest text that reads back as this float, e.g. "0.02"
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, Decimal):
        raw = decimal_text(raw)
    if isinstance(raw, str) and DECIMAL_RE.fullmatch(raw):
        return Decimal(raw)
    raise SettingValueError(_l("Enter a number such as 0.02, with at most six decimal places."))


def decimal_text(value: Decimal) -> str:
    """Fixed-point text of a reasonable Decimal; others keep their short form (1E+999999999 must not
    be written out digit by digit)."""
    if value.is_finite() and value == 0:
        return "0"
    if value.is_finite() and -8 < value.adjusted() < 16:
        return format(value, "f")
    return str(value)


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in TRUE + FALSE:
        return raw.lower() in TRUE
    raise SettingValueError(_l("Enter yes or no."))


def _choice(raw: Any, setting: Setting) -> str:
    allowed = [value for value, _label in setting.choices]
    if isinstance(raw, str) and raw in allowed:
        return raw
    raise SettingValueError(_l("Choose one of: %(choices)s.", choices=", ".join(allowed)))


def _str(raw: Any, max_length: int) -> str:
    if not isinstance(raw, str):
        raise SettingValueError(_l("Enter text."))
    raw = raw.strip()
    if len(raw) > max_length:
        raise SettingValueError(_l("At most %(count)d characters.", count=max_length))
    if CONTROL.search(raw):
        raise SettingValueError(_l("The text contains control characters."))
    return raw


def _bounds(value: int | Decimal, setting: Setting) -> None:
    low, high = setting.minimum, setting.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            message = _l("Enter a value from %(low)s to %(high)s.", low=low, high=high)
        elif low is not None:
            message = _l("Enter a value of at least %(low)s.", low=low)
        else:
            message = _l("Enter a value of at most %(high)s.", high=high)
        raise SettingValueError(message)


def plain(data: Any) -> Any:
    """JSON data as stored: lists for tuples, decimals (and floats) as strings, string keys."""
    if isinstance(data, dict):
        if not all(isinstance(key, str) for key in data):
            raise SettingValueError(_l("Object keys must be text."))
        return {key: plain(item) for key, item in data.items()}
    if isinstance(data, list | tuple):
        return [plain(item) for item in data]
    if isinstance(data, float):
        data = Decimal(repr(data))
    if isinstance(data, Decimal):
        if not data.is_finite():
            raise SettingValueError(_l("NaN and infinity are not numbers here."))
        return decimal_text(data)
    if data is None or isinstance(data, bool | int | str):
        return data
    raise SettingValueError(_l("This is not JSON data."))


def form_text(setting: Setting, data: Any) -> str:
    """The text a form field shows for ``data``, which ``parse_text`` reads back."""
    if setting.type == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    if setting.type == "bool":
        return "true" if data else "false"
    return str(data)


def shown(setting: Setting, data: Any) -> str:
    """``data`` as the settings page shows it; a secret shows only whether it is set."""
    if setting.secret:
        return MASK if data not in (None, "", {}, []) else str(_l("not set"))
    if setting.type == "bool":
        return str(_l("Yes") if data else _l("No"))
    if setting.type == "choice":
        return str(dict(setting.choices).get(data, data))
    if setting.type == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return str(data) if data != "" else "—"
