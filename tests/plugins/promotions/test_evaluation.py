"""Effect evaluation on a known data set: the targets against their baseline and against a control
group of comparable customers (same region and size class, not targeted), uplift, cost per extra
tonne and target achievement; with neither tiering nor logistics enabled."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update

from core.db import db
from core.events import commit
from core.registry.models import Customer
from plugins.promotions.evaluation import control_ids, evaluate, periods
from plugins.promotions.services import log_execution
from tests.plugins.promotions.conftest import application
from tests.plugins.promotions.figures import plugin as figures
from tests.plugins.promotions.figures.plugin import FiguresPlugin
from tests.plugins.promotions.test_review import decide, submitted

pytestmark = pytest.mark.guanxi_plugins("promotions", "figures", extra={"figures": FiguresPlugin})
MARCH, FEBRUARY = date(2026, 3, 1), date(2026, 1, 29)  # 31 days, and the 31 days before


@pytest.fixture
def running(org, customers):
    """A filed promotion for E-A1 and E-A2 (A-size, east) in March 2026 with 6 000 yuan spent."""
    promotion = submitted(org, customers, budget_yuan=8000, codes="E-A1 E-A2", target_kg=50_000,
                          target_amount_cents=20_000_000, new=2)
    decide(promotion, org["cm_head"])
    decide(promotion, org["mk_head"])
    decide(promotion, org["spec1"])
    log_execution(promotion, org["rep"], date(2026, 3, 5), "技术交流会", 400_000)
    log_execution(promotion, org["rep"], date(2026, 3, 20), "赠品兑现", 200_000)
    commit()
    return promotion


def sales(customers, table):
    figures.SALES.clear()
    for (code, day), value in table.items():
        figures.SALES[(customers[code].id, day)] = value


def test_the_baseline_is_the_same_length_just_before(running):
    assert periods(running) == ((date(2026, 3, 1), date(2026, 3, 31)), (FEBRUARY, date(2026, 2, 28)))


def test_the_control_group_is_the_untargeted_customers_of_the_same_region_and_grade(running, customers):
    ids = set(db.session.scalars(control_ids(running)))
    assert ids == {customers["E-A3"].id}  # not the B ones, not the west's A, not the targets


def test_uplift_cost_and_achievement_on_known_figures(running, customers):
    sales(customers, {
        ("E-A1", FEBRUARY): (20_000, 6_000_000), ("E-A1", MARCH): (30_000, 9_000_000),
        ("E-A2", FEBRUARY): (10_000, 3_000_000), ("E-A2", MARCH): (18_000, 5_400_000),
        ("E-A3", FEBRUARY): (10_000, 3_000_000), ("E-A3", MARCH): (11_000, 3_300_000),  # the market: +10 %
        ("E-B1", FEBRUARY): (90_000, 1), ("E-B1", MARCH): (1, 1),  # another grade: no influence
    })
    db.session.execute(update(Customer).where(Customer.id == customers["E-A2"].id)
                       .values(first_order_date=date(2026, 3, 8)))
    db.session.commit()
    found = evaluate(running)
    assert (found.targets_before.kg, found.targets_now.kg) == (30_000, 48_000)
    assert (found.targets_now.cents, found.control_count) == (14_400_000, 1)
    assert found.control_growth == Decimal("1.1")
    assert found.expected_kg == 33_000  # 30 t × 1.1
    assert found.uplift_kg == 15_000
    assert found.spent_cents == 600_000
    assert found.cost_per_extra_tonne_cents == 40_000  # 6 000 yuan ÷ 15 t = 400 yuan a tonne
    assert found.achievement_kg == Decimal("0.96")  # 48 of 50 t
    assert found.achievement_cents == Decimal("0.72")  # 144 000 of 200 000 yuan
    assert (found.new_customers, found.achievement_new) == (1, Decimal("0.5"))
    assert found.has_figures


def test_without_a_control_baseline_the_targets_own_baseline_is_expected(running, customers):
    sales(customers, {("E-A1", FEBRUARY): (10_000, 1), ("E-A1", MARCH): (8_000, 1)})
    found = evaluate(running)
    assert found.control_growth is None and found.expected_kg == 10_000
    assert found.uplift_kg == -2_000 and found.cost_per_extra_tonne_cents is None


def test_the_evaluation_page_and_report_show_the_figures(running, customers, client):
    from core.testing import login

    sales(customers, {("E-A1", FEBRUARY): (20_000, 1), ("E-A1", MARCH): (30_000, 1)})
    login(client, "cm_head")
    page = client.get(f"/promotions/{running.id}/evaluation").get_data(as_text=True)
    assert "30.000 t" in page and "20.000 t" in page and 'id="uplift">10.000 t' in page
    pdf = client.get(f"/print/promotion_evaluation/{running.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_a_promotion_not_yet_filed_has_no_evaluation(org, customers, client):
    from core.testing import login

    draft = application(org)
    login(client, "cm_head")
    assert client.get(f"/promotions/{draft.id}/evaluation").status_code == 404
