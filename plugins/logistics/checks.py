"""Weighbridge plausibility checks with configurable action levels (RULES.md W-8…W-15).

Each check has a level (0 off, 1 warn, 2 override with reason and permission, 3 block) and a
parameter; companies change both in the ``logistics.checks`` setting. The functions here are pure:
they take the facts of a weighing and return findings; the station decides what to do with them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from typing import Any


class Level(IntEnum):
    OFF = 0
    WARN = 1
    OVERRIDE = 2
    BLOCK = 3


@dataclass(frozen=True)
class CheckSetting:
    level: Level
    value: Decimal | int | None = None


DEFAULT_CHECKS: dict[str, CheckSetting] = {
    "gross_without_tare": CheckSetting(Level.BLOCK),
    "gross_not_above_tare": CheckSetting(Level.BLOCK),
    "net_tolerance": CheckSetting(Level.OVERRIDE, Decimal("0.02")),  # W-11: fraction, or kg when >= 1
    "tare_drift": CheckSetting(Level.WARN, Decimal("0.05")),  # W-13: share of the stored tare
    "interval_too_short": CheckSetting(Level.WARN, 10),  # W-15: minutes between tare and gross
    "interval_too_long": CheckSetting(Level.OVERRIDE, 24 * 60),  # W-9/W-15: minutes
    "over_capacity": CheckSetting(Level.BLOCK, 0),  # kg allowed above the vehicle's capacity
    "weighed_twice": CheckSetting(Level.BLOCK),  # W-12: a second tare or gross on one ticket
}


@dataclass(frozen=True)
class Finding:
    check: str
    level: Level
    params: dict[str, Any]


@dataclass(frozen=True)
class WeighingFacts:
    """What the station knows when a pass is taken. Weights in integer kilograms."""

    tare_kg: int | None = None
    tare_at: datetime | None = None
    gross_kg: int | None = None
    gross_at: datetime | None = None
    loaded_kg: int | None = None  # bags x bag weight, or the tonnes loaded
    stored_tare_kg: int | None = None  # the vehicle's last tare
    capacity_kg: int | None = None
    earlier_tare: bool = False  # this ticket already has a tare pass
    earlier_gross: bool = False


def tolerance_bounds(planned: int, tolerance: Decimal) -> tuple[int, int]:
    """W-11: 0 = exact; 0 < v < 1 = a fraction of ``planned``; v >= 1 = kilograms either side."""
    if tolerance <= 0:
        return planned, planned
    span = planned * tolerance if tolerance < 1 else tolerance
    span = int(Decimal(span).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return planned - span, planned + span


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def check_tare(facts: WeighingFacts, settings: dict[str, CheckSetting]) -> list[Finding]:
    """Findings when the empty truck is weighed."""
    found = []
    if facts.earlier_tare:
        found.append(("weighed_twice", {"pass": "tare"}))
    stored, tare = facts.stored_tare_kg, facts.tare_kg
    if stored and tare is not None:
        drift = Decimal(abs(tare - stored)) / Decimal(stored)
        if drift > settings["tare_drift"].value:
            found.append(("tare_drift", {"tare": tare, "stored": stored,
                                         "percent": (drift * 100).quantize(Decimal("0.1"))}))
    return _levelled(found, settings)


def check_gross(facts: WeighingFacts, settings: dict[str, CheckSetting]) -> list[Finding]:
    """Findings when the loaded truck is weighed (net = gross - tare, never clamped)."""
    found = []
    if facts.earlier_gross:
        found.append(("weighed_twice", {"pass": "gross"}))
    if facts.tare_kg is None:
        found.append(("gross_without_tare", {}))
        return _levelled(found, settings)
    net = facts.gross_kg - facts.tare_kg
    if net <= 0:
        found.append(("gross_not_above_tare", {"gross": facts.gross_kg, "tare": facts.tare_kg}))
    if facts.loaded_kg:
        low, high = tolerance_bounds(facts.loaded_kg, settings["net_tolerance"].value)
        if not low <= net <= high:
            found.append(("net_tolerance", {"net": net, "loaded": facts.loaded_kg, "low": low, "high": high}))
    if facts.tare_at and facts.gross_at:
        minutes = _minutes(facts.tare_at, facts.gross_at)
        if minutes < int(settings["interval_too_short"].value):
            found.append(("interval_too_short", {"minutes": minutes}))
        if minutes > int(settings["interval_too_long"].value):
            found.append(("interval_too_long", {"minutes": minutes}))
    if facts.capacity_kg and net > facts.capacity_kg + int(settings["over_capacity"].value or 0):
        found.append(("over_capacity", {"net": net, "capacity": facts.capacity_kg}))
    return _levelled(found, settings)


def _levelled(found: list[tuple[str, dict[str, Any]]], settings: dict[str, CheckSetting]) -> list[Finding]:
    return [Finding(name, settings[name].level, params) for name, params in found
            if settings[name].level > Level.OFF]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    blocked: list[Finding]
    needs_override: list[Finding]
    warnings: list[Finding]


def decide(findings: list[Finding], override_reason: str = "", may_override: bool = False) -> Decision:
    """Block on level 3; level 2 passes only with a reason from someone holding the right."""
    blocked = [f for f in findings if f.level == Level.BLOCK]
    needs = [f for f in findings if f.level == Level.OVERRIDE]
    warnings = [f for f in findings if f.level == Level.WARN]
    overridden = bool(override_reason.strip()) and may_override
    return Decision(allowed=not blocked and (not needs or overridden), blocked=blocked,
                    needs_override=needs, warnings=warnings)
