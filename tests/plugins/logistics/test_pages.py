"""The order flow through the pages, each step by the person whose job it is."""
from sqlalchemy import select

from core.db import db
from core.testing import login, make_customer, post_form
from plugins.logistics.models import Order, Trip


def as_user(app, username):
    client = app.test_client()
    login(client, username)
    return client


def test_phone_order_to_used_gate_pass_through_the_pages(app, world):
    office = as_user(app, "coordinator")
    found = office.get("/logistics/orders/new?q=hnsl").get_data(as_text=True)
    assert "河南双力饲料经销部" in found
    cid = world["customer"].id
    form_page = f"/logistics/orders/new?customer_id={cid}"
    assert "郑州市金水路1号" in office.get(form_page).get_data(as_text=True)  # address filled in
    response = post_form(office, "/logistics/orders/new", {
        "customer_id": cid, "ordered_by": "王老板", "ordered_at": "2026-11-23T09:00", "transport": "pickup",
        "lines-0-product_id": world["feed"].id, "lines-0-tonnes": "25", "lines-1-product_id": 0,
        "lines-2-product_id": 0}, page=form_page)
    assert response.status_code == 302, response.get_data(as_text=True)
    order = db.session.scalar(select(Order))
    url = f"/logistics/orders/{order.id}"
    page = office.get(url).get_data(as_text=True)
    assert "人民币捌万壹仟伍佰元整" in page and "¥81,500.00" in page
    from tests.plugins.logistics.test_order_cases import decide

    decide(app, "manager", order, "approved")  # the coordinator's own order: reviewed by the manager
    post_form(office, f"{url}/transition", {"transition": "schedule"}, page=url)
    post_form(office, f"{url}/payment", {"amount": "81500", "method": "transfer"}, page=url)
    keeper = as_user(app, "keeper")
    post_form(keeper, f"{url}/transition", {"transition": "confirm_products"}, page=url)
    post_form(office, f"{url}/invoice", {"invoice_number": "FP-88"}, page=url)
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == "invoiced"

    weigher = as_user(app, "weigher")
    station = "/logistics/station"
    post_form(weigher, station, {"order_id": order.id, "plate": "豫A·12345", "weight": 15200})
    trip = db.session.scalar(select(Trip))
    assert trip.tare_kg == 15200 and trip.tare_manual
    post_form(keeper, f"/logistics/trips/{trip.id}/load", {"bags": 625}, page=station)
    refused = post_form(weigher, f"/logistics/trips/{trip.id}/gross", {"weight": 15000}, page=station,
                        follow_redirects=True)
    assert "不大于空车" in refused.get_data(as_text=True)
    post_form(weigher, f"/logistics/trips/{trip.id}/gross", {"weight": 40540}, page=station)
    post_form(weigher, f"/logistics/trips/{trip.id}/pass", {}, page=station)
    db.session.expire_all()
    trip = db.session.get(Trip, trip.id)
    assert trip.net_kg == 25340 and trip.pass_number

    gate = post_form(weigher, "/logistics/gate", {"code": trip.pass_token}).get_data(as_text=True)
    assert "放行" in gate and "豫A·12345" in gate
    again = post_form(weigher, "/logistics/gate", {"code": trip.pass_token}).get_data(as_text=True)
    assert "已于" in again and "使用过" in again
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == "shipped"


def test_orders_of_other_regions_answer_404(app, world):
    from plugins.logistics.services import LineInput, create_order

    west = make_customer("西区客户", world["rep_west"])
    order = create_order(west, [LineInput(world["feed"], tonnes="5")], world["coordinator"])
    db.session.commit()
    rep = as_user(app, "rep_east")
    assert rep.get(f"/logistics/orders/{order.id}").status_code == 404
    assert "西区客户" not in rep.get("/logistics/").get_data(as_text=True)


def test_station_is_for_weighers_and_warehouse_keepers(app, world):
    assert as_user(app, "rep_east").get("/logistics/station").status_code == 403
    page = as_user(app, "weigher").get("/logistics/station")
    assert page.status_code == 200 and "<title>过磅 · 关系</title>" in page.get_data(as_text=True)
    keeper = as_user(app, "keeper")
    assert "记录装车" in keeper.get("/logistics/station").get_data(as_text=True)
    response = post_form(keeper, "/logistics/station", {"order_id": 1, "plate": "X", "weight": 1})
    assert response.status_code == 403


def test_correction_through_the_page(app, world):
    from plugins.logistics.services import load, take_gross, take_tare
    from tests.plugins.logistics.test_order_flow import new_order, ready_to_load

    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 40540, world["weigher"])
    db.session.commit()
    manager = as_user(app, "manager")
    url = f"/logistics/trips/{trip.id}/correct"
    page = post_form(manager, url, {"tare": 15300, "gross": 40540, "reason": "司机未下车"}, follow_redirects=True)
    assert "已作废，已重开" in page.get_data(as_text=True)
    replacement = db.session.scalar(select(Trip).where(Trip.replaces_id == trip.id))
    ticket = manager.get(f"/print/weigh_ticket/{replacement.id}.pdf")
    from tests.plugins.logistics.test_documents import text

    assert f"替代已作废的过磅单 {trip.number}" in text(ticket.data)
    assert as_user(app, "weigher").get(url).status_code == 403


def test_scheduling_tells_production_and_fills_the_days_sheet(app, world):
    from core.clock import to_local
    from core.events import commit
    from core.notifications import inbox
    from core.testing import make_user
    from plugins.logistics.flows import ORDER_FLOW
    from tests.plugins.logistics.test_documents import text
    from tests.plugins.logistics.test_order_flow import new_order

    production = make_user("production", ("production",))
    first, second = new_order(world), new_order(world, tonnes="10")
    for order in (first, second):
        ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
        ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    commit()
    with app.test_request_context():
        messages = [n.text() for n, _read in inbox(production)]
    assert any(first.number in m and "育肥猪配合饲料 25 t" in m for m in messages)
    day = to_local(first.ordered_at).date()
    client = as_user(app, "production")
    html = client.get(f"/logistics/schedule?day={day.isoformat()}").get_data(as_text=True)
    assert "育肥猪配合饲料" in html and "35.000" in html and "875" in html
    pdf = client.get(f"/print/production_schedule/{day.strftime('%Y%m%d')}.pdf")
    assert "生产安排计划表" in text(pdf.data) and "35.000" in text(pdf.data)


def test_master_data_is_kept_by_the_office(app, world):
    office = as_user(app, "coordinator")
    post_form(office, "/logistics/products", {"code": "P9", "name": "鸭料", "bag_weight_kg": 40,
                                              "price_cents_per_tonne": "3100.00", "active": "y"})
    post_form(office, "/logistics/vehicles", {"plate": "豫d·11111", "capacity_kg": 20000})
    from plugins.logistics.models import Product, Vehicle

    assert db.session.scalar(select(Product).where(Product.code == "P9")).price_cents_per_tonne == 310000
    assert db.session.scalar(select(Vehicle).where(Vehicle.plate == "豫D·11111")).capacity_kg == 20000
    duplicate = post_form(office, "/logistics/vehicles", {"plate": "豫D·11111"})
    assert "该车辆已登记" in duplicate.get_data(as_text=True)
    product = db.session.scalar(select(Product).where(Product.code == "P9"))
    post_form(office, f"/logistics/products/{product.id}", {"code": "P9", "name": "鸭料", "bag_weight_kg": 40,
                                                            "price_cents_per_tonne": "3150.00"})
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.price_cents_per_tonne == 315000 and product.active is False  # unticked: taken off sale
    weigher = as_user(app, "weigher")
    assert post_form(weigher, "/logistics/products", {"code": "P10", "name": "x", "bag_weight_kg": 40,
                                                      "price_cents_per_tonne": "1"}).status_code == 403


def test_orders_list_and_station_queries_do_not_grow_with_rows(app, world):
    from core.testing import QueryCounter
    from plugins.logistics.models import Vehicle
    from plugins.logistics.services import take_tare
    from tests.plugins.logistics.test_order_flow import new_order, ready_to_load

    counts = []
    for total in (2, 8):
        while db.session.query(Order).count() < total:
            order = new_order(world)
            ready_to_load(world, order)
            truck = Vehicle(plate=f"T{db.session.query(Order).count()}")
            db.session.add(truck)
            take_tare(order, truck, 15000, world["weigher"])
            db.session.commit()
        client = as_user(app, "weigher")
        with QueryCounter() as orders_page:
            client.get("/logistics/")
        with QueryCounter() as station_page:
            client.get("/logistics/station")
        counts.append((orders_page.count, station_page.count))
    assert counts[0] == counts[1], counts


def test_gate_pass_next_parameter_stays_on_the_site(app, world):
    from core.db import db
    from plugins.logistics.services import take_tare
    from tests.plugins.logistics.test_order_flow import new_order, ready_to_load

    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15000, world["weigher"])
    db.session.commit()
    clerk = as_user(app, world["coordinator"].username)
    response = post_form(clerk, f"/logistics/trips/{trip.id}/pass", {"next": "//evil.example/"},
                         page="/logistics/orders")
    # the coordinator does not work at the station: back to the order, never off the site
    assert response.headers["Location"] == f"/logistics/orders/{order.id}"
