"""The workflow engine: declared transitions are the only way a state changes."""
import pytest

from core.audit import AuditEvent
from core.db import db
from core.registry.archive_flow import ARCHIVE_FLOW
from core.registry.models import Customer
from core.testing import login, make_customer, post_form
from core.workflow import StateChangeForbidden, Transition, TransitionRefused, Workflow


def test_happy_path_submit_verify_file(app, users):
    customer = make_customer("双力", users["rep_east"])
    ARCHIVE_FLOW.apply(customer, "submit", users["rep_east"])
    ARCHIVE_FLOW.apply(customer, "verify", users["rm_east"])
    ARCHIVE_FLOW.apply(customer, "file", users["specialist"])
    db.session.commit()
    assert customer.state == "filed"
    rows = db.session.query(AuditEvent).filter_by(record_id=customer.id, action="transition").all()
    assert [r.changes["transition"] for r in rows] == ["submit", "verify", "file"]
    assert [r.user_id for r in rows] == [users["rep_east"].id, users["rm_east"].id, users["specialist"].id]


def test_the_actor_of_a_transition_is_read_from_the_trail(app, users):
    customer = make_customer("双力", users["rep_east"])
    ARCHIVE_FLOW.apply(customer, "submit", users["rep_east"])
    ARCHIVE_FLOW.apply(customer, "send_back", users["rm_east"], comment="地址不详")
    ARCHIVE_FLOW.apply(customer, "submit", users["rep_west"], authorised=True)
    db.session.commit()
    assert ARCHIVE_FLOW.actor(customer, "submit") == users["rep_west"].id  # the latest time
    assert ARCHIVE_FLOW.actor(customer, "send_back") == users["rm_east"].id
    assert ARCHIVE_FLOW.actor(customer, "file") is None  # not done yet


def test_out_of_order_transition_is_refused_and_changes_nothing(app, users):
    customer = make_customer("双力", users["rep_east"])
    with pytest.raises(TransitionRefused, match="不能执行|not possible"):
        ARCHIVE_FLOW.apply(customer, "file", users["specialist"])
    assert customer.state == "draft"


def test_transition_without_permission_is_refused(app, users):
    customer = make_customer("双力", users["rep_east"])
    ARCHIVE_FLOW.apply(customer, "submit", users["rep_east"])
    with pytest.raises(TransitionRefused, match="无权|not allowed"):
        ARCHIVE_FLOW.apply(customer, "verify", users["rep_east"])
    assert customer.state == "submitted"


def test_send_back_needs_a_comment(app, users):
    customer = make_customer("双力", users["rep_east"])
    ARCHIVE_FLOW.apply(customer, "submit", users["rep_east"])
    with pytest.raises(TransitionRefused):
        ARCHIVE_FLOW.apply(customer, "send_back", users["rm_east"], comment="  ")
    ARCHIVE_FLOW.apply(customer, "send_back", users["rm_east"], comment="地址不详")
    db.session.commit()
    row = db.session.query(AuditEvent).filter_by(record_id=customer.id, action="transition").all()[-1]
    assert row.comment == "地址不详" and row.changes["state"] == ["submitted", "returned"]


def test_direct_assignment_of_the_state_is_forbidden(app, users):
    customer = make_customer("双力", users["rep_east"])
    with pytest.raises(StateChangeForbidden):
        customer.state = "filed"


def test_condition_can_refuse_with_its_own_reason(app, users):
    flow = Workflow("t", {"draft": "Draft", "b": "B"}, "draft", [
        Transition("go", ("draft",), "b", "customers.view", "Go", condition=lambda r, u: "not today")])
    customer = make_customer("双力", users["rep_east"])
    assert flow.refusal(customer, "go", users["rep_east"]) == "not today"
    assert flow.available(customer, users["rep_east"]) == []


def test_unknown_state_in_a_declaration_is_an_error():
    with pytest.raises(ValueError):
        Workflow("t", {"a": "A"}, "a", [Transition("go", ("a",), "zz", "p", "Go")])


def test_forbidden_transition_posted_by_hand_is_refused_with_a_message(client, users):
    customer = make_customer("双力", users["rep_east"])
    login(client, "rep_east")
    page = f"/customers/{customer.id}"
    response = post_form(client, f"/customers/{customer.id}/transition", {"transition": "file"}, page=page,
                         follow_redirects=True)
    assert "不能执行" in response.get_data(as_text=True)
    response = post_form(client, f"/customers/{customer.id}/transition", {"transition": "nonsense"}, page=page,
                         follow_redirects=True)
    assert "未知操作" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).state == "draft"
    assert db.session.query(AuditEvent).filter_by(record_id=customer.id, action="transition").count() == 0


def test_archive_flow_through_the_pages_as_three_users(app, users):
    customer = make_customer("双力", users["rep_east"])
    url = f"/customers/{customer.id}"
    for username, transition, extra in (("rep_east", "submit", {}),
                                        ("rm_east", "send_back", {"comment": "请补充电话"}),
                                        ("rep_east", "submit", {}),
                                        ("rm_east", "verify", {}),
                                        ("specialist", "file", {})):
        client = app.test_client()
        login(client, username)
        assert f'value="{transition}"' in client.get(url).get_data(as_text=True), (username, transition)
        post_form(client, f"{url}/transition", {"transition": transition, **extra}, page=url)
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).state == "filed"
    html = client.get(url).get_data(as_text=True)
    assert "请补充电话" in html and "已归档" in html
