"""Hostile input gets a form message, a 400 or a 404, never a 500 (the probe's findings, one by one).

Run on SQLite and, with GUANXI_TEST_DATABASE_URL, on PostgreSQL, where NUL bytes, 32-bit integer
columns and varchar lengths are enforced by the database itself.
"""
import io

import pytest
from sqlalchemy import func, select

from core.auth.models import RolePermission
from core.db import db
from core.registry.models import ContactLog, Customer
from core.registry.transfer import header_labels, write_xlsx
from core.testing import csrf_token, login, make_customer, post_form
from plugins.logistics.models import Order, OrderLine, Product, Trip, Vehicle
from plugins.logistics.services import take_tare

HUGE_IDS = (2**31, 2**63, 99999999999)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- NUL and control characters -------------------------------------------------------------

@pytest.mark.parametrize("url", ["/customers/?q=%00", "/customers/?q=a%01b", "/logistics/?q=%00",
                                 "/logistics/orders/new?q=%00", "/customers/contact-log?kind=%00"])
def test_control_characters_in_a_search_answer_400(client, users, url):
    login(client, "admin")
    response = client.get(url)
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)


def test_nul_in_a_customer_name_is_refused_and_nothing_is_stored(client, users):
    login(client, "rep_east")
    response = post_form(client, "/customers/new", {"name": "双力\x00饲料", "business_type": "farm",
                                                    "region_id": users["rep_east"].region_id})
    assert response.status_code == 400
    assert count(Customer) == 0


def test_nul_in_the_login_user_name_answers_400(client, users):
    response = post_form(client, "/login", {"username": "admin\x00", "password": "secret-pass"})
    assert response.status_code == 400
    assert client.get("/customers/").status_code == 302  # not logged in


def test_nul_in_the_gate_code_answers_400(client, users, world):
    login(client, "weigher")
    response = post_form(client, "/logistics/gate", {"code": "CM-2026\x00"})
    assert response.status_code == 400


def test_tabs_and_line_breaks_are_ordinary_text(client, users):
    login(client, "rep_east")
    response = post_form(client, "/customers/new", {"name": "双力\t饲料", "business_type": "farm",
                                                    "region_id": users["rep_east"].region_id,
                                                    "notes": "第一行\r\n第二行"})
    assert response.status_code == 302
    assert db.session.scalar(select(Customer.notes)) == "第一行\r\n第二行"


# --- ids in URLs -----------------------------------------------------------------------------

@pytest.mark.parametrize("number", HUGE_IDS)
def test_ids_beyond_the_column_answer_404(client, users, world, number):
    login(client, "admin")
    for url in (f"/customers/{number}", f"/customers/{number}/edit", f"/customers/{number}/people/new",
                f"/customers/1/people/{number}/edit", f"/logistics/orders/{number}",
                f"/logistics/trips/{number}/correct", f"/logistics/products/{number}",
                f"/print/customer_card/{number}.pdf"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("number", HUGE_IDS)
def test_ids_beyond_the_column_in_query_arguments_are_ignored(client, users, world, number):
    login(client, "admin")
    assert client.get(f"/customers/?region_id={number}&owner_id={number}").status_code == 200
    page = client.get(f"/logistics/orders/new?customer_id={number}")
    assert page.status_code == 404


# --- page numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("page", ["1e20", "-5", str(10**30), str(2**63)])
def test_any_page_number_shows_a_page_of_the_list(client, users, page):
    make_customer("双力", users["rep_east"])
    login(client, "admin")
    response = client.get(f"/customers/?page={page}")
    assert response.status_code == 200
    assert "双力" in response.get_data(as_text=True)


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("month", ["9999-12", "0001-01", "10000-01", "2026-13"])
def test_phone_log_month_outside_the_calendar_shows_this_month(client, users, month):
    login(client, "specialist")
    response = client.get(f"/customers/contact-log?month={month}")
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_schedule_day_outside_the_window_shows_today(client, users, world, day):
    login(client, "coordinator")
    assert client.get(f"/logistics/schedule?day={day}").status_code == 200


@pytest.mark.parametrize("record_id", ["99991231", "00010101", "18991231"])
def test_schedule_pdf_for_a_day_outside_the_window_is_404(client, users, world, record_id):
    login(client, "coordinator")
    assert client.get(f"/print/production_schedule/{record_id}.pdf").status_code == 404


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_visit_time_outside_the_window_is_a_form_message(client, users, typed):
    customer = make_customer("双力", users["rep_east"])
    login(client, "rep_east")
    url = f"/customers/{customer.id}/contacts/new"
    response = post_form(client, url, {"kind": "visit", "at": typed, "content": "拜访"})
    assert response.status_code == 200
    assert "1900" in response.get_data(as_text=True)
    assert count(ContactLog) == 0


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_the_window_is_a_form_message(client, users, world, typed):
    login(client, "rep_east")
    response = post_form(client, "/customers/new", {"name": "双力", "business_type": "farm",
                                                    "region_id": users["rep_east"].region_id,
                                                    "founding_date": typed})
    assert response.status_code == 200 and "1900" in response.get_data(as_text=True)
    assert count(Customer) == 1  # the world's customer only
    url = f"/logistics/orders/new?customer_id={world['customer'].id}"
    response = post_form(client, "/logistics/orders/new", {
        "customer_id": world["customer"].id, "ordered_at": "2026-11-23T09:00", "transport": "pickup",
        "delivery_on": typed, "lines-0-product_id": world["feed"].id, "lines-0-tonnes": "25"}, page=url)
    assert response.status_code == 200 and "1900" in response.get_data(as_text=True)
    assert count(Order) == 0


# --- money and quantities --------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e400", "1e999999", "sNaN", "99999999999"])
def test_bad_money_is_a_form_message(client, users, world, amount):
    login(client, "coordinator")
    response = post_form(client, "/logistics/products", {"code": "P9", "name": "测试料", "bag_weight_kg": 40,
                                                          "price_cents_per_tonne": amount})
    assert response.status_code == 200
    assert "金额" in response.get_data(as_text=True)
    assert count(Product) == 1


def test_bad_visit_cost_is_a_form_message(client, users):
    customer = make_customer("双力", users["rep_east"])
    login(client, "rep_east")
    response = post_form(client, f"/customers/{customer.id}/contacts/new", {
        "kind": "visit", "at": "2026-11-23T09:00", "content": "拜访", "cost_cents": "1e400"})
    assert response.status_code == 200 and "金额" in response.get_data(as_text=True)
    assert count(ContactLog) == 0


def test_vehicle_capacity_beyond_the_column_is_a_form_message(client, users, world):
    login(client, "coordinator")
    response = post_form(client, "/logistics/vehicles", {"plate": "豫B·99999", "capacity_kg": 2**40})
    assert response.status_code == 200
    assert count(Vehicle) == 1


@pytest.mark.parametrize("line", [{"lines-0-bags": 2**40}, {"lines-0-bags": 2**31 - 1},
                                  {"lines-0-tonnes": "9999.999"}])
def test_order_lines_beyond_what_an_order_holds_are_a_form_message(client, users, world, line):
    world["feed"].price_cents_per_tonne = 9_000_000
    db.session.commit()
    login(client, "coordinator")
    url = f"/logistics/orders/new?customer_id={world['customer'].id}"
    response = post_form(client, "/logistics/orders/new", {
        "customer_id": world["customer"].id, "ordered_at": "2026-11-23T09:00", "transport": "pickup",
        "lines-0-product_id": world["feed"].id, **line}, page=url)
    assert response.status_code == 200
    assert count(Order) == 0 and count(OrderLine) == 0


def invoiced_order(world):
    from plugins.logistics.flows import ORDER_FLOW
    from plugins.logistics.services import LineInput, create_order

    order = create_order(world["customer"], [LineInput(world["feed"], tonnes="25")], world["coordinator"])
    order.payment_cents = order.amount_cents
    for step in ("confirm_data", "schedule", "confirm_payment"):
        ORDER_FLOW.apply(order, step, world["coordinator"])
    ORDER_FLOW.apply(order, "confirm_products", world["keeper"])
    order.invoice_number = "FP-1"
    ORDER_FLOW.apply(order, "invoice", world["coordinator"])
    db.session.commit()
    return order


def test_loaded_bags_beyond_the_column_are_refused_with_a_message(client, users, world):
    trip = take_tare(invoiced_order(world), world["truck"], 15200, world["weigher"], manual=True)
    db.session.commit()
    login(client, "keeper")
    response = post_form(client, f"/logistics/trips/{trip.id}/load", {"bags": 2**40},
                         page="/logistics/station", follow_redirects=True)
    assert response.status_code == 200
    assert "袋" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Trip, trip.id).loaded_bags is None


def test_a_station_push_beyond_the_column_answers_400(tmp_path):
    from core.testing import make_test_app, running

    token = "t0ken-long-enough-for-a-station"
    app = make_test_app("sqlite", tmp_path, GUANXI_LOGISTICS_STATION_TOKENS={"main": token})
    with running(app):
        client = app.test_client()
        for body in ({"weight": 2**40}, {"weight": 1, "captured": 2**63}, {"weight": 1, "stable": "maybe"}):
            response = client.post("/logistics/stations/main/readings", json=body,
                                   headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 400, body
        raw = client.post("/logistics/stations/main/readings", data=b'{"weight": 1e400}',
                          content_type="application/json", headers={"Authorization": f"Bearer {token}"})
        assert raw.status_code == 400


# --- import ----------------------------------------------------------------------------------

def upload(client, data: bytes, filename="customers.xlsx"):
    token = csrf_token(client, "/customers/import")
    return client.post("/customers/import", data={"csrf_token": token, "upload": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("column, value, message", [
    (1, "长" * 201, "名称"), (0, "C" * 33, "编号"), (6, "址" * 301, "地址"), (12, "业" * 101, "行业"),
    (1, "双力\x00饲料", "控制字符"), (13, "备注\x07", "控制字符"), (10, "9999-12-31", "1900"),
])
def test_an_import_cell_that_cannot_be_stored_is_an_error_in_the_preview(client, users, column, value, message):
    login(client, "specialist")
    cells = ["", "新客户", "经销商", "A", "0371-1234567", "", "郑州", "east", "", "是", "2015-03-01", "", "", ""]
    cells[column] = value
    data = write_xlsx(header_labels("zh"), [cells]) if "\x00" not in value and "\x07" not in value else None
    if data is None:  # Excel cannot hold control characters; a CSV can
        import csv

        buffer = io.StringIO()
        csv.writer(buffer).writerows([header_labels("zh"), cells])
        data, name = buffer.getvalue().encode("utf-8"), "customers.csv"
    else:
        name = "customers.xlsx"
    preview = client.get(upload(client, data, name).headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and message in html
    assert "立即导入" not in html
    confirm = post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path,
                        follow_redirects=True)
    assert confirm.status_code == 200
    assert count(Customer) == 0


# --- admin -----------------------------------------------------------------------------------

@pytest.mark.parametrize("grant", ["abc:customers.view", ":customers.view", "1", f"{2**63}:customers.view",
                                   "999:customers.view"])
def test_a_malformed_grant_answers_400_and_changes_nothing(client, users, grant):
    login(client, "admin")
    before = count(RolePermission)
    page = client.get("/admin/roles").get_data(as_text=True)
    import re

    grants = re.findall(r'name="grant" value="([^"]+)"[^>]*checked', page)
    token = csrf_token(client, "/admin/roles")
    response = client.post("/admin/roles", data={"csrf_token": token, "grant": grants + [grant]})
    assert response.status_code == 400
    assert count(RolePermission) == before
