"""What logistics answers to other plugins and shows on the customer page and dashboard."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.contract import Period
from core.db import db, utcnow
from core.metrics import customer_metrics, local_months
from core.registry.models import Customer
from core.testing import QueryCounter, login, make_customer
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.services import LineInput, create_order
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load

pytestmark = pytest.mark.guanxi_plugins("logistics")  # other plugins' metrics would add queries of their own


def ship(world, order, tare=15200, gross=40540):
    from plugins.logistics.services import issue_pass, load, take_gross, take_tare, use_pass

    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], tare, world["weigher"])
    load(trip, order.lines[0].bags, world["keeper"])
    take_gross(trip, gross, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    db.session.commit()


def test_customer_metrics_answer_shipped_tonnes_amount_and_order_dates(app, world):
    shipped = new_order(world)
    ship(world, shipped)
    new_order(world, tonnes="10")  # recorded, not shipped
    other = make_customer("另一客户", world["rep_east"])
    ids = [world["customer"].id, other.id]
    with QueryCounter() as queries:
        metrics = customer_metrics(ids)
    assert queries.count == 2  # the orders' figures, the receivable balance
    mine = metrics[world["customer"].id]
    assert mine["shipped_kg"] == 25340 and mine["shipped_amount_cents"] == 8150000
    assert mine["order_count"] == 2 and mine["first_order_at"] <= mine["last_order_at"]
    assert other.id not in metrics
    future = Period(utcnow() + timedelta(days=1), None)
    assert all(set(figures) == {"receivable_cents"} for figures in customer_metrics(ids, future).values())


def order_at(world, when, tonnes="25", customer=None):
    order = create_order(customer or world["customer"], [LineInput(world["feed"], tonnes=tonnes)],
                         world["coordinator"], ordered_at=when, transport="pickup")
    db.session.commit()
    return order


def test_monthly_series_follow_the_company_months_and_add_up_to_the_totals(app, world):
    ship(world, order_at(world, datetime(2026, 1, 10, 2)))
    order_at(world, datetime(2026, 1, 31, 17), tonnes="10")  # 1 February, 01:00 in Shanghai
    ORDER_FLOW.apply(order_at(world, datetime(2026, 3, 5)), "cancel", world["coordinator"], comment="客户取消")
    db.session.commit()
    cid = world["customer"].id
    period = local_months(date(2026, 1, 1), date(2026, 3, 1))
    with QueryCounter() as queries:
        series = customer_metrics([cid], period, series="month")
    assert queries.count == 1
    assert series == {cid: {"shipped_kg": {"2026-01": 25340, "2026-02": 0, "2026-03": 0},
                            "shipped_amount_cents": {"2026-01": 8150000, "2026-02": 0, "2026-03": 0},
                            "order_count": {"2026-01": 1, "2026-02": 1, "2026-03": 0}}}
    totals = customer_metrics([cid], period)[cid]
    for name, months in series[cid].items():
        assert sum(months.values()) == totals[name], name


def test_every_form_is_one_grouped_query_per_concern_for_3_or_30_customers(app, world):
    period = local_months(date(2026, 1, 1), date(2026, 2, 1))
    forms = {
        "ids": lambda ids: customer_metrics(ids, period),
        "ids by month": lambda ids: customer_metrics(ids, period, series="month"),
        "visible": lambda ids: customer_metrics(None, period, user=world["rep_east"]),
        "visible by month": lambda ids: customer_metrics(None, period, series="month", user=world["rep_east"]),
        "subquery": lambda ids: customer_metrics(
            select(Customer.id).where(Customer.id.in_(ids)), period),
    }
    counts = {}
    customers = []
    world["rep_east"].can("customers.view")  # the user's permissions load once, before counting
    for total in (3, 30):
        while len(customers) < total:
            customers.append(make_customer(f"客户{len(customers)}", world["rep_east"]))
            order_at(world, datetime(2026, 1, 5), customer=customers[-1])
        ids = [c.id for c in customers]
        for name, form in forms.items():
            with QueryCounter() as queries:
                answered = form(ids)
            assert set(answered) == set(ids), name
            counts[name, total] = queries.count
    # series: the orders' figures; totals add the receivable balance (a balance does not add up by month)
    assert all(count == (1 if "month" in name else 2) for (name, _total), count in counts.items()), counts
    assert customer_metrics(None, period, user=world["rep_west"]) == {}  # another region's rep sees none


def test_customer_page_panel_and_dashboard_widget(app, world):
    order = new_order(world)
    ship(world, order)
    client = app.test_client()
    login(client, "coordinator")
    page = client.get(f"/customers/{world['customer'].id}").get_data(as_text=True)
    assert "订单与发货" in page and order.number in page
    dashboard = client.get("/").get_data(as_text=True)
    assert "按时发货（30 天）" in dashboard and 'id="on-time-rate">100%' in dashboard


SHIPPED_EVENTS: list = []



def test_order_shipped_fires_once_after_the_commit(tmp_path):
    from core.api import Plugin, hookimpl
    from core.events import commit
    from core.testing import make_test_app, make_user
    from plugins.logistics.models import Product, Vehicle

    class Listener(Plugin):
        @hookimpl
        def order_shipped(self, app, order):
            SHIPPED_EVENTS.append(order.number)

    SHIPPED_EVENTS.clear()
    app = make_test_app("sqlite", tmp_path, plugins=["logistics", "listener"],
                        GUANXI_EXTRA_PLUGINS={"listener": Listener})
    with app.app_context():
        world = {name: make_user(name, (role,), "east" if role == "rep" else None) for name, role in (
            ("rep_east", "rep"), ("coordinator", "coordinator"), ("keeper", "warehouse_keeper"),
            ("weigher", "weigher"))}
        world["feed"] = Product(code="P1", name="猪料", bag_weight_kg=40, price_cents_per_tonne=300000)
        world["truck"] = Vehicle(plate="豫A·1", last_tare_kg=15200)
        db.session.add_all([world["feed"], world["truck"]])
        from core.testing import make_customer

        world["customer"] = make_customer("客户", world["rep_east"])
        order = new_order(world)
        ship(world, order)  # commits with db.session.commit(): delivered at the next dispatch
        assert SHIPPED_EVENTS == []
        commit()
        assert SHIPPED_EVENTS == [order.number]
