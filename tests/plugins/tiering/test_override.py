"""A grade set by hand: reason and expiry, by a permitted role, audited, the computed grade beside it;
once expired the computed grade applies again everywhere."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.db import db
from core.events import commit
from core.testing import login, post_form
from plugins.tiering.models import Override
from plugins.tiering.queries import effective_grades
from plugins.tiering.recompute import recompute
from tests.plugins.tiering.conftest import steady_customer

pytestmark = pytest.mark.guanxi_plugins("tiering")


@pytest.fixture
def graded(app, users, manager):
    customer = steady_customer("双力饲料", users["rep_east"], 20, first_order_days=800)
    for i in range(21):
        steady_customer(f"大户{i}", users["rep_west"], 100 + i, first_order_days=800)
    recompute("command")
    commit()
    return customer


def test_a_manager_sets_a_grade_by_hand_and_the_computed_one_stays_visible(graded, client):
    login(client, "cm_head")
    url = f"/tiering/customers/{graded.id}/override"
    until = (date.today() + timedelta(days=30)).isoformat()
    response = post_form(client, url, {"grade": "key", "reason": "战略合作伙伴", "expires_on": until},
                         page=f"/customers/{graded.id}")
    assert response.status_code == 303
    page = client.get(f"/customers/{graded.id}").get_data(as_text=True)
    assert 'id="tiering-effective">重点' in page
    assert "计算所得：一般" in page and "战略合作伙伴" in page
    assert effective_grades([graded.id]) == {graded.id: "key"}
    listed = client.get("/customers/?tiering_grade=key").get_data(as_text=True)
    assert "双力饲料" in listed
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "tiering_overrides")).all()
    assert audited and audited[0].customer_id == graded.id


def test_an_expired_override_gives_way_to_the_computed_grade(graded, client, users):
    db.session.add(Override(customer_id=graded.id, grade="key", reason="去年的合作", set_by_id=users["admin"].id,
                            expires_on=date.today() - timedelta(days=1)))
    db.session.commit()
    assert effective_grades([graded.id]) == {graded.id: "general"}
    login(client, "cm_head")
    assert "双力饲料" not in client.get("/customers/?tiering_grade=key").get_data(as_text=True)
    assert "双力饲料" in client.get("/customers/?tiering_grade=general").get_data(as_text=True)
    page = client.get(f"/customers/{graded.id}").get_data(as_text=True)
    assert 'id="tiering-effective">一般' in page and "手动设定，至" not in page


def test_an_override_needs_a_reason_and_an_expiry_within_a_year(graded, client):
    login(client, "cm_head")
    url = f"/tiering/customers/{graded.id}/override"
    far = (date.today() + timedelta(days=400)).isoformat()
    post_form(client, url, {"grade": "key", "reason": "太远", "expires_on": far}, page=f"/customers/{graded.id}")
    assert "手动等级的截止日期须在今天到一年之内" in client.get(f"/customers/{graded.id}").get_data(as_text=True)
    post_form(client, url, {"grade": "key", "reason": "", "expires_on": date.today().isoformat()},
              page=f"/customers/{graded.id}")
    assert db.session.scalars(select(Override)).all() == []


def test_ending_an_override_restores_the_computed_grade(graded, client):
    login(client, "cm_head")
    until = (date.today() + timedelta(days=5)).isoformat()
    post_form(client, f"/tiering/customers/{graded.id}/override",
              {"grade": "focus", "reason": "观察", "expires_on": until}, page=f"/customers/{graded.id}")
    post_form(client, f"/tiering/customers/{graded.id}/override/end", {}, page=f"/customers/{graded.id}")
    assert effective_grades([graded.id]) == {graded.id: "general"}


def test_a_rep_may_not_override_and_sees_no_form(graded, client):
    login(client, "rep_east")
    page = client.get(f"/customers/{graded.id}").get_data(as_text=True)
    assert "tiering-panel" in page and "/override" not in page
    response = post_form(client, f"/tiering/customers/{graded.id}/override",
                         {"grade": "key", "reason": "x", "expires_on": date.today().isoformat()},
                         page=f"/customers/{graded.id}")
    assert response.status_code == 403


def test_two_managers_overriding_at_once_leave_one_override_and_no_error(graded, app, backend, users):
    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")
    from core.testing import csrf_token, make_user
    from tests.core.test_work_concurrency import together

    make_user("gm", ("general_manager",))
    until = (date.today() + timedelta(days=10)).isoformat()
    jobs = []
    for name, grade in (("cm_head", "key"), ("gm", "focus")):
        client = app.test_client()
        login(client, name)
        token = csrf_token(client, f"/customers/{graded.id}")

        def job(client=client, token=token, grade=grade):
            return client.post(f"/tiering/customers/{graded.id}/override",
                               data={"csrf_token": token, "grade": grade, "reason": "同时", "expires_on": until}
                               ).status_code
        jobs.append(job)
    assert together(*jobs) == [303, 303]
    assert len(db.session.scalars(select(Override)).all()) == 1
