"""The day's phone order record (电话订货记录): one row per call, the manual's columns, paged, printable."""
import re
from datetime import datetime

from core.clock import to_utc
from core.db import db
from core.testing import QueryCounter, login, make_customer
from plugins.logistics.services import LineInput, create_order, record_payment


def as_user(app, username):
    client = app.test_client()
    login(client, username)
    return client


def order_on(world, moment, customer=None, **fields):
    order = create_order(customer or world["customer"], [LineInput(world["feed"], tonnes="10")],
                         world["coordinator"], ordered_at=to_utc(moment), **fields)
    db.session.commit()
    return order


def test_the_day_lists_its_calls_in_the_columns_of_the_form(app, world):
    first = order_on(world, datetime(2026, 11, 23, 8, 5), ordered_by="王老板", transport="carrier",
                     remarks="要新包装", rush=True, delivery_on=datetime(2026, 11, 25).date())
    record_payment(first, 1000000, "transfer", world["coordinator"])
    db.session.commit()
    order_on(world, datetime(2026, 11, 24, 8, 0), ordered_by="次日来电")
    page = as_user(app, "coordinator").get("/logistics/ledger?day=2026-11-23").get_data(as_text=True)
    for text in (first.number, "河南双力饲料经销部", "郑州市金水路1号", "王老板", "育肥猪配合饲料 10.000 t / 250 袋",
                 "2026-11-25", "承运方", "已收 ¥10,000.00 / 共 ¥32,600.00", "加急", "要新包装", "1 个电话订货"):
        assert text in page, text
    assert "次日来电" not in page


def test_a_bad_day_shows_today_and_odd_pages_stay_inside_the_list(app, world):
    client = as_user(app, "coordinator")
    for query in ("day=2026-13-45", "day=99999-01-01", "day=1800-01-01", "page=999999999999999999999", "page=-3",
                  "page=x"):
        assert client.get(f"/logistics/ledger?{query}").status_code == 200, query


def test_representatives_see_the_calls_of_their_own_customers_only(app, world):
    order_on(world, datetime(2026, 11, 23, 9, 0))
    west = make_customer("西区客户", world["rep_west"])
    order_on(world, datetime(2026, 11, 23, 10, 0), customer=west)
    page = as_user(app, "rep_east").get("/logistics/ledger?day=2026-11-23").get_data(as_text=True)
    assert "河南双力饲料经销部" in page and "西区客户" not in page
    pdf_text = as_user(app, "rep_east").get("/print/phone_order_ledger/20261123.pdf")
    assert pdf_text.status_code == 200 and pdf_text.mimetype == "application/pdf"


def test_the_list_is_paged_and_takes_the_same_queries_for_few_and_many_calls(app, world):
    client = as_user(app, "coordinator")

    def page(number=1):
        with QueryCounter() as counter:
            html = client.get(f"/logistics/ledger?day=2026-11-23&page={number}").get_data(as_text=True)
        return len(re.findall(r'href="/logistics/orders/\d+"', html)), counter.count

    for minute in range(2):
        order_on(world, datetime(2026, 11, 23, 9, minute))
    few = page()
    for minute in range(2, 55):
        order_on(world, datetime(2026, 11, 23, 9, minute))
    many = page()
    assert few[0] == 2 and many[0] == 50 and few[1] == many[1]
    assert page(2)[0] == 5


def test_the_day_prints_and_a_day_that_is_no_date_answers_404(app, world):
    order_on(world, datetime(2026, 11, 23, 9, 0))
    client = as_user(app, "coordinator")
    assert client.get("/print/phone_order_ledger/20261123.pdf").mimetype == "application/pdf"
    assert client.get("/print/phone_order_ledger/20261345.pdf").status_code == 404
    assert client.get("/print/phone_order_ledger/18000101.pdf").status_code == 404
