"""The complaint pages: intake on the phone form, the steps each role sees and takes, crafted
POSTs refused, attachments checked, the printed handling form, works without logistics."""
import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.db import db
from core.events import commit
from core.tasks import complete_task
from core.testing import QueryCounter, login, post_form
from plugins.complaints import services as s
from plugins.complaints.models import Attachment, Complaint
from tests.plugins.complaints.conftest import new_complaint
from tests.plugins.complaints.test_serious_path import signed_complaint, task_of


def as_user(client, name):
    client.get("/logout")
    login(client, name)
    return client


def test_intake_by_form_records_and_shows_the_complaint(org, client):
    as_user(client, "rep")
    found = client.get("/complaints/new?q=双力").get_data(as_text=True)
    assert f"/complaints/new?customer={org['customer'].id}" in found
    page = client.get(f"/complaints/new?customer={org['customer'].id}")
    assert page.status_code == 200 and "河南双力饲料经销部".encode() in page.data
    response = post_form(client, "/complaints/new", {
        "customer_id": org["customer"].id, "channel": "phone", "category": "mass_death",
        "description": "一夜之间死了三十头猪", "customer_request": "赔偿", "severity": "", "upload_kind": "photo"},
        page=f"/complaints/new?customer={org['customer'].id}")
    assert response.status_code == 303
    complaint = db.session.query(Complaint).one()
    assert complaint.severity == "S1" and complaint.first_receiver_id == org["rep"].id
    detail = client.get(response.headers["Location"])
    assert complaint.number.encode() in detail.data and b'id="step-acknowledge"' in detail.data


def test_an_attachment_of_the_wrong_type_or_too_large_is_refused(org, client, app):
    complaint = new_complaint(org)
    as_user(client, "rep")
    page = f"/complaints/{complaint.id}"
    for name, content in (("virus.exe", b"MZ..."), ("huge.jpg", b"\xff\xd8" + b"0" * (8 * 1024 * 1024 + 10))):
        response = post_form(client, f"/complaints/{complaint.id}/attach",
                             {"attach-kind": "photo", "attach-upload": (io.BytesIO(content), name)}, page=page)
        assert response.status_code == 303
        assert db.session.query(Attachment).count() == 0
    shown = client.get(page)
    assert b"JPG" in shown.data
    ok = post_form(client, f"/complaints/{complaint.id}/attach",
                   {"attach-kind": "photo", "attach-upload": (io.BytesIO(b"\xff\xd8jpeg"), "pig.jpg")}, page=page)
    assert ok.status_code == 303 and db.session.query(Attachment).count() == 1


def test_a_crafted_post_cannot_approve_or_skip_the_settlement(org, client):
    complaint = signed_complaint(org)
    s.propose_settlement(complaint, org["mm"], s.Settlement(3_000_000, "cash", date(2026, 12, 20)))
    commit()
    gm_task = task_of(complaint, "approval")
    for name in ("mm", "cm_head", "qc1"):
        as_user(client, name)
        post_form(client, f"/complaints/{complaint.id}/decide",
                  {"task": gm_task.id, "decision": "approved", "decide-comment": ""},
                  page=f"/complaints/{complaint.id}")
        # and the later steps are not reachable either
        post_form(client, f"/complaints/{complaint.id}/evaluate",
                  {"eval-of_process": "a", "eval-of_plan": "b", "eval-of_result": "c"}, page=f"/complaints/{complaint.id}")
    db.session.refresh(complaint)
    assert complaint.state == "settlement_approval" and complaint.settlement_outcome == "proposed"
    as_user(client, "gm")
    post_form(client, f"/complaints/{complaint.id}/decide", {"task": gm_task.id, "decision": "approved"},
              page=f"/complaints/{complaint.id}")
    db.session.refresh(complaint)
    assert complaint.state == "implementation"


def test_the_printed_form_holds_the_amount_in_figures_and_capitals(org, client):
    complaint = signed_complaint(org)
    s.propose_settlement(complaint, org["mm"], s.Settlement(8_153_050, "cash", date(2026, 12, 20)))
    commit()
    complete_task(task_of(complaint, "approval"), org["gm"], "approved")
    commit()
    as_user(client, "cm_head")
    response = client.get(f"/print/complaint_handling_form/{complaint.id}.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "81,530.50" in compact
    assert "捌万壹仟伍佰叁拾元伍角" in compact
    assert complaint.number in compact


def test_the_list_and_the_widget_take_the_same_queries_for_few_and_many(org, client):
    as_user(client, "cm_head")

    def counted(url):
        with QueryCounter() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    new_complaint(org)
    few = (counted("/complaints/"), counted("/"), counted(f"/customers/{org['customer'].id}"))
    for _ in range(6):
        new_complaint(org)
    assert (counted("/complaints/"), counted("/"), counted(f"/customers/{org['customer'].id}")) == few


@pytest.mark.guanxi_plugins("complaints")
def test_complaints_work_with_logistics_disabled(org, client):
    complaint = new_complaint(org, batch_ref="20261120-01")
    as_user(client, "rep")
    page = client.get(f"/complaints/new?customer={org['customer'].id}")
    assert page.status_code == 200
    s.acknowledge(complaint, org["rep"])
    s.assess(complaint, org["cm_head"], "serious")
    commit()
    as_user(client, "cm_head")
    trace = client.get(f"/complaints/{complaint.id}/trace")
    assert trace.status_code == 200 and b'id="trace"' in trace.data
    assert Decimal


def test_a_step_closed_on_the_task_page_comes_back_until_its_form_is_filled(org, client):
    complaint = new_complaint(org)
    assess = s.open_tasks(complaint, "complaints.assess")[0]
    as_user(client, "cm_head")
    post_form(client, f"/tasks/{assess.id}/act", {"decision": "done", "comment": ""}, page=f"/tasks/{assess.id}")
    db.session.expire_all()
    again = s.open_tasks(complaint, "complaints.assess")
    assert len(again) == 1 and again[0].id != assess.id and again[0].due_at == assess.due_at
    assert db.session.get(Complaint, complaint.id).state == "assessment"
    page = client.get(f"/complaints/{complaint.id}")
    assert b'id="step-assess"' in page.data


@pytest.mark.parametrize("lab", ["NaN", "Infinity", "-1", "1e9", "abc"])
def test_an_absurd_lab_time_is_a_message_not_an_error(org, client, lab):
    complaint = new_complaint(org)
    s.acknowledge(complaint, org["rep"])
    s.assess(complaint, org["cm_head"], "serious")
    s.fill_handling_form(complaint, org["rep"], s.HandlingForm("损失", "赔偿", "查证", "", "compensation"))
    commit()
    as_user(client, "cm_head")
    response = post_form(client, f"/complaints/{complaint.id}/departments",
                         {"dept-departments": ["qc"], "dept-lab_days": lab}, page=f"/complaints/{complaint.id}")
    assert response.status_code == 303
    db.session.refresh(complaint)
    assert complaint.state == "departments"
