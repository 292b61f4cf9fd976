"""Order contracts (订货合同): a number unique in the company, a date, a checked file, on the order page."""
import io

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.db import db
from core.testing import csrf_token, login, make_customer, post_form
from plugins.logistics.contracts import OrderContract
from tests.plugins.logistics.test_order_flow import new_order

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def as_user(app, username):
    client = app.test_client()
    login(client, username)
    return client


def attach(client, order, number="DH-2026-015", signed_on="2026-11-20", upload=None):
    url = f"/logistics/orders/{order.id}/contracts/new"
    data = {"csrf_token": csrf_token(client, url), "number": number, "signed_on": signed_on}
    if upload is not None:
        data["upload"] = upload
    return client.post(url, data=data, content_type="multipart/form-data")


def test_a_contract_with_its_file_shows_on_the_order_and_downloads_for_who_may_see_it(app, world):
    order = new_order(world)
    office = as_user(app, "coordinator")
    response = attach(office, order, upload=(io.BytesIO(PDF), "合同.pdf"))
    assert response.status_code == 302
    page = office.get(f"/logistics/orders/{order.id}").get_data(as_text=True)
    assert "DH-2026-015" in page and "2026-11-20" in page and "合同.pdf" in page
    contract = db.session.scalar(select(OrderContract))
    file_url = f"/logistics/orders/{order.id}/contracts/{contract.id}/file"
    download = as_user(app, "rep_east").get(file_url)
    assert download.status_code == 200 and download.data == PDF
    assert as_user(app, "rep_west").get(file_url).status_code == 404
    assert as_user(app, "rep_west").get(f"/logistics/orders/{order.id}/contracts/new").status_code == 404
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "download"))
    assert event.record_id == contract.id and event.customer_id == order.customer_id
    history = office.get(f"/logistics/orders/{order.id}").get_data(as_text=True)
    assert "订货合同" in history and "合同编号" in history  # the creation is on the order's history


def test_a_contract_number_is_unique_in_the_company_whatever_its_case(app, world):
    office = as_user(app, "coordinator")
    attach(office, new_order(world), number="DH-2026-015")
    again = attach(office, new_order(world), number="dh-2026-015")
    assert again.status_code == 200 and "已登记过" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(OrderContract)).all()) == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"number": "DH 2026 015"}, "只能用字母、数字和汉字"),
    ({"number": "-DH"}, "只能用字母、数字和汉字"),
    ({"number": "x" * 41}, "40"),
    ({"number": ""}, "必填"),
    ({"signed_on": "2099-01-01"}, "不能晚于今天"),
    ({"signed_on": "99999-01-01"}, "日期"),
    ({"upload": (b"MZ\x90\x00 not a pdf", "合同.pdf")}, "不是真正的PDF文件"),
    ({"upload": (b"MZ\x90\x00", "setup.exe")}, "请上传PDF、图片或Word文件"),
])
def test_a_bad_number_date_or_file_is_a_message_next_to_the_field(app, world, fields, message):
    office = as_user(app, "coordinator")
    if "upload" in fields:
        content, name = fields["upload"]
        fields = {**fields, "upload": (io.BytesIO(content), name)}
    response = attach(office, new_order(world), **fields)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(OrderContract)) is None


def test_a_file_over_the_limit_is_refused_with_a_message(app, world):
    app.config["CONTRACT_MAX_BYTES"] = 1024
    response = attach(as_user(app, "coordinator"), new_order(world),
                      upload=(io.BytesIO(PDF + b"0" * 2048), "big.pdf"))
    assert response.status_code == 200 and "文件太大" in response.get_data(as_text=True)


def test_posting_without_the_form_token_changes_nothing(app, world):
    order = new_order(world)
    client = as_user(app, "coordinator")
    response = client.post(f"/logistics/orders/{order.id}/contracts/new",
                           data={"number": "DH-1", "signed_on": "2026-11-20"})
    assert response.status_code == 400
    assert db.session.scalar(select(OrderContract)) is None


def test_removing_asks_first_and_the_history_keeps_the_contract(app, world):
    order = new_order(world)
    office = as_user(app, "coordinator")
    attach(office, order)
    contract = db.session.scalar(select(OrderContract))
    url = f"/logistics/orders/{order.id}/contracts/{contract.id}/delete"
    assert "移除这份订货合同" in office.get(url).get_data(as_text=True)
    assert db.session.scalar(select(OrderContract)) is not None  # a GET changes nothing
    assert post_form(office, url, {}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(OrderContract)) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "logistics_order_contracts",
                                                      AuditEvent.action == "delete")) is not None


def test_another_orders_contract_answers_404(app, world):
    office = as_user(app, "coordinator")
    first, second = new_order(world), new_order(world)
    attach(office, first)
    contract = db.session.scalar(select(OrderContract))
    assert office.get(f"/logistics/orders/{second.id}/contracts/{contract.id}/file").status_code == 404
    assert office.get(f"/logistics/orders/{second.id}/contracts/{contract.id}/delete").status_code == 404
    other = make_customer("西区客户", world["rep_west"])
    assert other.id and as_user(app, "rep_west").get(
        f"/logistics/orders/{first.id}/contracts/{contract.id}/delete").status_code == 404


def test_the_warehouse_may_see_the_contract_but_not_attach_one(app, world):
    order = new_order(world)
    assert as_user(app, "keeper").get(f"/logistics/orders/{order.id}/contracts/new").status_code == 403


def test_one_contract_number_posted_for_two_orders_at_once_is_recorded_once(backend, app, world, monkeypatch):
    if backend != "postgresql":
        pytest.skip("concurrent inserts: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")
    import time

    import plugins.logistics.contracts as contracts
    from tests.core.test_work_concurrency import together

    checked = contracts.number_taken

    def slow_check(number, except_id=None):  # both requests pass the check before either inserts
        found = checked(number, except_id)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(contracts, "number_taken", slow_check)
    orders = [new_order(world), new_order(world)]
    jobs = []
    for order in orders:
        client = as_user(app, "coordinator")
        url = f"/logistics/orders/{order.id}/contracts/new"
        token = csrf_token(client, url)
        jobs.append(lambda client=client, url=url, token=token: client.post(
            url, data={"csrf_token": token, "number": "DH-2026-099", "signed_on": "2026-11-20"}))
    results = together(*jobs)
    assert sorted(response.status_code for response in results) == [200, 302]
    assert any("已登记过" in response.get_data(as_text=True) for response in results)
    assert len(db.session.scalars(select(OrderContract)).all()) == 1
