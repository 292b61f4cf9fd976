"""With logistics enabled the evaluation reads real shipments: an order weighed and through the gate
counts for its customer in the promotion's period, with its net weight and amount."""
from datetime import timedelta
from decimal import Decimal

import pytest

from core.clock import local_now
from core.events import commit
from plugins.logistics.services import issue_pass, load, take_gross, take_tare, use_pass
from plugins.promotions.evaluation import evaluate
from plugins.promotions.services import ApplicationData, save_application
from tests.plugins.logistics.conftest import world  # noqa: F401  (the logistics world fixture)
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load

pytestmark = pytest.mark.guanxi_plugins("logistics", "promotions")


def test_a_shipped_order_counts_in_the_evaluation(world):  # noqa: F811
    order = new_order(world, tonnes="25")
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 15200 + 25040, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    commit()
    today = local_now().date()
    promotion = save_application(ApplicationData(
        title="现场促销", region_id=world["rep_east"].region_id, period_start=today - timedelta(days=9),
        period_end=today, situation_before="-", purpose="-", plan="-", target_kg=50_000, target_amount_cents=0,
        target_new_customers=0, budget_cents=100_000, target_codes=world["customer"].code), world["rep_east"])
    commit()
    found = evaluate(promotion)
    assert found.has_figures
    assert found.targets_now.kg == 25_040 and found.targets_now.cents == order.amount_cents
    assert found.targets_before.kg == 0 and found.uplift_kg == 25_040
    assert found.achievement_kg == Decimal("0.5008")
