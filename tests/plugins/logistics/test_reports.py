"""What logistics answers to other plugins and shows on the customer page and dashboard."""
from datetime import timedelta

from core.contract import Period
from core.db import db, utcnow
from core.metrics import customer_metrics
from core.testing import QueryCounter, login, make_customer
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load


def ship(world, order, tare=15200, gross=40540):
    from plugins.logistics.services import issue_pass, load, take_gross, take_tare, use_pass

    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], tare, world["weigher"])
    load(trip, order.lines[0].bags, world["keeper"])
    take_gross(trip, gross, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_number, world["weigher"])
    db.session.commit()


def test_customer_metrics_answer_shipped_tonnes_amount_and_order_dates(app, world):
    shipped = new_order(world)
    ship(world, shipped)
    new_order(world, tonnes="10")  # recorded, not shipped
    other = make_customer("另一客户", world["rep_east"])
    ids = [world["customer"].id, other.id]
    with QueryCounter() as queries:
        metrics = customer_metrics(ids)
    assert queries.count == 1
    mine = metrics[world["customer"].id]
    assert mine["shipped_kg"] == 25340 and mine["shipped_amount_cents"] == 8150000
    assert mine["order_count"] == 2 and mine["first_order_at"] <= mine["last_order_at"]
    assert other.id not in metrics
    future = Period(utcnow() + timedelta(days=1), None)
    assert customer_metrics(ids, future) == {}


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
    from core import Plugin, hookimpl
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
