"""The grading rules of RULES.md §3 as pure functions over every customer at once.

Nothing here touches the database: ``inputs.py`` gathers the figures through hooks, ``recompute.py``
stores what these functions decide. Each rule takes the whole population (ranks and shares need
it) and answers ``{customer_id: result}``; each result carries the figures that explain it, so the
customer page can say why in words. Thresholds arrive as a ``Thresholds`` built from settings.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

RULE_VERSION = 1

GRADES = ("key", "focus", "general", "potential")
SIZE_CLASSES = ("A", "B", "C")
FOCUS_DETECTORS = ("new", "unstable", "fast_growing", "churn")
LIFECYCLE = ("exploration", "formation", "stability", "decline")
PYRAMID = ("platinum", "gold", "iron", "lead")
SEGMENTS = ("champions", "loyal", "promising", "at_risk", "hibernating", "need_attention")
OLD_CUSTOMER_DAYS = 365  # T-7, core's rule (Customer.age_class); repeated here for pure callers


@dataclass(frozen=True)
class Thresholds:
    """Every number the rules use; defaults are RULES.md's decision table (company settings)."""

    abc_method: str = "before"  # "before" | "after" (cumulative share conventions) | "fixed" (tonnes)
    abc_a_share: Decimal = Decimal("0.80")
    abc_b_share: Decimal = Decimal("0.95")
    abc_a_kg: int = 1_000_000  # fixed method: 1,000 t a year and more is A
    abc_b_kg: int = 200_000
    key_count: int = 20
    key_ties: str = "code"  # "code": exactly key_count, ties broken by code; "include": ties at the cut join
    pyramid_shares: tuple[Decimal, ...] = (Decimal("0.01"), Decimal("0.19"), Decimal("0.30"), Decimal("0.50"))
    gap_factor: Decimal = Decimal(2)  # T-5(a): k × median inter-order interval
    gap_min_orders: int = 3
    churn_drop: Decimal = Decimal("0.30")  # T-5(b): 90-day volume fell by this share or more
    unstable_cv: Decimal = Decimal("0.5")  # T-9: CV of monthly tonnes over 6 months
    fast_growth: Decimal = Decimal("0.30")  # T-9: growth with the potential flag
    lifecycle_growth: Decimal = Decimal("0.20")  # T-6: ±20 %
    exploration_orders: int = 3
    exploration_days: int = 90
    stability_days: int = 180
    potential_visits: int = 3  # T-8
    grid_visits: int = 4  # nine-grid: visits that count as a strong relationship
    grid_orders: int = 12  # nine-grid: orders a year that count as a strong relationship
    margin_rate: Decimal = Decimal("0.10")  # T-10: share of the amount that is margin
    retention_rate: Decimal = Decimal("0.80")
    discount_rate: Decimal = Decimal("0.10")


@dataclass(frozen=True)
class CustomerInputs:
    """What the rules know of one customer; every figure comes through a hook or core's archive."""

    customer_id: int
    code: str
    kg_12m: int = 0  # shipped net kilograms over the trailing 12 months
    amount_12m_cents: int = 0
    orders_12m: int = 0
    orders_total: int = 0
    first_order: date | None = None  # core's first order date (T-7)
    last_order: date | None = None
    order_dates: tuple[date, ...] = ()  # known order days (for the median interval), may be empty
    mean_interval_days: float | None = None  # when only first/last/count are known
    kg_last_90: int = 0
    kg_prev_90: int = 0
    monthly_kg: tuple[int, ...] = ()  # the last 6 full months, oldest first
    visits: int = 0
    intends_to_order: bool = False
    is_prospect: bool = False
    growth_potential: bool = False  # set by the rep on the archive (T-9, nine-grid)
    complaints: int = 0


@dataclass(frozen=True)
class Ranked:
    """A customer's place in an ordering: rank 1 is first, of ``count``."""

    rank: int
    count: int
    value: int


# -- T-1 ABC ---------------------------------------------------------------------------------

def ranking(values: Iterable[tuple[int, str, int]]) -> list[tuple[int, int]]:
    """``(customer_id, code, value)`` ordered by value descending, ties by code: ``[(id, value)]``."""
    ordered = sorted(values, key=lambda item: (-item[2], item[1]))
    return [(customer_id, value) for customer_id, _code, value in ordered]


def abc_classes(values: Iterable[tuple[int, str, int]], t: Thresholds = Thresholds()) -> dict[int, str]:
    """T-1: A/B/C by trailing-12-month volume. Customers without volume are C; with no volume at all
    everyone is C (there is no share to cut)."""
    ordered = ranking(values)
    if t.abc_method == "fixed":
        return {cid: "A" if value >= t.abc_a_kg else "B" if value >= t.abc_b_kg else "C"
                for cid, value in ordered}
    total = sum(value for _cid, value in ordered)
    result: dict[int, str] = {}
    before = 0
    for cid, value in ordered:
        if total <= 0 or value <= 0:
            result[cid] = "C"
            continue
        after = before + value
        share = Decimal(before if t.abc_method == "before" else after) / Decimal(total)
        if t.abc_method == "before":
            result[cid] = "A" if share < t.abc_a_share else "B" if share < t.abc_b_share else "C"
        else:
            result[cid] = "A" if share <= t.abc_a_share else "B" if share <= t.abc_b_share else "C"
        before = after
    return result


# -- T-2 key accounts ------------------------------------------------------------------------

def volume_ranks(values: Iterable[tuple[int, str, int]]) -> dict[int, Ranked]:
    """Rank by volume among customers with volume (ties by code): "rank 7 of 1,204"."""
    ordered = [(cid, value) for cid, value in ranking(values) if value > 0]
    return {cid: Ranked(rank, len(ordered), value) for rank, (cid, value) in enumerate(ordered, start=1)}


def key_accounts(values: Iterable[tuple[int, str, int]], t: Thresholds = Thresholds()) -> set[int]:
    """T-2: the top ``key_count`` by volume. Ties at the cut are broken by code by default; with
    ``key_ties="include"`` every customer tied with the last one is key too. No volume, never key."""
    ordered = [(cid, value) for cid, value in ranking(values) if value > 0]
    if len(ordered) <= t.key_count:
        return {cid for cid, _value in ordered}
    chosen = ordered[:t.key_count]
    if t.key_ties == "include":
        cut = chosen[-1][1]
        chosen += [(cid, value) for cid, value in ordered[t.key_count:] if value == cut]
    return {cid for cid, _value in chosen}


# -- T-3 pyramid -----------------------------------------------------------------------------

def pyramid_counts(n: int, shares: Sequence[Decimal]) -> list[int]:
    """T-3: tier count = ceil(n × cumulative share) minus the tiers above (Decimal, no float error)."""
    counts: list[int] = []
    cumulative = Decimal(0)
    for share in shares:
        cumulative += share
        reach = min(int((Decimal(n) * cumulative).to_integral_value(rounding=ROUND_CEILING)), n)
        counts.append(reach - sum(counts))
    counts[-1] += n - sum(counts)  # shares that do not add up to 100 % leave the rest at the bottom
    return counts


def pyramid_levels(values: Iterable[tuple[int, str, int]], t: Thresholds = Thresholds()) -> dict[int, str]:
    """Customers with value in the window, cut by count from the top (T-3); others have no level."""
    ordered = [(cid, value) for cid, value in ranking(values) if value > 0]
    result: dict[int, str] = {}
    position = 0
    for level, count in zip(PYRAMID, pyramid_counts(len(ordered), t.pyramid_shares), strict=True):
        for cid, _value in ordered[position:position + count]:
            result[cid] = level
        position += count
    return result


# -- T-4 RFM ---------------------------------------------------------------------------------

def quintile_scores(values: Iterable[tuple[int, str, float]]) -> dict[int, int]:
    """T-4: score = ceil(5 × rank / n), rank 1 the worst (smallest value), ties by code."""
    ordered = sorted(values, key=lambda item: (item[2], item[1]))
    n = len(ordered)
    return {cid: math.ceil(5 * rank / n) for rank, (cid, _code, _value) in enumerate(ordered, start=1)}


def rfm_scores(customers: Iterable[CustomerInputs], today: date) -> dict[int, tuple[int, int, int]]:
    """R, F, M 1–5 for customers that ever ordered; recency reversed (fewest days scores 5)."""
    ordered = [c for c in customers if c.last_order is not None]
    recency = quintile_scores((c.customer_id, c.code, -(today - c.last_order).days) for c in ordered)  # type: ignore[operator]
    frequency = quintile_scores((c.customer_id, c.code, c.orders_12m) for c in ordered)
    monetary = quintile_scores((c.customer_id, c.code, c.amount_12m_cents or c.kg_12m) for c in ordered)
    return {c.customer_id: (recency[c.customer_id], frequency[c.customer_id], monetary[c.customer_id])
            for c in ordered}


def rfm_segment(r: int, f: int, m: int) -> str:
    """Segments of T-4's examples: 555/554/545 champions, 155/154/144 at risk, 111/112 hibernating."""
    if r >= 4 and f >= 4 and m >= 4:
        return "champions"
    if r <= 2 and f >= 4 and m >= 4:
        return "at_risk"
    if r <= 2 and f <= 2 and m <= 2:
        return "hibernating"
    if r >= 4 and f <= 2:
        return "promising"
    if r >= 3 and f >= 3:
        return "loyal"
    return "need_attention"


# -- T-5 churn, T-6 lifecycle, T-7 old/new, T-9 focus ------------------------------------------

def growth(last: int, previous: int) -> Decimal | None:
    """Change of the last 90 days against the 90 before; None when there was nothing before."""
    if previous <= 0:
        return None if last <= 0 else Decimal("Infinity")
    return (Decimal(last) - Decimal(previous)) / Decimal(previous)


def order_interval(c: CustomerInputs) -> float | None:
    """The median days between orders when the order days are known, else the mean interval."""
    if len(c.order_dates) >= 2:
        days = sorted(c.order_dates)
        return float(statistics.median((b - a).days for a, b in zip(days, days[1:], strict=False)))
    return c.mean_interval_days


def churn_gap(c: CustomerInputs, today: date, t: Thresholds = Thresholds()) -> bool:
    """T-5(a): days since the last order > k × the median interval, with at least 3 orders."""
    interval = order_interval(c)
    if c.last_order is None or c.orders_total < t.gap_min_orders or not interval:
        return False
    return Decimal((today - c.last_order).days) > t.gap_factor * Decimal(str(interval))


def churn_volume(c: CustomerInputs, t: Thresholds = Thresholds()) -> bool:
    """T-5(b): the last 90 days' tonnes fell by ``churn_drop`` or more against the 90 before."""
    change = growth(c.kg_last_90, c.kg_prev_90)
    return change is not None and change <= -t.churn_drop


def is_old(first_order: date | None, today: date) -> bool:
    """T-7: old when more than 365 days passed since the first order (365 is still new)."""
    return first_order is not None and (today - first_order).days > OLD_CUSTOMER_DAYS


def coefficient_of_variation(values: Sequence[int]) -> Decimal | None:
    """Population standard deviation over the mean; None without volume."""
    if not values or sum(values) <= 0:
        return None
    mean = Decimal(sum(values)) / len(values)
    variance = sum((Decimal(v) - mean) ** 2 for v in values) / len(values)
    return variance.sqrt() / mean


def focus_detectors(c: CustomerInputs, today: date, t: Thresholds = Thresholds()) -> list[str]:
    """T-9: which of new / unstable / fast-growing (with the potential flag) / churn fire."""
    if c.first_order is None and c.orders_total == 0:
        return []  # a prospect: T-8 decides
    fired = []
    if not is_old(c.first_order, today):
        fired.append("new")
    cv = coefficient_of_variation(c.monthly_kg)
    if cv is not None and cv > t.unstable_cv:
        fired.append("unstable")
    change = growth(c.kg_last_90, c.kg_prev_90)
    if c.growth_potential and change is not None and change >= t.fast_growth:
        fired.append("fast_growing")
    if churn_gap(c, today, t) or churn_volume(c, t):
        fired.append("churn")
    return fired


def lifecycle_stage(c: CustomerInputs, today: date, t: Thresholds = Thresholds()) -> str | None:
    """T-6, evaluated decline > exploration > formation > stability; None before the first order.
    Flat volume before ``stability_days`` of tenure is still exploration."""
    if c.first_order is None and c.orders_total == 0:
        return None
    change = growth(c.kg_last_90, c.kg_prev_90)
    if (change is not None and change <= -t.lifecycle_growth) or churn_gap(c, today, t):
        return "decline"
    tenure = (today - c.first_order).days if c.first_order else 0
    if c.orders_total < t.exploration_orders or tenure < t.exploration_days:
        return "exploration"
    if change is not None and change >= t.lifecycle_growth:
        return "formation"
    if tenure >= t.stability_days:
        return "stability"
    return "exploration"


def is_potential(c: CustomerInputs, t: Thresholds = Thresholds()) -> bool:
    """T-8: three or more logged visits, intends to order, no order yet."""
    return c.visits >= t.potential_visits and c.intends_to_order and c.orders_total == 0 and c.first_order is None


# -- T-10 CLV --------------------------------------------------------------------------------

def clv(annual_margin: Decimal, retention: Decimal, discount: Decimal, acquisition: Decimal = Decimal(0)) -> Decimal:
    """T-10: m · r / (1 + i − r) − AC."""
    return annual_margin * retention / (1 + discount - retention) - acquisition


def clv_cents(c: CustomerInputs, t: Thresholds = Thresholds()) -> int:
    """An estimate: the trailing 12 months' amount × margin rate as the yearly margin."""
    margin = Decimal(c.amount_12m_cents) * t.margin_rate
    return int(clv(margin, t.retention_rate, t.discount_rate).to_integral_value())


# -- nine-grid ------------------------------------------------------------------------------

def nine_grid(c: CustomerInputs, result: Result, t: Thresholds = Thresholds()) -> tuple[int | None, int | None]:
    """Potential × relationship strength, each 1 (low) to 3 (high); None for prospects.

    Potential: the rep's growth-potential flag (2 points), growth in the lifecycle band (1), size
    A (2) or B (1). Relationship: an old customer (1), ``grid_visits`` or more visits (1),
    ``grid_orders`` or more orders over the year (1), a recent order, RFM recency 4 or 5 (1), less
    one for complaints in the year (a sign of decline).
    """
    if result.grade in (None, "potential"):
        return None, None
    change = growth(c.kg_last_90, c.kg_prev_90)
    potential = (2 * c.growth_potential + (change is not None and change >= t.lifecycle_growth)
                 + {"A": 2, "B": 1}.get(result.size_class or "", 0))
    relationship = (result.old + (c.visits >= t.grid_visits) + (c.orders_12m >= t.grid_orders)
                    + bool(result.rfm and result.rfm[0] >= 4) - (c.complaints > 0))
    return (1 if potential <= 1 else 2 if potential <= 3 else 3,
            1 if relationship <= 1 else 2 if relationship == 2 else 3)


# -- all together ----------------------------------------------------------------------------

@dataclass
class Result:
    """Everything decided for one customer, with the figures that explain it."""

    customer_id: int
    grade: str | None  # key | focus | general | potential; None: a prospect that is not potential
    size_class: str | None
    key_rank: Ranked | None
    focus: list[str] = field(default_factory=list)
    lifecycle: str | None = None
    pyramid: str | None = None
    rfm: tuple[int, int, int] | None = None
    segment: str | None = None
    clv_cents: int | None = None
    old: bool = False
    churn: bool = False

    def attributes(self) -> dict[str, object]:
        """The attributes whose changes are reported (tier_changed) and kept in the history."""
        return {"grade": self.grade, "size_class": self.size_class, "focus": ",".join(self.focus) or None,
                "lifecycle": self.lifecycle, "pyramid": self.pyramid, "segment": self.segment,
                "churn": self.churn}


def grade_all(customers: Sequence[CustomerInputs], today: date, t: Thresholds = Thresholds()) -> dict[int, Result]:
    """Every rule for every customer: key > focus > general for customers, potential for prospects."""
    buyers = [c for c in customers if not (c.first_order is None and c.orders_total == 0)]
    volumes = [(c.customer_id, c.code, c.kg_12m) for c in buyers]
    sizes = abc_classes(volumes, t)
    keys = key_accounts(volumes, t)
    ranks = volume_ranks(volumes)
    levels = pyramid_levels([(c.customer_id, c.code, c.amount_12m_cents or c.kg_12m) for c in buyers], t)
    rfm = rfm_scores(buyers, today)
    results: dict[int, Result] = {}
    for c in customers:
        cid = c.customer_id
        if c.first_order is None and c.orders_total == 0:
            results[cid] = Result(cid, "potential" if is_potential(c, t) else None, None, None)
            continue
        focus = focus_detectors(c, today, t)
        grade = "key" if cid in keys else "focus" if focus else "general"
        scores = rfm.get(cid)
        results[cid] = Result(
            cid, grade, sizes.get(cid, "C"), ranks.get(cid), focus, lifecycle_stage(c, today, t),
            levels.get(cid), scores, rfm_segment(*scores) if scores else None, clv_cents(c, t),
            is_old(c.first_order, today), "churn" in focus)
    return results
