"""Promotional materials (messages outside a request read in the default zh-CN): receipts, a regional plan reviewed and approved on the engine, issues only
against an approved plan or application and never beyond the approval or the stock, the ledger
and the report; and 20 concurrent issues on PostgreSQL that never take the stock below zero."""
import pytest
from sqlalchemy import func, select

from core.db import db
from core.events import commit
from core.testing import csrf_token, login, post_form
from plugins.promotions.materials import (
    MaterialsRefused,
    PlanData,
    issue_for_plan,
    issue_for_promotion,
    receive,
    report_by_region_and_item,
    save_plan,
    submit_plan,
)
from plugins.promotions.models import MaterialItem, MaterialPlanLine, MaterialRequest, StockMove
from tests.core.test_work_concurrency import together
from tests.plugins.promotions.test_review import decide, submitted

pytestmark = pytest.mark.guanxi_plugins("promotions")


@pytest.fixture
def items(org):
    made = [MaterialItem(code="M01", name="饲养管理手册", unit="本"), MaterialItem(code="M02", name="条幅", unit="条")]
    db.session.add_all(made)
    db.session.commit()
    receive(made[0], 12, org["spec1"], "采购入库")
    receive(made[1], 100, org["spec1"])
    commit()
    return made


def plan_for(org, items, quantity=15, approve=True):
    from datetime import date

    plan = save_plan(PlanData(org["rep"].region_id, date(2026, 3, 1), date(2026, 5, 31), "春季计划",
                              {items[0].id: quantity, items[1].id: 10}), org["spec1"])
    commit()
    submit_plan(plan, org["spec1"])
    commit()
    if approve:
        for reviewer in ("cm_head", "mk_head", "gm"):
            assert plan.state == "submitted"
            decide_plan(plan, org[reviewer])
    return plan


def decide_plan(plan, user, decision="approved", comment=""):
    from core.tasks import complete_task, my_open_tasks

    task = next(r.task for r in my_open_tasks(user) if r.task.record_type == "promotions_plans")
    complete_task(task, user, decision, comment)
    commit()


def test_a_plan_goes_through_department_marketing_and_general_manager(org, items):
    plan = plan_for(org, items, approve=False)
    line = plan.lines[0]
    with pytest.raises(MaterialsRefused, match="已批准的计划"):
        issue_for_plan(line, 1, org["spec1"])
    db.session.rollback()
    decide_plan(plan, org["cm_head"])
    decide_plan(plan, org["mk_head"], "sent_back", "数量偏多")
    assert plan.state == "sent_back"
    save_plan(PlanData(plan.region_id, plan.period_start, plan.period_end, plan.note,
                       {items[0].id: 10, items[1].id: 10}), org["spec1"], plan)
    commit()
    submit_plan(plan, org["spec1"])
    commit()
    for reviewer in ("cm_head", "mk_head", "gm"):
        decide_plan(plan, org[reviewer])
    assert plan.state == "approved"


def test_issues_stay_within_the_plan_and_the_stock(org, items):
    plan = plan_for(org, items)
    line = next(line for line in plan.lines if line.item_id == items[0].id)
    issue_for_plan(line, 5, org["spec1"], "张伟领取")
    commit()
    with pytest.raises(MaterialsRefused, match="饲养管理手册 库存只有 7"):
        issue_for_plan(line, 8, org["spec1"])
    db.session.rollback()
    receive(items[0], 20, org["spec1"])
    commit()
    with pytest.raises(MaterialsRefused, match="批准的 15 中只剩 10"):
        issue_for_plan(line, 11, org["spec1"])
    db.session.rollback()
    issue_for_plan(line, 10, org["spec1"])
    commit()
    db.session.refresh(items[0])
    assert items[0].stock == 12 - 5 + 20 - 10
    moves = list(db.session.scalars(select(StockMove).where(StockMove.item_id == items[0].id).order_by(StockMove.id)))
    assert [(m.kind, m.quantity, m.balance) for m in moves] == [
        ("receipt", 12, 12), ("issue", -5, 7), ("receipt", 20, 27), ("issue", -10, 17)]
    region = org["rep"].region.name
    assert [tuple(row) for row in report_by_region_and_item()] == [(region, "饲养管理手册", "本", 15)]


def test_issues_against_an_application_wait_for_its_approval(org, customers, items):
    promotion = submitted(org, customers, budget_yuan=1000, materials={items[1].id: 30})
    request = db.session.scalar(select(MaterialRequest))
    with pytest.raises(MaterialsRefused, match="已批准的申请"):
        issue_for_promotion(request, 1, org["spec1"])
    db.session.rollback()
    decide(promotion, org["cm_head"])
    issue_for_promotion(request, 30, org["spec1"])
    commit()
    with pytest.raises(MaterialsRefused, match="批准的 30 中只剩 0"):
        issue_for_promotion(request, 1, org["spec1"])


def test_the_pages_receive_and_issue(org, items, client):
    plan = plan_for(org, items)
    line = plan.lines[0]
    login(client, "spec1")
    response = post_form(client, "/promotions/materials/receipts", {"item_id": items[0].id, "quantity": "3"},
                         page="/promotions/materials", follow_redirects=True)
    assert "Received 3 of 饲养管理手册: 15 in stock." in response.get_data(as_text=True)
    url = f"/promotions/plans/{plan.id}"
    response = post_form(client, f"{url}/issue", {"line_id": line.id, "quantity": "99"}, page=url, follow_redirects=True)
    assert "This number is out of range" not in response.get_data(as_text=True)
    assert "Only 15 of 饲养管理手册 are in stock." in response.get_data(as_text=True) or \
        "remain of the" in response.get_data(as_text=True)
    response = post_form(client, f"{url}/issue", {"line_id": "99999999999", "quantity": "1"}, page=url)
    assert response.status_code == 404
    for page in ("/promotions/materials", "/promotions/materials/ledger", "/promotions/materials/report?from=2026-01-01",
                 "/promotions/plans", url):
        assert client.get(page).status_code == 200
    login(client, "rep")  # may look, may not issue
    assert post_form(client, f"{url}/issue", {"line_id": line.id, "quantity": "1"}, page=url).status_code == 403


@pytest.fixture
def postgres(backend):
    if backend != "postgresql":
        pytest.skip("concurrent issues: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")


def test_twenty_concurrent_issues_never_take_the_stock_below_zero(postgres, app, org, items):
    plan = plan_for(org, items, quantity=20)  # approved for 20, only 12 in stock
    line_id = next(line.id for line in plan.lines if line.item_id == items[0].id)
    url = f"/promotions/plans/{plan.id}"
    jobs = []
    for _index in range(20):
        client = app.test_client()
        login(client, "spec1")
        token = csrf_token(client, url)

        def job(client=client, token=token):
            response = client.post(f"{url}/issue", data={"csrf_token": token, "line_id": line_id, "quantity": "1"})
            return response.status_code
        jobs.append(job)
    results = together(*jobs)
    assert results == [302] * 20  # every one answered, none with an error
    db.session.expire_all()
    assert db.session.get(MaterialItem, items[0].id).stock == 0
    assert db.session.get(MaterialPlanLine, line_id).issued == 12
    balances = sorted(db.session.scalars(select(StockMove.balance).where(
        StockMove.item_id == items[0].id, StockMove.kind == "issue")))
    assert balances == list(range(12))  # each issue saw its own balance: 11, 10, … 0
    assert db.session.scalar(select(func.sum(StockMove.quantity)).where(StockMove.item_id == items[0].id)) == 0


@pytest.mark.parametrize(("values", "message"), [
    ({"period_end": "2026-02-01"}, "The period ends before it starts"),
    ({"lines-0-quantity": "-1"}, "Number must be between"),
    ({"lines-0-quantity": "0"}, "Plan at least one item"),
    ({"lines-0-quantity": "99999999999"}, "This number is out of range"),
    ({"region_id": "999999"}, "Not a valid choice"),
])
def test_a_bad_plan_is_a_form_message(org, items, client, values, message):
    login(client, "spec1")
    data = {"region_id": str(org["rep"].region_id), "period_start": "2026-03-01", "period_end": "2026-05-31",
            "note": "", "lines-0-item_id": str(items[0].id), "lines-0-quantity": "5", **values}
    response = post_form(client, "/promotions/plans/new", data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)


def test_a_taken_item_code_is_a_message(org, items, client):
    login(client, "spec1")
    response = post_form(client, "/promotions/materials/items", {"code": "M01", "name": "重复"},
                         page="/promotions/materials", follow_redirects=True)
    assert "The code M01 is taken." in response.get_data(as_text=True)
