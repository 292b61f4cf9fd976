"""Logistics filters and a sortable column on the customer list, through the customer_list_* hooks."""
import re
from datetime import timedelta

from core.db import db, utcnow
from core.testing import QueryCounter, login, make_customer
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.services import LineInput, create_order

RECENT = "logistics_ordered_within"
OPEN = "logistics_open_orders"


def order(world, customer, days_ago, cancelled=False):
    placed = create_order(customer, [LineInput(world["feed"], tonnes="5")], world["coordinator"],
                          ordered_at=utcnow() - timedelta(days=days_ago), transport="pickup")
    if cancelled:
        ORDER_FLOW.apply(placed, "cancel", world["coordinator"], comment="客户取消")
    db.session.commit()
    return placed


def codes(html):
    return re.findall(r"<tr><td>([A-Z]\d+)</td>", html)


def listed(client, **args):
    response = client.get("/customers/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def people(world):
    """Customers of the east rep: K1 ordered 5 days ago, K2 60 days ago, K3 never, K4 only cancelled."""
    rep = world["rep_east"]
    found = {code: make_customer(f"客户{code}", rep, code=code) for code in ("K1", "K2", "K3", "K4")}
    order(world, found["K1"], 5)
    old = order(world, found["K2"], 60)
    ORDER_FLOW.apply(old, "cancel", world["coordinator"], comment="客户取消")
    order(world, found["K2"], 61)
    order(world, found["K4"], 2, cancelled=True)
    db.session.commit()
    return found


def test_ordered_within_and_open_orders_filter_the_list(app, world):
    people(world)
    client = app.test_client()
    login(client, "specialist")
    assert codes(listed(client, **{RECENT: "30"})) == ["K1"]
    assert codes(listed(client, **{RECENT: "90"})) == ["K1", "K2"]
    assert codes(listed(client, **{OPEN: "1"})) == ["K1", "K2"]
    assert codes(listed(client, **{RECENT: "30", OPEN: "1"})) == ["K1"]
    form = listed(client, **{RECENT: "30"})
    assert f'name="{RECENT}" value="30"' in form and f'name="{OPEN}" value="1">' in form


def test_plugin_filters_combine_with_core_filters_in_one_query(app, world):
    found = people(world)
    west = make_customer("西区客户", world["rep_west"], code="W1")
    order(world, west, 1)
    client = app.test_client()
    login(client, "specialist")
    east = found["K1"].region_id
    assert codes(listed(client, **{RECENT: "30"})) == ["K1", "W1"]
    with QueryCounter() as queries:
        html = listed(client, region_id=str(east), **{RECENT: "30"})
    assert codes(html) == ["K1"]
    rows = [s for s in queries.statements if "FROM customers" in s and "LIMIT" in s and "ORDER BY" in s]
    assert len(rows) == 1 and "logistics_orders" in rows[0]  # the plugin's condition is in the rows query


def test_bad_filter_values_are_ignored_with_a_message_never_an_error(app, world):
    people(world)
    client = app.test_client()
    login(client, "specialist")
    everyone = codes(listed(client))
    assert everyone == ["C000001", "K1", "K2", "K3", "K4"]  # C000001: the world's customer, no orders
    for bad in ("abc", "0", "-5", "3651", "1e3", "１２", "9" * 5000, " "):
        html = listed(client, **{RECENT: bad})
        assert codes(html) == everyone, bad
        if bad.strip():
            assert "“下单于最近（天）”已忽略：请输入 1 到 3650 之间的整数。" in html, bad
    assert "已忽略" in listed(client, **{OPEN: "yes"})
    assert codes(listed(client, sort="no_such_column")) == everyone


def test_pagination_sorting_and_export_keep_the_plugin_filter(app, world):
    for n in range(55):
        order(world, make_customer(f"客户{n:02d}", world["rep_east"], code=f"P{n:03d}"), 1)
    make_customer("没有订单", world["rep_east"], code="Z999")
    client = app.test_client()
    login(client, "specialist")
    html = listed(client, **{RECENT: "30"})
    assert "Z999" not in html and "第 1 页，共 2 页" in html
    assert re.search(rf'href="/customers/\?page=2&amp;[^"]*{RECENT}=30', html)
    assert re.search(rf'href="/customers/\?sort=name&amp;[^"]*{RECENT}=30', html)
    assert codes(listed(client, page="2", **{RECENT: "30"})) == [f"P{n:03d}" for n in range(50, 55)]
    manager = app.test_client()
    login(manager, "manager")
    exported = manager.get("/customers/export.csv", query_string={RECENT: "30"}).get_data(as_text=True)
    assert "P054" in exported and "Z999" not in exported


def test_the_last_order_column_sorts_with_customers_without_orders_last(app, world):
    people(world)
    client = app.test_client()
    login(client, "specialist")
    html = listed(client, sort="logistics_last_order")
    assert codes(html) == ["K2", "K1", "C000001", "K3", "K4"]  # K4 has only a cancelled order
    assert codes(listed(client, sort="logistics_last_order", desc="1")) == ["K1", "K2", "C000001", "K3", "K4"]
    assert 'class="sorted"' in html and "最近订货" in html


def test_a_user_sees_only_the_customers_they_may_see(app, world):
    people(world)
    order(world, make_customer("西区客户", world["rep_west"], code="W1"), 1)
    west = app.test_client()
    login(west, "rep_west")
    assert codes(listed(west, **{RECENT: "30"})) == ["W1"]
    east = app.test_client()
    login(east, "rep_east")
    assert codes(listed(east, **{RECENT: "30"})) == ["K1"]


def test_the_filtered_list_makes_as_many_queries_for_30_rows_as_for_3(app, world):
    counts = []
    customers = []
    client = app.test_client()
    login(client, "specialist")
    for total in (3, 30):
        while len(customers) < total:
            customers.append(make_customer(f"客户{len(customers)}", world["rep_east"]))
            order(world, customers[-1], 1)
        with QueryCounter() as queries:
            html = listed(client, sort="logistics_last_order", **{RECENT: "30", OPEN: "1"})
        assert len(codes(html)) == total
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
