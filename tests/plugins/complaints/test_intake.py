"""Intake: severity suggested by C-6 and changed only with a reason, acknowledgement deadlines by
severity from intake, the on-the-spot answer closing at once on record, and who is told."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.notifications import Notification
from core.tasks import Task
from plugins.complaints.services import ComplaintRefused, Intake, intake, open_tasks
from plugins.complaints.severity import suggest
from tests.plugins.complaints.conftest import new_complaint


@pytest.mark.parametrize(("category", "text", "level"), [
    ("mass_death", "", "S1"),
    ("feeding_result", "吃了以后大面积死亡", "S1"),
    ("feeding_result", "pigs have diarrhoea", "S1"),
    ("quantity_variety", "颗粒太粗", "S2"),
    ("service", "水分太高", "S2"),
    ("service", "送货晚了两天", "S3"),
])
def test_severity_is_suggested_from_category_and_words(category, text, level):
    assert suggest(category, text) == level


def test_a_different_severity_needs_a_reason(org):
    with pytest.raises(ComplaintRefused):
        intake(Intake(customer_id=org["customer"].id, channel="phone", category="service",
                      description="送货晚了", severity="S1"), org["rep"])
    complaint = new_complaint(org, category="service", description="送货晚了", severity="S2",
                              severity_reason="大客户，第三次了")
    assert (complaint.suggested_severity, complaint.severity) == ("S3", "S2")


@pytest.mark.parametrize(("description", "minutes"), [("猪拉稀，有死亡", 60), ("颗粒太粗", 240)])
def test_acknowledgement_is_due_by_severity_from_intake(org, description, minutes):
    complaint = new_complaint(org, category="quantity_variety", description=description)
    ack = open_tasks(complaint, "complaints.acknowledge")[0]
    assert ack.assignee_id == org["rep"].id
    assert ack.due_at - complaint.received_at <= timedelta(minutes=minutes)
    assert ack.due_at - complaint.received_at > timedelta(minutes=minutes - 1)


def test_s1_tells_the_general_manager_at_once_and_the_managers(org):
    new_complaint(org, category="mass_death", description="一夜死了三十头")
    told = set(db_users(Notification.user_id))
    assert {org["gm"].id, org["cm_head"].id, org["rm"].id} <= told


def db_users(column):
    from core.db import db

    return db.session.scalars(select(column))


def test_an_answer_on_the_spot_closes_at_once_through_every_step(org):
    complaint = new_complaint(org, category="service", description="问发票什么时候寄",
                              spot_answer="发票今天已寄出，单号 SF123")
    assert complaint.state == "closed" and complaint.path == "spot"
    assert complaint.acknowledged_at and complaint.assessed_at and complaint.decision_communicated_at
    assert complaint.closed_at == complaint.received_at
    assert open_tasks(complaint) == []


def test_a_customer_the_user_may_not_see_is_refused(org, users):
    other = new_customer_of(users["rep_west"])
    with pytest.raises(ComplaintRefused):
        intake(Intake(customer_id=other.id, channel="phone", category="service", description="x"), org["rep"])


def new_customer_of(user):
    from core.testing import make_customer

    return make_customer("西区客户", user)


def test_tasks_name_the_complaint(org):
    complaint = new_complaint(org)
    kinds = {t.kind for t in open_tasks(complaint)}
    assert kinds == {"complaints.acknowledge", "complaints.assess"}
    assert all(t.reference == complaint.number for t in open_tasks(complaint))
    assert complaint.number.startswith("TS-")
    assert Task  # the engine's own table holds them
