"""Every vector of RULES.md §3 against the pure rules, plus empty and all-zero populations."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from plugins.tiering.rules import (
    CustomerInputs,
    Thresholds,
    abc_classes,
    churn_gap,
    churn_volume,
    clv,
    clv_cents,
    focus_detectors,
    grade_all,
    is_old,
    is_potential,
    key_accounts,
    lifecycle_stage,
    pyramid_counts,
    pyramid_levels,
    quintile_scores,
    rfm_scores,
    rfm_segment,
    volume_ranks,
)

TODAY = date(2026, 12, 6)
T1_SALES = [500, 200, 100, 60, 40, 30, 30, 20, 15, 5]


def population(values):
    return [(i, f"C{i:03d}", value) for i, value in enumerate(values, start=1)]


def ids_of(classes, size):
    return [cid for cid, cls in sorted(classes.items()) if cls == size]


# -- T-1 -------------------------------------------------------------------------------------

def test_t1_convention_before_puts_customer_7_in_b():
    classes = abc_classes(population(T1_SALES), Thresholds(abc_method="before"))
    assert ids_of(classes, "A") == [1, 2, 3]
    assert ids_of(classes, "B") == [4, 5, 6, 7]
    assert ids_of(classes, "C") == [8, 9, 10]


def test_t1_convention_after_moves_customer_7_to_c():
    classes = abc_classes(population(T1_SALES), Thresholds(abc_method="after"))
    assert ids_of(classes, "A") == [1, 2, 3]
    assert ids_of(classes, "B") == [4, 5, 6]
    assert ids_of(classes, "C") == [7, 8, 9, 10]


def test_t1_the_default_is_convention_before():
    assert abc_classes(population(T1_SALES))[7] == "B"


def test_t1_fixed_tonnage_thresholds_are_the_alternative():
    t = Thresholds(abc_method="fixed", abc_a_kg=100_000, abc_b_kg=30_000)
    classes = abc_classes(population([kg * 1000 for kg in T1_SALES]), t)
    assert ids_of(classes, "A") == [1, 2, 3]  # 100 t and more
    assert ids_of(classes, "B") == [4, 5, 6, 7]  # 30 t and more
    assert ids_of(classes, "C") == [8, 9, 10]


def test_t1_ties_are_ordered_by_code():
    # two customers of 30 t straddle the B/C boundary of convention after: the lower code goes first
    values = [(6, "C007", 30), (7, "C006", 30)] + [(i, f"C{i:03d}", v) for i, v in
                                                   enumerate([500, 200, 100, 60, 40], start=1)] + \
             [(8, "C008", 20), (9, "C009", 15), (10, "C010", 5)]
    classes = abc_classes(values, Thresholds(abc_method="after"))
    assert classes[7] == "B" and classes[6] == "C"


def test_t1_empty_and_all_zero_populations():
    assert abc_classes([]) == {}
    assert set(abc_classes(population([0] * 5)).values()) == {"C"}
    assert set(abc_classes(population([0] * 5), Thresholds(abc_method="after")).values()) == {"C"}


# -- T-2 -------------------------------------------------------------------------------------

def test_t2_exactly_the_top_20_with_ties_at_rank_20_broken_by_code():
    values = population([1000 - i for i in range(19)] + [50, 50, 50] + [10] * 5)
    keys = key_accounts(values)
    assert len(keys) == 20
    assert 20 in keys and 21 not in keys and 22 not in keys


def test_t2_ties_at_rank_20_all_included_when_the_setting_says_so():
    values = population([1000 - i for i in range(19)] + [50, 50, 50] + [10] * 5)
    keys = key_accounts(values, Thresholds(key_ties="include"))
    assert len(keys) == 22 and {20, 21, 22} <= keys


def test_t2_customers_without_volume_are_never_key_and_small_bases_are_all_key():
    assert key_accounts(population([5, 0, 3])) == {1, 3}
    assert key_accounts([]) == set()
    assert key_accounts(population([0] * 30)) == set()


def test_t2_rank_and_count_explain_the_key_grade():
    ranks = volume_ranks(population([300, 0, 900, 500]))
    assert (ranks[3].rank, ranks[3].count, ranks[3].value) == (1, 3, 900)
    assert ranks[1].rank == 3 and 2 not in ranks


# -- T-3 -------------------------------------------------------------------------------------

def test_t3_pyramid_for_ten_customers():
    assert pyramid_counts(10, Thresholds().pyramid_shares) == [1, 1, 3, 5]


def test_t3_pyramid_for_250_customers():
    assert pyramid_counts(250, Thresholds().pyramid_shares) == [3, 47, 75, 125]


def test_t3_levels_follow_value_order_and_skip_customers_without_value():
    levels = pyramid_levels(population([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]))
    assert levels[1] == "platinum" and levels[2] == "gold"
    assert [levels[i] for i in (3, 4, 5)] == ["iron"] * 3
    assert [levels[i] for i in (6, 7, 8, 9, 10)] == ["lead"] * 5
    assert 11 not in levels
    assert pyramid_levels([]) == {} and pyramid_levels(population([0, 0])) == {}


# -- T-4 -------------------------------------------------------------------------------------

def test_t4_ten_customers_score_two_per_quintile():
    scores = quintile_scores((i, f"C{i:03d}", float(i)) for i in range(1, 11))
    assert [scores[i] for i in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_t4_ties_are_ranked_by_code_like_pandas_first():
    scores = quintile_scores([(1, "B", 7.0), (2, "A", 7.0), (3, "C", 1.0), (4, "D", 9.0), (5, "E", 9.0)])
    assert scores == {3: 1, 2: 2, 1: 3, 4: 4, 5: 5}


def test_t4_recency_is_reversed_the_latest_order_scores_five():
    customers = [CustomerInputs(i, f"C{i:03d}", orders_12m=i, amount_12m_cents=i * 100, orders_total=i,
                                first_order=TODAY - timedelta(days=400), last_order=TODAY - timedelta(days=i * 10))
                 for i in range(1, 11)]
    scores = rfm_scores(customers, TODAY)
    assert scores[1] == (5, 1, 1)  # ordered 10 days ago, rarely, little
    assert scores[10] == (1, 5, 5)
    assert rfm_segment(*scores[10]) == "at_risk"


@pytest.mark.parametrize("rfm,segment", [
    ((5, 5, 5), "champions"), ((5, 5, 4), "champions"), ((5, 4, 5), "champions"),
    ((1, 5, 5), "at_risk"), ((1, 5, 4), "at_risk"), ((1, 4, 4), "at_risk"),
    ((1, 1, 1), "hibernating"), ((1, 1, 2), "hibernating"),
    ((5, 1, 1), "promising"), ((3, 3, 2), "loyal"), ((3, 1, 5), "need_attention")])
def test_t4_segments_of_the_examples(rfm, segment):
    assert rfm_segment(*rfm) == segment


# -- T-5 -------------------------------------------------------------------------------------

def every_ten_days(last_days_ago):
    last = TODAY - timedelta(days=last_days_ago)
    days = tuple(last - timedelta(days=10 * i) for i in range(5))
    return CustomerInputs(1, "C001", orders_total=5, first_order=min(days), last_order=last, order_dates=days)


def test_t5a_gap_rule_flags_21_days_after_orders_every_10():
    assert churn_gap(every_ten_days(21), TODAY)
    assert not churn_gap(every_ten_days(19), TODAY)
    assert not churn_gap(every_ten_days(20), TODAY)  # strictly more than 2 × 10


def test_t5a_gap_rule_needs_three_orders():
    two = CustomerInputs(1, "C001", orders_total=2, last_order=TODAY - timedelta(days=100),
                         order_dates=(TODAY - timedelta(days=110), TODAY - timedelta(days=100)))
    assert not churn_gap(two, TODAY)


def test_t5a_gap_rule_uses_the_mean_interval_when_only_first_and_last_are_known():
    c = CustomerInputs(1, "C001", orders_total=5, last_order=TODAY - timedelta(days=21), mean_interval_days=10.0)
    assert churn_gap(c, TODAY)


def test_t5b_volume_rule_flags_a_drop_of_a_third():
    assert churn_volume(CustomerInputs(1, "C001", kg_prev_90=120_000, kg_last_90=80_000))
    assert not churn_volume(CustomerInputs(1, "C001", kg_prev_90=120_000, kg_last_90=90_000))
    assert not churn_volume(CustomerInputs(1, "C001"))


# -- T-6 -------------------------------------------------------------------------------------

def settled(**changes):
    base = dict(customer_id=1, code="C001", orders_total=12, first_order=TODAY - timedelta(days=400),
                last_order=TODAY - timedelta(days=5), mean_interval_days=30.0,
                kg_prev_90=100_000, kg_last_90=100_000)
    base.update(changes)
    return CustomerInputs(**base)


def test_t6_lifecycle_stages():
    assert lifecycle_stage(settled(), TODAY) == "stability"
    assert lifecycle_stage(settled(kg_last_90=120_000), TODAY) == "formation"
    assert lifecycle_stage(settled(kg_last_90=80_000), TODAY) == "decline"
    assert lifecycle_stage(settled(orders_total=2), TODAY) == "exploration"
    assert lifecycle_stage(settled(first_order=TODAY - timedelta(days=60)), TODAY) == "exploration"


def test_t6_decline_wins_over_exploration_and_exploration_over_formation():
    assert lifecycle_stage(settled(orders_total=2, kg_last_90=50_000), TODAY) == "decline"
    assert lifecycle_stage(settled(first_order=TODAY - timedelta(days=30), kg_last_90=200_000), TODAY) == "exploration"
    gap = settled(last_order=TODAY - timedelta(days=61), kg_last_90=100_000)  # 61 > 2 × 30
    assert lifecycle_stage(gap, TODAY) == "decline"


def test_t6_a_prospect_has_no_stage_and_a_first_order_starts_exploration():
    prospect = CustomerInputs(1, "C001", is_prospect=True, visits=4, intends_to_order=True)
    assert lifecycle_stage(prospect, TODAY) is None
    first = CustomerInputs(1, "C001", orders_total=1, first_order=TODAY, last_order=TODAY)
    assert lifecycle_stage(first, TODAY) == "exploration"


# -- T-7 -------------------------------------------------------------------------------------

def test_t7_old_after_strictly_more_than_365_days():
    assert not is_old(TODAY - timedelta(days=365), TODAY)
    assert is_old(TODAY - timedelta(days=366), TODAY)


# -- T-8 -------------------------------------------------------------------------------------

def test_t8_potential_needs_three_visits_intent_and_no_order():
    assert is_potential(CustomerInputs(1, "C1", visits=3, intends_to_order=True, is_prospect=True))
    assert not is_potential(CustomerInputs(1, "C1", visits=2, intends_to_order=True, is_prospect=True))
    assert not is_potential(CustomerInputs(1, "C1", visits=5, intends_to_order=False, is_prospect=True))
    assert not is_potential(CustomerInputs(1, "C1", visits=5, intends_to_order=True, orders_total=1,
                                           first_order=TODAY))


def test_t8_a_first_order_moves_a_potential_customer_to_exploration():
    before = grade_all([CustomerInputs(1, "C1", visits=3, intends_to_order=True, is_prospect=True)], TODAY)
    assert before[1].grade == "potential" and before[1].lifecycle is None
    after = grade_all([CustomerInputs(1, "C1", visits=3, intends_to_order=True, orders_total=1,
                                      first_order=TODAY, last_order=TODAY, kg_12m=10_000)], TODAY)
    assert after[1].grade in ("key", "focus") and after[1].lifecycle == "exploration"


# -- T-9 -------------------------------------------------------------------------------------

def test_t9_each_focus_detector_is_named():
    assert focus_detectors(settled(first_order=TODAY - timedelta(days=200)), TODAY) == ["new"]
    assert focus_detectors(settled(monthly_kg=(10, 100, 5, 90, 0, 60)), TODAY) == ["unstable"]
    assert focus_detectors(settled(monthly_kg=(50, 55, 50, 45, 50, 52)), TODAY) == []
    assert focus_detectors(settled(kg_last_90=130_000, growth_potential=True), TODAY) == ["fast_growing"]
    assert focus_detectors(settled(kg_last_90=130_000, growth_potential=False), TODAY) == []
    assert focus_detectors(settled(kg_last_90=70_000), TODAY) == ["churn"]


def test_t9_focus_is_the_grade_unless_key():
    customers = [settled(customer_id=i, code=f"C{i:03d}", kg_12m=1000 * i) for i in range(1, 23)]
    customers.append(settled(customer_id=99, code="C099", kg_12m=1, kg_last_90=10_000))  # churning
    results = grade_all(customers, TODAY)
    assert results[99].grade == "focus" and results[99].focus == ["churn"] and results[99].churn
    assert results[1].grade == "general" and results[2].grade == "general"
    assert results[22].grade == "key" and results[22].key_rank.rank == 1


# -- T-10 ------------------------------------------------------------------------------------

def test_t10_clv_of_the_example():
    value = clv(Decimal(100_000), Decimal("0.8"), Decimal("0.1"))
    assert round(value) == 266_667


def test_t10_clv_uses_the_margin_rate_setting():
    c = CustomerInputs(1, "C1", amount_12m_cents=100_000_000)  # ¥1,000,000 a year
    assert clv_cents(c, Thresholds(margin_rate=Decimal("0.10"))) == 26_666_667  # ≈ ¥266,667
    assert clv_cents(c, Thresholds(margin_rate=Decimal("0.05"))) == 13_333_333


# -- everything at once ----------------------------------------------------------------------

def test_an_empty_population_grades_nobody():
    assert grade_all([], TODAY) == {}


def test_an_all_zero_population_is_general_c_without_pyramid_or_key():
    customers = [CustomerInputs(i, f"C{i:03d}", orders_total=5, first_order=TODAY - timedelta(days=500),
                                last_order=TODAY - timedelta(days=400)) for i in range(1, 6)]
    results = grade_all(customers, TODAY)
    assert {r.grade for r in results.values()} == {"general"}
    assert {r.size_class for r in results.values()} == {"C"}
    assert {r.pyramid for r in results.values()} == {None}
    assert all(r.key_rank is None and r.clv_cents == 0 for r in results.values())


def test_the_nine_grid_scores_follow_the_settings_and_complaints_weaken_the_relationship():
    from plugins.tiering.rules import Result, nine_grid

    c = settled(visits=5, orders_12m=12, growth_potential=True, kg_last_90=130_000)
    result = Result(1, "key", "A", None, old=True, rfm=(5, 5, 5))
    assert nine_grid(c, result) == (3, 3)
    assert nine_grid(c, result, Thresholds(grid_visits=10, grid_orders=24)) == (3, 2)
    complained = settled(visits=5, orders_12m=12, complaints=2)
    assert nine_grid(complained, Result(1, "general", "C", None, old=True, rfm=(3, 3, 3))) == (1, 2)
    assert nine_grid(CustomerInputs(2, "P"), Result(2, "potential", None, None)) == (None, None)


def test_t7_is_cores_old_new_rule():
    from core.registry.models import Customer

    for days in (365, 366):
        first = TODAY - timedelta(days=days)
        core_says = Customer(first_order_date=first, is_prospect=False).age_class(TODAY)
        assert (core_says == "old") == is_old(first, TODAY)
