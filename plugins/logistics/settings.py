"""The plugin's declared settings: where the weighbridge indicators are and the agents' tokens
(deployment), and the action levels and tolerances of the weighbridge checks (company, RULES.md
W-10…W-15). The validators turn the JSON an operator or administrator wrote into typed values."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.api import Setting
from plugins.logistics.checks import DEFAULT_CHECKS, CheckSetting, Level
from plugins.logistics.i18n import _l
from plugins.logistics.timing import PROMISE_DAYS

PROTOCOLS = ("yaohua", "toledo")
PAPER = (("A5", _l("A5 across")), ("A4", _l("A4 upright")))
# the CSS page of each paper: the same 210 mm width, so one layout serves both
PAGE_SIZES = {"A5": "A5 landscape", "A4": "A4"}
STATION_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
INDICATOR_URL = re.compile(r"(socket|rfc2217)://[A-Za-z0-9.:\[\]-]{1,100}:[0-9]{1,5}|/dev/[\w./-]{1,100}|COM[0-9]{1,3}")
TOKEN = re.compile(r"[!-~]{16,200}")  # printable ASCII without spaces
DECIMAL = re.compile(r"[0-9]{1,9}(\.[0-9]{1,4})?")
WHOLE = re.compile(r"[0-9]{1,9}")
# check -> (kind of value, largest value); None: the check has no value
CHECK_VALUES: dict[str, tuple[type, int] | None] = {
    "gross_without_tare": None,
    "gross_not_above_tare": None,
    "net_tolerance": (Decimal, 100_000),  # below 1 a fraction, from 1 kilograms (W-11)
    "tare_drift": (Decimal, 1),  # share of the stored tare (W-13)
    "interval_too_short": (int, 7 * 24 * 60),  # minutes (W-15)
    "interval_too_long": (int, 31 * 24 * 60),  # minutes (W-9, W-15)
    "over_capacity": (int, 100_000),  # kilograms above the vehicle's capacity
    "weighed_twice": None,
}

# made when the empty truck is weighed: level 2 (an override request) needs a ticket to wait on
TARE_CHECKS = ("tare_drift", "weighed_twice")


@dataclass(frozen=True)
class Station:
    """A weighbridge: read by the server when it has a ``url``, else fed by the agent."""

    name: str
    url: str | None
    protocol: str
    label: str | None = None  # what the weighers call it, e.g. 1号地磅


def declared_settings() -> list[Setting]:
    return [
        Setting("logistics.stations", "json", {"main": {"protocol": "yaohua"}}, _l("Weighbridge stations"),
                _l("Per station: url, the indicator the server reads (socket://host:port of a serial-to-Ethernet "
                   "bridge, or a serial port); no url when the weighbridge agent pushes readings; protocol "
                   "yaohua or toledo; label, the name the weighers know it by (e.g. 1号地磅)."), scope="deployment", validate=parse_stations),
        Setting("logistics.station_tokens", "json", {}, _l("Weighbridge agent tokens"),
                _l("Per station, the token its weighbridge agent presents, e.g. {\"north\": \"a-long-random-secret\"} "
                   "(16 characters or more)."), scope="deployment", secret=True, validate=parse_tokens),
        Setting("logistics.checks", "json", checks_data(DEFAULT_CHECKS), _l("Weighbridge checks"),
                _l("Per check, its action level (0 off, 1 warn, 2 pass with a reason and the override right, "
                   "3 block) and value: net_tolerance below 1 is a share of the loaded weight, from 1 kilograms; "
                   "tare_drift a share of the stored tare; the intervals minutes; over_capacity kilograms. "
                   "A check left out keeps its default."),
                validate=parse_checks),
        Setting("logistics.order_tolerance", "decimal", Decimal("0.01"), _l("Order completion tolerance"),
                _l("How much of each order line may stay unloaded when the office closes an order with a "
                   "reason: 0 nothing, below 1 a share of the line's quantity (0.01 = 1 %), from 1 kilograms."),
                minimum=Decimal(0), maximum=Decimal(100_000)),
        Setting("logistics.form_paper", "choice", "A5", _l("Paper of the printed forms"),
                _l("The paper in the printer the office and the weighbridge print the forms on: A5 across (the "
                   "manual's half sheet) or A4 upright; both are 210 mm wide, so the forms look the same, A4 "
                   "with room below."), choices=PAPER),
        Setting("logistics.phone_order_form_number", "str", "DD-QR-YXB-24", _l("Phone order record form number"),
                _l("The document control number printed on the phone order record, as in the quality manual."),
                max_length=40),
        Setting("logistics.pickup_days", "int", PROMISE_DAYS, _l("Days to collect a paid order"),
                _l("A paid order (or one released on credit) not collected within this many days is a delayed "
                   "pick-up: the customer's rep is reminded once, and it is listed for the office."),
                minimum=1, maximum=60),
    ]


def parse_stations(data: Any) -> dict[str, Station]:
    """``{"main": {"url": "socket://192.0.2.10:4001", "protocol": "yaohua"}, "north": {...}}``."""
    if not isinstance(data, dict) or not data:
        raise ValueError(_l("Write one entry per station, e.g. {\"main\": {\"protocol\": \"yaohua\"}}."))
    found = {}
    for name, fields in data.items():
        _station_name(name)
        if not isinstance(fields, dict) or set(fields) - {"url", "protocol", "label"}:
            raise ValueError(_l("Station %(name)s: give only url, protocol and label.", name=name))
        label = fields.get("label")
        if label is not None and not (isinstance(label, str) and 0 < len(label) <= 40 and label.isprintable()):
            raise ValueError(_l("Station %(name)s: the label has 1 to 40 characters.", name=name))
        url, protocol = fields.get("url"), fields.get("protocol", "yaohua")
        if url is not None and not (isinstance(url, str) and INDICATOR_URL.fullmatch(url)):
            raise ValueError(_l("Station %(name)s: the url must look like socket://192.0.2.10:4001, "
                                "/dev/ttyUSB0 or COM3.", name=name))
        if protocol not in PROTOCOLS:
            raise ValueError(_l("Station %(name)s: the protocol is yaohua or toledo.", name=name))
        found[name] = Station(name, url, protocol, label)
    return found


def parse_tokens(data: Any) -> dict[str, str]:
    """``{"north": "a-long-random-secret"}``; messages never repeat a token."""
    if not isinstance(data, dict):
        raise ValueError(_l("Write one entry per station, e.g. {\"north\": \"a-long-random-secret\"}."))
    for name, token in data.items():
        _station_name(name)
        if not (isinstance(token, str) and TOKEN.fullmatch(token)):
            raise ValueError(_l("The token of station %(name)s must be 16 to 200 characters without spaces.",
                                name=name))
    return dict(data)


def _station_name(name: str) -> None:
    if not STATION_NAME.fullmatch(name):
        raise ValueError(_l("Station names have up to 32 lower-case letters, digits, - and _."))


def checks_data(settings: dict[str, CheckSetting]) -> dict[str, dict[str, Any]]:
    """Check settings as JSON data (decimals as text)."""
    return {name: {"level": int(s.level)} | ({} if s.value is None else
                                             {"value": s.value if isinstance(s.value, int) else str(s.value)})
            for name, s in settings.items()}


def parse_checks(data: Any) -> dict[str, CheckSetting]:
    """Defaults overridden by ``{"net_tolerance": {"level": 3, "value": "300"}, ...}``."""
    if not isinstance(data, dict):
        raise ValueError(_l("Write one entry per check, e.g. {\"net_tolerance\": {\"level\": 3, \"value\": \"300\"}}."))
    merged = dict(DEFAULT_CHECKS)
    for name, override in data.items():
        if name not in DEFAULT_CHECKS:
            raise ValueError(_l("There is no weighbridge check %(name)s.", name=name))
        if not isinstance(override, dict) or set(override) - {"level", "value"}:
            raise ValueError(_l("Check %(name)s: give only level and value.", name=name))
        level = override.get("level", int(DEFAULT_CHECKS[name].level))
        if isinstance(level, bool) or level not in (0, 1, 2, 3):
            raise ValueError(_l("Check %(name)s: the level is 0, 1, 2 or 3.", name=name))
        if level == 2 and name in TARE_CHECKS:
            raise ValueError(_l("Check %(name)s is made at the tare pass, before there is a ticket an override "
                                "request could wait on: its level is 0, 1 or 3.", name=name))
        value = _check_value(name, override.get("value", DEFAULT_CHECKS[name].value))
        merged[name] = CheckSetting(Level(level), value)
    return merged


def _check_value(name: str, value: Any) -> Decimal | int | None:
    kind = CHECK_VALUES[name]
    if kind is None:
        if value is not None:
            raise ValueError(_l("Check %(name)s has no value.", name=name))
        return None
    number_type, largest = kind
    text = str(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else value
    pattern = DECIMAL if number_type is Decimal else WHOLE
    if not (isinstance(text, str) and pattern.fullmatch(text)) or Decimal(text) > largest:
        raise ValueError(_l("Check %(name)s: the value is a number from 0 to %(largest)s.", name=name,
                            largest=largest))
    return number_type(text)
