"""Weighbridge checks at each action level (RULES.md W-8…W-15) and delivery timing (W-21)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from plugins.logistics.checks import (
    Level,
    WeighingFacts,
    check_gross,
    check_tare,
    decide,
    tolerance_bounds,
)
from plugins.logistics.settings import parse_checks
from plugins.logistics.timing import classify, is_overdue

T0 = datetime(2026, 11, 23, 9, 0)
DEFAULTS = parse_checks({})


def codes(findings):
    return {f.check: f.level for f in findings}


def gross(**kw):
    base = dict(tare_kg=15200, tare_at=T0, gross_kg=40540, gross_at=T0 + timedelta(minutes=40), loaded_kg=25000)
    base.update(kw)
    return check_gross(WeighingFacts(**base), DEFAULTS)


def test_net_is_gross_minus_tare_and_a_good_load_passes():
    assert gross() == []  # net 25 340 within 2 % of 25 000


def test_gross_below_tare_is_an_error_never_a_clamped_zero():
    assert codes(gross(gross_kg=15000, loaded_kg=None)) == {"gross_not_above_tare": Level.BLOCK}


def test_gross_without_tare_blocks():
    assert codes(gross(tare_kg=None, tare_at=None)) == {"gross_without_tare": Level.BLOCK}


@pytest.mark.parametrize(("tolerance", "bounds", "passes"), [
    ("0.02", (24500, 25500), True), ("300", (24700, 25300), False), ("0", (25000, 25000), False)])
def test_tolerance_encoding_of_rules_w11(tolerance, bounds, passes):
    assert tolerance_bounds(25000, Decimal(tolerance)) == bounds
    settings = parse_checks({"net_tolerance": {"value": tolerance}})
    findings = check_gross(WeighingFacts(tare_kg=15200, gross_kg=40540, loaded_kg=25000), settings)
    assert ("net_tolerance" not in codes(findings)) is passes


def test_tare_drift_warns_at_rules_w13():
    findings = check_tare(WeighingFacts(tare_kg=16100, stored_tare_kg=15200), DEFAULTS)
    assert codes(findings) == {"tare_drift": Level.WARN} and findings[0].params["percent"] == Decimal("5.9")
    assert check_tare(WeighingFacts(tare_kg=15500, stored_tare_kg=15200), DEFAULTS) == []


def test_second_tare_on_an_open_ticket_blocks():
    assert codes(check_tare(WeighingFacts(tare_kg=15200, earlier_tare=True), DEFAULTS)) == {"weighed_twice": Level.BLOCK}
    assert "weighed_twice" in codes(gross(earlier_gross=True))


def test_interval_between_passes():
    assert codes(gross(gross_at=T0 + timedelta(minutes=4))) == {"interval_too_short": Level.WARN}
    # W-9: tare 11-22 08:00, gross 11-23 09:00 is 25 h: the tare is too old
    late = gross(tare_at=datetime(2026, 11, 22, 8), gross_at=datetime(2026, 11, 23, 9))
    assert codes(late) == {"interval_too_long": Level.OVERRIDE}


def test_over_capacity_blocks():
    assert codes(gross(capacity_kg=20000, loaded_kg=None)) == {"over_capacity": Level.BLOCK}


def test_levels_are_configurable_and_level_zero_switches_a_check_off():
    settings = parse_checks({"net_tolerance": {"level": 3}, "interval_too_short": {"level": 0}})
    findings = check_gross(WeighingFacts(tare_kg=15200, tare_at=T0, gross_kg=41540,
                                         gross_at=T0 + timedelta(minutes=1), loaded_kg=25000), settings)
    assert codes(findings) == {"net_tolerance": Level.BLOCK}
    with pytest.raises(ValueError):
        parse_checks({"no_such_check": {"level": 1}})


def test_decisions_at_each_level():
    warn, override, block = (gross(gross_at=T0 + timedelta(minutes=4)),
                             gross(tare_at=T0 - timedelta(hours=30)), gross(tare_kg=None))
    assert decide(warn).allowed and decide(warn).warnings
    assert not decide(override).allowed
    assert not decide(override, override_reason="称重员确认", may_override=False).allowed
    assert not decide(override, override_reason="  ", may_override=True).allowed
    assert decide(override, override_reason="称重员确认", may_override=True).allowed
    assert not decide(block, override_reason="任何理由", may_override=True).allowed


@pytest.mark.parametrize(("left", "expected"), [
    (date(2026, 11, 20), "same_day"), (date(2026, 11, 21), "on_time"), (date(2026, 11, 23), "on_time"),
    (date(2026, 11, 24), "incident")])
def test_delivery_timing_of_rules_w21(left, expected):
    assert classify(date(2026, 11, 20), left) == expected


def test_open_order_past_three_days_is_overdue():
    assert not is_overdue(date(2026, 11, 20), date(2026, 11, 23))
    assert is_overdue(date(2026, 11, 20), date(2026, 11, 24))
