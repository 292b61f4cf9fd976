"""Receivables (货款跟踪): billed when goods leave, settled by payments, aged from the bill date."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.audit import AuditEvent
from core.contract import Period
from core.db import db, utcnow
from core.metrics import customer_metrics
from core.testing import QueryCounter, login, make_customer, make_user
from plugins.logistics.receivables import (
    AgeingFilter,
    ageing_page,
    ageing_totals,
    customer_receivable,
)
from tests.plugins.logistics.credit import credit_order, pay, truck_leaves

BILL = 3260000  # 10 t at ¥3,260 per tonne, in cents


def as_user(app, username):
    client = app.test_client()
    login(client, username)
    return client


@pytest.mark.parametrize(("days_ago", "bucket"), [(0, "days_0_30"), (30, "days_0_30"), (31, "days_31_60"),
                                                  (60, "days_31_60"), (61, "days_61_90"), (90, "days_61_90"),
                                                  (91, "days_over_90"), (400, "days_over_90")])
def test_a_bill_is_aged_from_the_day_the_truck_left(app, world, days_ago, bucket):
    order = credit_order(world)
    truck_leaves(world, order, 250, days_ago=days_ago)
    figures = customer_receivable(world["customer"].id)
    assert figures["billed"] == figures["owed"] == figures["balance"] == figures[bucket] == BILL
    assert sum(figures[b] for b in ("days_0_30", "days_31_60", "days_61_90", "days_over_90")) == BILL


def test_payments_settle_the_oldest_truck_of_the_order_first(app, world):
    order = credit_order(world)
    truck_leaves(world, order, 125, days_ago=100)  # ¥16,300, over 90 days
    truck_leaves(world, order, 125, days_ago=10)  # ¥16,300, this month
    pay(world, order, 20000)
    figures = customer_receivable(world["customer"].id)
    assert figures["paid"] == 2000000 and figures["balance"] == BILL - 2000000
    assert figures["days_over_90"] == 0 and figures["days_0_30"] == BILL - 2000000


def test_only_goods_that_left_are_billed_and_money_for_the_rest_is_an_advance(app, world):
    order = credit_order(world)
    truck_leaves(world, order, 125, days_ago=5)  # half left
    pay(world, order, 32600)  # all paid
    figures = customer_receivable(world["customer"].id)
    assert figures["billed"] == BILL // 2 and figures["owed"] == 0
    assert figures["balance"] == -BILL // 2 and figures["advance"] == BILL // 2


def test_the_office_sees_every_region_the_regional_manager_only_his_own(app, world):
    east = credit_order(world)
    truck_leaves(world, east, 250, days_ago=40)
    west_customer = make_customer("西区客户", world["rep_west"])
    west = credit_order(world, west_customer)
    truck_leaves(world, west, 250, days_ago=70)
    office = as_user(app, "coordinator").get("/logistics/receivables").get_data(as_text=True)
    assert "河南双力饲料经销部" in office and "西区客户" in office and "¥65,200.00" in office
    regional = as_user(app, "rm_east").get("/logistics/receivables").get_data(as_text=True)
    assert "河南双力饲料经销部" in regional and "西区客户" not in regional
    west_only = as_user(app, "coordinator").get(f"/logistics/receivables?region={world['rep_west'].region_id}")
    assert "西区客户" in west_only.get_data(as_text=True)
    assert "河南双力饲料经销部" not in west_only.get_data(as_text=True)
    assert as_user(app, "rep_east").get("/logistics/receivables").status_code == 403


def test_who_owes_nothing_is_listed_only_on_request(app, world):
    order = credit_order(world)
    truck_leaves(world, order, 250, days_ago=3)
    pay(world, order, 32600)
    office = as_user(app, "coordinator")
    assert "河南双力饲料经销部" not in office.get("/logistics/receivables").get_data(as_text=True)
    assert "河南双力饲料经销部" in office.get("/logistics/receivables?all=1").get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=99999999999999999999999", "page=-4", "page=abc", "region=abc",
                                   "region=99999999999999", "sort=drop", "q=" + "x" * 5000, "all=yes"])
def test_odd_arguments_show_the_list_never_an_error(app, world, query):
    assert as_user(app, "coordinator").get(f"/logistics/receivables?{query}").status_code == 200


def _customers_owing(world, count):
    for index in range(count):
        customer = make_customer(f"赊销户{index}", world["rep_east"])
        order = credit_order(world, customer)
        truck_leaves(world, order, 250, days_ago=index * 20)
        pay(world, order, 100)


def test_the_list_and_its_totals_take_the_same_queries_for_few_and_many_customers(app, world):
    client = as_user(app, "coordinator")

    def queries():
        with QueryCounter() as counter:
            page = client.get("/logistics/receivables").get_data(as_text=True)
        return page.count("赊销户"), counter.count

    _customers_owing(world, 2)
    few = queries()
    _customers_owing(world, 10)
    many = queries()
    assert few[0] == 2 and many[0] == 12 and few[1] == many[1]
    with QueryCounter() as counter:
        ageing_totals(AgeingFilter(), world["coordinator"])
        ageing_page(AgeingFilter(), world["coordinator"], 1)
    assert len([s for s in counter.statements if "logistics_trips" in s]) == 2  # the totals, the page


def test_the_panel_takes_one_query_however_many_trucks(app, world):
    order = credit_order(world, tonnes="20")
    customer_id = world["customer"].id
    truck_leaves(world, order, 125, days_ago=50)
    with QueryCounter() as one_truck:
        customer_receivable(customer_id)
    for days in (40, 30, 20):
        truck_leaves(world, order, 125, days_ago=days)
    with QueryCounter() as four_trucks:
        figures = customer_receivable(customer_id)
    assert one_truck.count == four_trucks.count == 1 and figures["billed"] == 2 * BILL


def test_the_customer_page_shows_the_balance_to_the_office_only(app, world):
    order = credit_order(world)
    truck_leaves(world, order, 250, days_ago=100)
    url = f"/customers/{world['customer'].id}"
    page = as_user(app, "coordinator").get(url).get_data(as_text=True)
    assert 'id="receivable"' in page and "¥32,600.00" in page and "超过90天" in page
    assert 'id="receivable"' not in as_user(app, "rep_east").get(url).get_data(as_text=True)


def test_the_export_is_a_spreadsheet_of_the_filtered_list_and_is_audited(app, world):
    east = credit_order(world)
    truck_leaves(world, east, 250, days_ago=100)
    west = credit_order(world, make_customer("西区客户", world["rep_west"]))
    truck_leaves(world, west, 250, days_ago=5)
    response = as_user(app, "rm_east").get("/logistics/receivables.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "客户" and len(rows) == 2
    assert rows[1][1] == "河南双力饲料经销部" and rows[1][7] == 32600 and rows[1][11] == 32600
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "logistics_receivables"))
    assert event.action == "export" and event.changes["rows"] == 1 and event.user_id == world["rm_east"].id
    assert as_user(app, "rep_east").get("/logistics/receivables.xlsx").status_code == 403


def test_a_formula_typed_into_a_customer_name_leaves_as_text(app, world):
    order = credit_order(world, make_customer("=HYPERLINK(\"http://x\")", world["rep_east"]))
    truck_leaves(world, order, 250)
    sheet = load_workbook(io.BytesIO(as_user(app, "coordinator").get("/logistics/receivables.xlsx").data)).active
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_customer_metrics_answer_the_receivable_balance_at_the_end_of_the_period(app, world):
    order = credit_order(world)
    truck_leaves(world, order, 250, days_ago=60)
    pay(world, order, 10000, days_ago=20)
    other = make_customer("无往来客户", world["rep_east"])
    ids = [world["customer"].id, other.id]
    now = customer_metrics(ids)
    assert now[world["customer"].id]["receivable_cents"] == BILL - 1000000
    month_ago = customer_metrics(ids, Period(None, utcnow() - timedelta(days=30)))
    assert month_ago[world["customer"].id]["receivable_cents"] == BILL
    assert "receivable_cents" not in now.get(other.id, {})
    assert customer_metrics(ids, Period(None, utcnow() - timedelta(days=90))).get(world["customer"].id, {}) \
        .get("receivable_cents", 0) == 0


def test_a_manager_without_the_permission_is_refused(app, world):
    make_user("qc_person", ("qc",))
    assert as_user(app, "qc_person").get("/logistics/receivables").status_code == 403
