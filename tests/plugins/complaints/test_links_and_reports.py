"""Complaints with logistics: documents named at intake, the batch trace and recall list, the
replacement order of an exchange; the minor path; charts checked by the numbers in their SVG;
customer metrics."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from core.contract import Period
from core.db import db
from core.events import commit
from core.metrics import customer_metrics
from core.tasks import Task, complete_task
from core.testing import login, make_customer, make_user, post_form
from plugins.complaints import services as s
from plugins.complaints.models import RecallCall
from plugins.logistics.models import Product, Vehicle
from plugins.logistics.services import LineInput, create_order, load, take_gross, take_tare
from tests.plugins.complaints.conftest import new_complaint
from tests.plugins.complaints.test_serious_path import signed_complaint, task_of
from tests.plugins.logistics.test_order_flow import ready_to_load


def shipped(org, customer, batch, bags=625):
    people = {"coordinator": make_user(f"co{customer.id}", ("coordinator",)),
              "keeper": org["keeper"], "weigher": make_user(f"we{customer.id}", ("weigher",))}
    feed = db.session.scalar(select(Product).where(Product.code == "P551")) or Product(
        code="P551", name="育肥猪配合饲料", bag_weight_kg=40, price_cents_per_tonne=326000)
    truck = Vehicle(plate=f"豫A·{customer.id:05d}", capacity_kg=40000, last_tare_kg=15200)
    db.session.add_all([feed, truck])
    db.session.flush()
    order = create_order(customer, [LineInput(feed, tonnes="25")], people["coordinator"], transport="pickup")
    db.session.commit()
    ready_to_load({**people, "customer": customer}, order)
    trip = take_tare(order, truck, 15200, people["weigher"])
    load(trip, {order.lines[0].id: bags}, org["keeper"], batches={order.lines[0].id: batch})
    take_gross(trip, 15200 + bags * 40, people["weigher"])
    db.session.commit()
    return order, trip


def test_the_batch_trace_lists_every_customer_that_received_the_batch(org, client):
    other = make_customer("周口牧原养殖场", org["rep"])
    third = make_customer("漯河饲料经销部", org["rep"])
    order, trip = shipped(org, org["customer"], "20261120-01")
    shipped(org, other, "20261120-01")
    shipped(org, third, "20261121-07")
    login(client, "rep")
    intake_page = client.get(f"/complaints/new?customer={org['customer'].id}").get_data(as_text=True)
    assert order.number in intake_page and trip.number in intake_page and "20261120-01" in intake_page
    complaint = new_complaint(org, batch_ref="20261120-01")
    client.get("/logout")
    login(client, "cm_head")
    page = client.get(f"/complaints/{complaint.id}/trace").get_data(as_text=True)
    assert "河南双力饲料经销部" in page and "周口牧原养殖场" in page and "漯河饲料经销部" not in page
    post_form(client, f"/complaints/{complaint.id}/trace", {}, page=f"/complaints/{complaint.id}/trace")
    calls = db.session.scalars(select(RecallCall)).all()
    assert {c.customer_id for c in calls} == {org["customer"].id, other.id}
    tasks = [db.session.get(Task, c.task_id) for c in calls]
    assert {t.kind for t in tasks} == {"complaints.recall_call"} and all(t.assignee_id == org["rep"].id for t in tasks)
    # opening it again adds nobody twice
    post_form(client, f"/complaints/{complaint.id}/trace", {}, page=f"/complaints/{complaint.id}/trace")
    assert db.session.query(RecallCall).count() == 2


def test_an_approved_exchange_creates_the_replacement_order(org):
    order, _trip = shipped(org, org["customer"], "20261120-01")
    complaint = new_complaint(org, order_ref=order.number)
    s.acknowledge(complaint, org["rep"])
    s.assess(complaint, org["cm_head"], "serious")
    s.fill_handling_form(complaint, org["rep"], s.HandlingForm("霉变 10 袋", "换货", "霉变", "漏雨", "exchange"))
    s.choose_departments(complaint, org["cm_head"], ["warehouse"], None)
    commit()
    complete_task(task_of(complaint, "approval"), org["keeper"], "approved")
    commit()
    s.propose_settlement(complaint, org["mm"], s.Settlement(400_000, "replacement", date(2026, 12, 20)))
    commit()
    complete_task(task_of(complaint, "approval"), org["gm"], "approved")
    commit()
    assert complaint.linked_records and complaint.linked_records.startswith("DD-")


def test_the_minor_path_on_site(org):
    complaint = new_complaint(org, category="transport_storage", description="少了两袋")
    s.acknowledge(complaint, org["rep"])
    s.assess(complaint, org["cm_head"], "minor")
    commit()
    assert task_of(complaint, "complaints.findings").assignee_id == org["rm"].id
    s.record_findings(complaint, org["rm"], "装车少装两袋")
    s.propose_plan(complaint, org["rm"], "下次送货补两袋")
    commit()
    assert complaint.state == "minor_approval"
    approval = task_of(complaint, "approval")
    assert approval.assignee_id == org["cm_head"].id
    complete_task(approval, org["cm_head"], "sent_back", "写明补货日期")
    commit()
    assert complaint.state == "minor_plan"
    s.propose_plan(complaint, org["rm"], "12 月 10 日送货时补两袋")
    commit()
    complete_task(task_of(complaint, "approval"), org["cm_head"], "approved")
    commit()
    s.plan_carried_out(complaint, org["rm"], "已补两袋，客户签收")
    s.report_minor(complaint, org["rm"], "处理完毕")
    s.call_back(complaint, org["rep"], "satisfied", "满意")
    s.archive(complaint, org["cm_head"])
    commit()
    assert complaint.state == "closed"


def numbers(svg):
    return [float(n) for n in re.findall(r'class="value[^"]*"[^>]*>([0-9.]+)<', str(svg))]


def test_charts_carry_the_numbers(org, client):
    for _ in range(3):
        new_complaint(org, category="service", description="送货晚了")
    new_complaint(org, category="mass_death", description="死亡")
    login(client, "cm_head")
    page = client.get("/complaints/reports").get_data(as_text=True)
    assert page.count("<svg") + page.count("chart-empty") == 7
    from plugins.complaints.charts import per_category
    from plugins.complaints.queries import ListQuery

    with client.application.test_request_context():
        svg = per_category(ListQuery(), org["cm_head"])
    assert sorted(set(numbers(svg))) == [1.0, 3.0]  # pygal writes each value and its shadow
    assert "category=service" in str(svg)
    export = client.get("/complaints/export.csv?category=service")
    assert export.data.decode("utf-8-sig").count("\n") == 4
    from core.audit import AuditEvent

    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export",
                                                         AuditEvent.record_type == "complaints_complaints")).all()
    assert len(logged) == 1 and logged[0].changes["rows"] == 3


def test_customer_metrics_count_complaints_and_serious_ones(org):
    complaint = signed_complaint(org)
    new_complaint(org)
    figures = customer_metrics([org["customer"].id], Period(None, None))
    assert figures[org["customer"].id]["complaint_count"] == 2
    assert figures[org["customer"].id]["serious_complaint_count"] == 1
    assert complaint.path == "serious"


@pytest.fixture(autouse=True)
def _logistics(app):
    return app
