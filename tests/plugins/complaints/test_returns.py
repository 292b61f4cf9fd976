"""An approved return settlement (退货): logistics records the return order the warehouse expects,
with a task in its queue; the keeper records it received once; the order and complaint pages show it."""
from datetime import date

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.db import db
from core.events import commit
from core.tasks import Task, complete_task
from core.testing import login, make_user, post_form
from plugins.complaints import services as s
from plugins.logistics.returns import RECEIVE_TASK, ReturnOrder
from tests.plugins.complaints.conftest import new_complaint
from tests.plugins.complaints.test_links_and_reports import shipped
from tests.plugins.complaints.test_serious_path import task_of


def approved_return(org):
    order, _trip = shipped(org, org["customer"], "20261120-01")
    complaint = new_complaint(org, order_ref=order.number)
    s.acknowledge(complaint, org["rep"])
    s.assess(complaint, org["cm_head"], "serious")
    s.fill_handling_form(complaint, org["rep"], s.HandlingForm("霉变 10 袋", "退货", "霉变", "漏雨", "return"))
    s.choose_departments(complaint, org["cm_head"], ["warehouse"], None)
    commit()
    complete_task(task_of(complaint, "approval"), org["keeper"], "approved")
    commit()
    s.propose_settlement(complaint, org["mm"], s.Settlement(400_000, "credit_note", date(2026, 12, 20)))
    commit()
    complete_task(task_of(complaint, "approval"), org["gm"], "approved")
    commit()
    return order, complaint


def receive_task_of(record):
    return db.session.scalar(select(Task).where(Task.kind == RECEIVE_TASK, Task.record_id == record.id))


def test_an_approved_return_creates_the_return_order_and_a_warehouse_task(org, client):
    order, complaint = approved_return(org)
    record = db.session.scalar(select(ReturnOrder))
    assert record.number.startswith("TH-") and record.state == "expected"
    assert record.order_id == order.id and record.customer_id == org["customer"].id
    assert record.complaint_ref == complaint.number
    assert [(line.product_id, line.bags, line.kg) for line in record.lines] == [
        (line.product_id, line.bags, line.quantity_kg) for line in order.lines]
    task = receive_task_of(record)
    assert task.state == "open" and task.queue_kind == "permission" and task.queue_key == "logistics.warehouse"
    assert complaint.linked_records.startswith(f"{record.number} /")
    login(client, "cm_head")
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert f'href="/logistics/returns/{record.id}"' in page
    order_page = client.get(f"/logistics/orders/{order.id}").get_data(as_text=True)
    assert record.number in order_page and "expected" in order_page


def test_the_keeper_receives_the_return_once_closing_the_task_with_an_audit(org, client):
    _order, _complaint = approved_return(org)
    record = db.session.scalar(select(ReturnOrder))
    line = record.lines[0]
    login(client, "keeper")
    page = f"/logistics/returns/{record.id}"
    assert "Record the return received" in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}/receive", {f"bags-{line.id}": "620"}, page=page)
    db.session.expire_all()
    record = db.session.get(ReturnOrder, record.id)
    assert record.state == "received" and record.received_by == org["keeper"].id and record.received_at
    assert record.lines[0].received_bags == 620
    assert receive_task_of(record).state == "done"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "logistics_returns",
                                                      AuditEvent.record_id == record.id,
                                                      AuditEvent.action == "update"))
    shown = client.get(page).get_data(as_text=True)
    assert "Done: received by" in shown and "Record the return received" not in shown
    again = post_form(client, f"{page}/receive", {f"bags-{line.id}": "1"}, page=page, follow_redirects=True)
    assert "was already received" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ReturnOrder, record.id).lines[0].received_bags == 620


def test_bounded_bags_are_a_message(org, client):
    approved_return(org)
    record = db.session.scalar(select(ReturnOrder))
    login(client, "keeper")
    page = f"/logistics/returns/{record.id}"
    for bad in ("99999999999999999999", "-1", "NaN", "１２"):
        answer = post_form(client, f"{page}/receive", {f"bags-{record.lines[0].id}": bad}, page=page,
                           follow_redirects=True)
        assert answer.status_code == 200 and "whole number" in answer.get_data(as_text=True)
    nul = post_form(client, f"{page}/receive", {f"bags-{record.lines[0].id}": "1\x00"}, page=page)
    assert nul.status_code == 400  # core refuses control characters before any form reads them
    db.session.expire_all()
    assert db.session.get(ReturnOrder, record.id).state == "expected"


def test_a_user_outside_visibility_gets_404(org, client):
    approved_return(org)
    record = db.session.scalar(select(ReturnOrder))
    make_user("stranger", ("rep",), "west")
    db.session.commit()
    login(client, "stranger")
    assert client.get(f"/logistics/returns/{record.id}").status_code == 404
    answer = post_form(client, f"/logistics/returns/{record.id}/receive", {}, page="/work")
    assert answer.status_code in (403, 404)


@pytest.mark.guanxi_plugins("complaints")
def test_without_logistics_an_approved_return_creates_no_record_and_goes_on(org):
    complaint = new_complaint(org, order_ref="DD-2026-00001")
    s.acknowledge(complaint, org["rep"])
    s.assess(complaint, org["cm_head"], "serious")
    s.fill_handling_form(complaint, org["rep"], s.HandlingForm("霉变 10 袋", "退货", "霉变", "漏雨", "return"))
    s.choose_departments(complaint, org["cm_head"], ["warehouse"], None)
    commit()
    complete_task(task_of(complaint, "approval"), org["keeper"], "approved")
    commit()
    s.propose_settlement(complaint, org["mm"], s.Settlement(400_000, "credit_note", date(2026, 12, 20)))
    commit()
    complete_task(task_of(complaint, "approval"), org["gm"], "approved")
    commit()
    assert complaint.settlement_outcome == "approved" and complaint.linked_records is None
    assert s.open_tasks(complaint, "complaints.implement")


def test_two_keepers_receiving_at_once_record_it_once(org, app, backend, monkeypatch):
    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")
    from tests.core.test_work_concurrency import together
    from tests.plugins.logistics.test_concurrency import clients, posting, slow_locks

    slow_locks.__wrapped__(monkeypatch)
    approved_return(org)
    make_user("keeper2", ("warehouse_keeper",))
    db.session.commit()
    record = db.session.scalar(select(ReturnOrder))
    page, line = f"/logistics/returns/{record.id}", record.lines[0]
    first, second = clients(app, "keeper", "keeper2")
    results = together(posting(first, f"{page}/receive", {f"bags-{line.id}": "600"}, page),
                       posting(second, f"{page}/receive", {f"bags-{line.id}": "610"}, page))
    assert all(status == 200 for status, _ in results)
    assert sum("was already received" in text for _, text in results) == 1
    db.session.expire_all()
    record = db.session.get(ReturnOrder, record.id)
    assert record.state == "received" and record.lines[0].received_bags in (600, 610)
    received = [e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "logistics_returns", AuditEvent.record_id == record.id))
        if "received" in str((e.changes or {}).get("state"))]
    assert len(received) == 1
