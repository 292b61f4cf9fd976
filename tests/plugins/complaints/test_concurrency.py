"""Two people acting on one complaint at once: one is recorded, the other is told, never a second
transition and never a 500. Row locks need PostgreSQL: these run only with GUANXI_TEST_DATABASE_URL."""
import time

import pytest
from sqlalchemy import select

import plugins.complaints.services as services
from core.audit import AuditEvent
from core.db import db
from core.events import commit
from core.tasks import complete_task
from core.testing import csrf_token, login
from plugins.complaints.models import Complaint
from tests.core.test_work_concurrency import together
from tests.plugins.complaints.conftest import new_complaint


@pytest.fixture
def postgres(backend):
    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")


@pytest.fixture
def slow_locks(monkeypatch):
    original = services.lock

    def held(complaint):
        found = original(complaint)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "lock", held)


def posting(app, username, url, data, page):
    client = app.test_client()
    login(client, username)
    token = csrf_token(client, page)

    def job():
        response = client.post(url, data={"csrf_token": token, **data}, follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)
    return job


def test_two_colleagues_archiving_at_once_archive_once(postgres, app, org, slow_locks):
    complaint = new_complaint(org)
    services.acknowledge(complaint, org["rep"])
    services.assess(complaint, org["cm_head"], "minor")
    services.record_findings(complaint, org["rm"], "现场核实")
    commit()
    services.propose_plan(complaint, org["rm"], "补货")
    commit()
    complete_task(services.open_tasks(complaint, "approval")[0], org["cm_head"], "approved")
    commit()
    services.plan_carried_out(complaint, org["rm"], "已补")
    services.report_minor(complaint, org["rm"], "完毕")
    services.call_back(complaint, org["rep"], "satisfied", "满意")
    commit()
    page = f"/complaints/{complaint.id}"
    url = f"/complaints/{complaint.id}/archive"
    results = together(posting(app, "cm_head", url, {}, page), posting(app, "spec1", url, {}, page))
    assert all(status == 200 for status, _ in results)
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).state == "closed"
    archived = [e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "complaints_complaints", AuditEvent.record_id == complaint.id))
        if (e.changes or {}).get("transition") == "archive"]
    assert len(archived) == 1
    assert sum("archived and can no longer change" in text or "not yours to take" in text
               for _, text in results) == 1  # the other is told
