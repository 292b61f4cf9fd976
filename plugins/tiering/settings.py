"""Tiering's company settings, defaulting to RULES.md §3's decision table, and the rules'
``Thresholds`` built from them."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.api import Setting, setting
from plugins.tiering.i18n import _l
from plugins.tiering.rules import Thresholds

D = Decimal
SHARE = {"minimum": D(0), "maximum": D(1)}


def declared_settings() -> list[Setting]:
    return [
        Setting("tiering.abc_method", "choice", "before", _l("A/B/C method"),
                _l("By cumulative share of the trailing 12 months' shipped tonnes (convention before: A while "
                   "the share before the customer is below the A share; after: including the customer), "
                   "or by fixed yearly tonnes."),
                choices=(("before", _l("Cumulative share, before the customer")),
                         ("after", _l("Cumulative share, including the customer")),
                         ("fixed", _l("Fixed tonnes per year")))),
        Setting("tiering.abc_a_share", "decimal", D("0.80"), _l("A share"), _l("0.80 = 80 %."), **SHARE),
        Setting("tiering.abc_b_share", "decimal", D("0.95"), _l("B share"), _l("0.95 = 95 %."), **SHARE),
        Setting("tiering.abc_a_tonnes", "int", 1000, _l("A from (t a year)"),
                _l("Fixed method: customers shipping this many tonnes in 12 months or more are A."),
                minimum=0, maximum=10_000_000),
        Setting("tiering.abc_b_tonnes", "int", 200, _l("B from (t a year)"),
                _l("Fixed method: from this many tonnes B, below C."), minimum=0, maximum=10_000_000),
        Setting("tiering.key_count", "int", 20, _l("Key customers"),
                _l("How many customers with the most shipped tonnes in 12 months are key."), minimum=1,
                maximum=10_000),
        Setting("tiering.key_ties", "choice", "code", _l("Ties at the last key place"), "",
                choices=(("code", _l("Broken by customer code (exactly that many)")),
                         ("include", _l("All tied customers are key")))),
        Setting("tiering.pyramid_percent", "str", "1/19/30/50", _l("Pyramid shares (%)"),
                _l("Top / major / medium / small by count of customers, e.g. 1/19/30/50."), max_length=40,
                validate=parse_shares),
        Setting("tiering.gap_factor", "decimal", D(2), _l("Churn gap factor"),
                _l("Churn trend when the days since the last order exceed this many median intervals "
                   "between orders (at least 3 orders)."), minimum=D(1), maximum=D(20)),
        Setting("tiering.churn_drop", "decimal", D("0.30"), _l("Churn volume drop"),
                _l("Churn trend when the last 90 days' tonnes fell by this share against the 90 days before."),
                **SHARE),
        Setting("tiering.unstable_cv", "decimal", D("0.5"), _l("Unstable volume (CV)"),
                _l("Focus when monthly tonnes over 6 months vary more than this (standard deviation / mean)."),
                minimum=D(0), maximum=D(10)),
        Setting("tiering.fast_growth", "decimal", D("0.30"), _l("Fast growth"),
                _l("Focus when the last 90 days grew by this share and the rep set growth potential."),
                minimum=D(0), maximum=D(100)),
        Setting("tiering.lifecycle_growth", "decimal", D("0.20"), _l("Lifecycle growth band"),
                _l("Formation from this growth, decline from this drop, stability within it."), **SHARE),
        Setting("tiering.exploration_days", "int", 90, _l("Exploration (days)"),
                _l("A customer whose first order is younger than this is in exploration."), minimum=0,
                maximum=3650),
        Setting("tiering.stability_days", "int", 180, _l("Stability from (days)"),
                _l("Tenure needed for the stability stage."), minimum=0, maximum=3650),
        Setting("tiering.potential_visits", "int", 3, _l("Visits for a potential customer"),
                _l("Logged visits a prospect that intends to order needs to be potential."), minimum=1,
                maximum=100),
        Setting("tiering.grid_visits", "int", 4, _l("Nine-grid: visits for a strong relationship"),
                _l("Logged visits that count towards relationship strength."), minimum=1, maximum=1000),
        Setting("tiering.grid_orders", "int", 12, _l("Nine-grid: orders a year for a strong relationship"),
                _l("Orders in 12 months that count towards relationship strength."), minimum=1, maximum=10_000),
        Setting("tiering.margin_rate", "decimal", D("0.10"), _l("Margin rate"),
                _l("The company's margin on sales, for the customer lifetime value estimate."), **SHARE),
        Setting("tiering.retention_rate", "decimal", D("0.80"), _l("Retention rate"),
                _l("Share of customers kept from one year to the next (lifetime value)."),
                minimum=D(0), maximum=D("0.99")),
        Setting("tiering.discount_rate", "decimal", D("0.10"), _l("Discount rate"),
                _l("Yearly discount rate of the lifetime value."), **SHARE),
        Setting("tiering.calls_key", "int", 1, _l("Planned calls a month: key"), "", minimum=0, maximum=31),
        Setting("tiering.calls_focus", "int", 1, _l("Planned calls a month: focus"), "", minimum=0, maximum=31),
        Setting("tiering.calls_general", "int", 2, _l("Planned calls a month: general"), "", minimum=0,
                maximum=31),
        Setting("tiering.call_lead_days", "int", 3, _l("Call tasks ahead (days)"),
                _l("A planned call becomes a task in the rep's work this many days before it is due."),
                minimum=0, maximum=31),
    ]


def parse_shares(text: Any) -> tuple[Decimal, ...]:
    """``"1/19/30/50"`` -> four shares adding up to 1."""
    parts = str(text).replace(" ", "").split("/")
    try:
        values = tuple(Decimal(p) / 100 for p in parts)
    except ArithmeticError:
        raise ValueError(_l("Write four percentages separated by /, e.g. 1/19/30/50.")) from None
    if len(values) != 4 or any(v < 0 for v in values) or sum(values) != 1:
        raise ValueError(_l("Write four percentages separated by / that add up to 100, e.g. 1/19/30/50."))
    return values


def thresholds() -> Thresholds:
    """The rules' thresholds from the company's settings."""
    return Thresholds(
        abc_method=setting("tiering.abc_method"), abc_a_share=setting("tiering.abc_a_share"),
        abc_b_share=setting("tiering.abc_b_share"), abc_a_kg=setting("tiering.abc_a_tonnes") * 1000,
        abc_b_kg=setting("tiering.abc_b_tonnes") * 1000, key_count=setting("tiering.key_count"),
        key_ties=setting("tiering.key_ties"), pyramid_shares=setting("tiering.pyramid_percent"),
        gap_factor=setting("tiering.gap_factor"), churn_drop=setting("tiering.churn_drop"),
        unstable_cv=setting("tiering.unstable_cv"), fast_growth=setting("tiering.fast_growth"),
        lifecycle_growth=setting("tiering.lifecycle_growth"),
        exploration_days=setting("tiering.exploration_days"), stability_days=setting("tiering.stability_days"),
        potential_visits=setting("tiering.potential_visits"), grid_visits=setting("tiering.grid_visits"),
        grid_orders=setting("tiering.grid_orders"), margin_rate=setting("tiering.margin_rate"),
        retention_rate=setting("tiering.retention_rate"), discount_rate=setting("tiering.discount_rate"))


def calls_per_month() -> dict[str, int]:
    """Planned calls a month by grade (the manual: key and focus one, general two)."""
    return {"key": setting("tiering.calls_key"), "focus": setting("tiering.calls_focus"),
            "general": setting("tiering.calls_general")}
