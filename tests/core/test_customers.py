"""Customer archive pages core provides now: create, edit with optimistic locking, dashboard."""
from core.db import db
from core.events import commit
from core.registry.models import Customer
from core.testing import login, make_customer, post_form


def edit_data(customer, **changes):
    data = {"name": customer.name, "business_type": customer.business_type, "phone": customer.phone or "",
            "region_id": customer.region_id, "version_id": customer.version_id, "is_prospect": "y"}
    data.update(changes)
    return data


def test_rep_creates_a_prospect_with_a_generated_code(client, users):
    login(client, "rep_east")
    response = post_form(client, "/customers/new", {"name": "新乡华丰", "business_type": "feed_mill",
                                                     "region_id": users["rep_east"].region_id,
                                                     "is_prospect": "y", "phone": "0373-1234567"})
    assert response.status_code == 302
    customer = db.session.query(Customer).filter_by(name="新乡华丰").one()
    assert customer.code.startswith("C") and customer.owner_id == users["rep_east"].id
    assert customer.is_prospect and customer.state == "draft"


def test_bad_input_is_a_form_message_not_a_traceback(client, users):
    login(client, "rep_east")
    page = post_form(client, "/customers/new", {"name": "", "business_type": "farm", "phone": "abc",
                                                 "region_id": users["rep_east"].region_id})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('class="error"') == 2
    assert db.session.query(Customer).count() == 0


def test_second_save_of_a_stale_form_is_refused_and_nothing_is_overwritten(app, users):
    customer = make_customer("原名称", users["rep_east"], phone="111111")
    first, second = app.test_client(), app.test_client()
    login(first, "rep_east")
    login(second, "rm_east")
    url = f"/customers/{customer.id}/edit"
    stale_version = customer.version_id
    assert post_form(first, url, edit_data(customer, phone="222222")).status_code == 302
    response = post_form(second, url, edit_data(customer, name="另一个名称", version_id=stale_version))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "他人已保存" in html and "222222" in html
    db.session.expire_all()
    saved = db.session.get(Customer, customer.id)
    assert saved.name == "原名称" and saved.phone == "222222"


def test_dashboard_shows_where_the_archives_stand_and_my_work_what_to_do(client, users):
    from core.registry.archive import submit_archive

    for name in ("甲", "乙"):
        submit_archive(make_customer(name, users["rep_east"]), users["rep_east"])
    make_customer("丙", users["rep_west"])
    commit()
    login(client, "rm_east")
    html = client.get("/").get_data(as_text=True)
    assert 'state=submitted">已提交</a>: <strong>2</strong>' in html
    assert "state=draft" not in html  # the west draft is not hers to see
    assert html.count("实地核实档案并签字") == 2  # her two verify tasks, in My work


def test_demo_command_loads_a_feed_company_once(app):
    runner = app.test_cli_runner()
    assert "Demo data loaded" in runner.invoke(args=["demo"]).output
    assert db.session.query(Customer).count() >= 10
    assert any("饲料" in c.name for c in db.session.query(Customer))
    assert "already" in runner.invoke(args=["demo"]).output
    from core.auth.service import find_user
    from core.tasks import my_open_tasks

    assert {c.state for c in db.session.query(Customer)} == {"draft", "submitted", "returned", "verified", "filed"}
    for username in ("rm_east", "specialist", "cmmanager"):  # real archive work in My work
        rows = [row for row in my_open_tasks(find_user(username)) if row.task.kind == "approval"]
        assert rows, username
    assert any(row.overdue for row in my_open_tasks(find_user("rm_east")) if row.task.kind == "approval")
    assert any(row.overdue for row in my_open_tasks(find_user("specialist")) if row.task.kind == "approval")
    listing = runner.invoke(args=["plugins"]).output
    assert "logistics" in listing and "enabled" in listing


def test_sent_back_archives_count_as_waiting_for_the_rep(client, users):
    from core.registry.archive import current_step, submit_archive
    from core.tasks import complete_task

    returned = make_customer("退回的", users["rep_east"])
    submit_archive(returned, users["rep_east"])
    complete_task(current_step(returned)[2], users["rm_east"], "sent_back", "补充资料")
    make_customer("草稿", users["rep_east"])
    commit()
    login(client, "rep_east")
    html = client.get("/").get_data(as_text=True)
    assert 'state=draft">草稿</a>: <strong>1</strong>' in html
    assert 'state=returned">已退回</a>: <strong>1</strong>' in html
    assert "修改后重新提交" in html  # the revise task, in My work
