"""Monthly sales imported from Excel/CSV answer customer_metrics when logistics is disabled: a dry run
lists every row's errors and writes nothing; a valid file is applied whole."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from core.db import db
from core.events import commit
from core.metrics import customer_metrics
from core.testing import login, make_customer, post_form
from plugins.tiering.models import Grade, MonthlySale
from plugins.tiering.recompute import recompute
from tests.plugins.tiering.conftest import month_start


def xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def upload(client, data, name="sales.xlsx"):
    page = client.get("/tiering/sales")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return client.post("/tiering/sales", data={"csrf_token": token, "upload": (data, name)},
                       content_type="multipart/form-data")


@pytest.mark.guanxi_plugins("tiering")
def test_a_file_with_errors_is_listed_row_by_row_and_nothing_is_written(app, users, manager, client):
    make_customer("双力饲料", users["rep_east"], code="C001", is_prospect=False)
    login(client, "cm_head")
    last = month_start(1)
    response = upload(client, xlsx([["客户编号", "月份", "发货吨数", "金额（元）", "订单数"],
                                    ["C001", f"{last:%Y-%m}", 120, 360000, 4],
                                    ["C999", f"{last:%Y-%m}", 10, 0, 1],
                                    ["C001", "2099-01", "十吨", 5, 1.5],
                                    ["C001", f"{last:%Y-%m}", 5, 5, 1]]))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 行中有 3 行有错误" in page
    assert "C999" in page and "2099-01" in page
    assert db.session.scalars(select(MonthlySale)).all() == []


@pytest.mark.guanxi_plugins("tiering")
def test_a_valid_file_is_imported_whole_and_grades_follow(app, users, manager, client):
    customer = make_customer("双力饲料", users["rep_east"], code="C001", is_prospect=False,
                             first_order_date=date(2024, 1, 1))
    login(client, "cm_head")
    rows = [["Customer code", "Month", "Tonnes", "Amount (yuan)", "Orders"]]
    rows += [["C001", f"{month_start(ago):%Y-%m}", 150.5, 450000, 3] for ago in range(1, 13)]
    response = upload(client, xlsx(rows))
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "12" in preview and "sales-ok" in preview
    done = post_form(client, response.headers["Location"] + "/confirm", {}, page=response.headers["Location"])
    assert done.status_code == 303
    assert len(db.session.scalars(select(MonthlySale)).all()) == 12
    from core.audit import AuditEvent

    imports = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "tiering_monthly_sales")).all()
    assert [(e.action, e.changes["rows"]) for e in imports] == [("import", 12)]  # one entry, not one per month
    with app.test_request_context():
        figures = customer_metrics([customer.id])
    assert figures[customer.id]["shipped_kg"] == 12 * 150_500
    assert figures[customer.id]["shipped_amount_cents"] == 12 * 45_000_000
    recompute("command")
    commit()
    grade = db.session.get(Grade, customer.id)
    assert grade.grade == "key" and grade.size_class == "A" and grade.inputs["kg_12m"] >= 11 * 150_500


@pytest.mark.guanxi_plugins("tiering")
def test_a_month_imported_again_replaces_its_figures(app, users, manager, client):
    make_customer("双力饲料", users["rep_east"], code="C001", is_prospect=False)
    login(client, "cm_head")
    month = f"{month_start(2):%Y-%m}"
    for tonnes in (10, 30):
        response = upload(client, xlsx([["code", "month", "tonnes", "amount", "orders"], ["C001", month, tonnes, 1, 1]]),
                          name="sales.xlsx")
        post_form(client, response.headers["Location"] + "/confirm", {}, page=response.headers["Location"])
    assert [s.shipped_kg for s in db.session.scalars(select(MonthlySale))] == [30_000]


@pytest.mark.guanxi_plugins("tiering", "logistics")
def test_with_logistics_enabled_its_shipments_are_the_source(app, users):
    customer = make_customer("双力饲料", users["rep_east"], code="C001", is_prospect=False)
    db.session.add(MonthlySale(customer_id=customer.id, month=month_start(1), shipped_kg=99_000, amount_cents=1,
                               orders=1))
    db.session.commit()
    with app.test_request_context():
        assert customer_metrics([customer.id]) == {}  # logistics answers, and has no orders
    recompute("command")
    commit()
    assert db.session.get(Grade, customer.id).inputs["kg_12m"] == 0
