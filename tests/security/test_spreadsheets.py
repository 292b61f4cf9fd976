"""Spreadsheet formula injection: nothing a user typed becomes a live formula in a file we write."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.db import db
from core.registry.models import Customer
from core.registry.transfer import header_labels
from core.testing import csrf_token, login, make_customer, make_user, post_form

EVIL = ['=HYPERLINK("http://x","y")', "=1+1", "@SUM(1)", "+cmd|' /C calc'!A0", "-2+3", "\t=1+1", "\r=1+1"]


def cells(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows()]


def upload(client, data: bytes, filename: str):
    token = csrf_token(client, "/customers/import")
    return client.post("/customers/import", data={"csrf_token": token, "upload": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


@pytest.fixture
def exporter(app, users):
    make_user("manager", ("cm_manager",))
    for name in EVIL:
        make_customer(name, users["rep_east"], notes=name)
    client = app.test_client()
    login(client, "manager")
    return client


def test_csv_export_starts_no_cell_with_a_formula_character(exporter):
    rows = list(csv.reader(io.StringIO(exporter.get("/customers/export.csv").data.decode("utf-8-sig"))))
    names = sorted(row[1] for row in rows[1:])
    assert names == sorted("'" + name for name in EVIL)
    for row in rows[1:]:
        assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in row), row


def test_xlsx_export_holds_text_never_formulas(exporter):
    sheet = cells(exporter.get("/customers/export.xlsx").data)
    for row in sheet[1:]:
        for cell in row:
            assert cell.data_type != "f", cell.value
        assert row[1].data_type == "s" and row[1].value.startswith("'")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reimporting_an_export_gives_back_the_original_names(exporter, fmt):
    data = exporter.get(f"/customers/export.{fmt}").data
    preview = exporter.get(upload(exporter, data, f"customers.{fmt}").headers["Location"])
    assert f"新增 0 条，更新 {len(EVIL)} 条，有错误 0 条" in preview.get_data(as_text=True)
    post_form(exporter, preview.request.path + "/confirm", {}, page=preview.request.path)
    db.session.expire_all()
    # the import trims surrounding white space, as it always has; nothing else changes
    assert sorted(db.session.scalars(select(Customer.name))) == sorted(name.strip() for name in EVIL)
    assert sorted(db.session.scalars(select(Customer.notes))) == sorted(name.strip() for name in EVIL)


def test_a_value_that_really_starts_with_a_quote_survives_the_round_trip(app, users):
    make_user("manager", ("cm_manager",))
    make_customer("'=not a formula", users["rep_east"])
    make_customer("'plain quote", users["rep_east"])
    client = app.test_client()
    login(client, "manager")
    data = client.get("/customers/export.csv").data
    preview = client.get(upload(client, data, "customers.csv").headers["Location"])
    post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path)
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Customer.name))) == ["'=not a formula", "'plain quote"]


def test_the_import_error_file_neutralises_formulas_too(app, users):
    login_client = app.test_client()
    login(login_client, "specialist")
    typed = ",".join(header_labels("zh")) + "\n,=1+1,没有这种类型,A,0371-1234567,,@SUM(1),east,,是,,,,\n"
    preview = login_client.get(upload(login_client, typed.encode(), "customers.csv").headers["Location"])
    sheet = cells(login_client.get(preview.request.path + "/errors.xlsx").data)
    assert sheet[1][1].value == "'=1+1" and sheet[1][1].data_type == "s"
    assert sheet[1][6].value == "'@SUM(1)"
    assert all(cell.data_type != "f" for cell in sheet[1])
