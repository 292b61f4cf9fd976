"""The promotion pages as their users meet them: applying with a draft, targets by rule and by code,
form messages instead of errors, who sees which promotion, the execution log with checked
photos, the completion, the printed sheet, the customer panel and the list's query count.
Tiering and logistics are disabled: promotions works alone."""
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from core.db import db
from core.events import commit
from core.testing import QueryCounter, login, post_form
from plugins.promotions.models import ExecutionPhoto, Promotion, PromotionTarget
from tests.plugins.promotions.conftest import application
from tests.plugins.promotions.test_review import decide, submitted

pytestmark = pytest.mark.guanxi_plugins("promotions")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form(**values):
    data = {"title": "夏季促销", "period_start": "2026-06-01", "period_end": "2026-06-30", "target_rule": "",
            "target_codes": "E-A1\nE-A2", "situation_before": "销量平稳", "purpose": "上量", "plan": "满十吨送手册",
            "target_tonnes": "120.5", "target_amount": "360000", "target_new_customers": "1", "budget": "1800.50",
            "materials-0-item_id": "0", "materials-0-quantity": ""}
    data.update(values)
    return data


def test_a_rep_saves_a_draft_then_submits_it_and_sees_where_it_stands(org, customers, client):
    login(client, "rep")
    response = post_form(client, "/promotions/new", form(region_id=str(org["rep"].region_id)))
    assert response.status_code == 302
    promotion = db.session.scalar(select(Promotion))
    assert (promotion.state, promotion.target_kg, promotion.budget_cents) == ("draft", 120_500, 180_050)
    assert promotion.target_count == 2
    page = client.get(f"/promotions/{promotion.id}").get_data(as_text=True)
    assert "Draft: the applicant completes it" in page and "¥1,800.50" in page
    post_form(client, f"/promotions/{promotion.id}/submit", {"comment": "请审批"}, page=f"/promotions/{promotion.id}")
    page = client.get(f"/promotions/{promotion.id}").get_data(as_text=True)
    assert "Under review" in page and "Now with: Customer-management department manager — Cm_Head" in page
    listing = client.get("/promotions/?mine=1").get_data(as_text=True)
    assert promotion.number in listing and "Under review" in listing


def test_targets_by_rule_are_the_regions_customers_that_meet_it(org, customers, client):
    login(client, "rm")
    post_form(client, "/promotions/new", form(region_id=str(org["rm"].region_id), target_codes="",
                                              target_rule="promotions.size_a"))
    promotion = db.session.scalar(select(Promotion))
    targets = set(db.session.scalars(select(PromotionTarget.customer_id)))
    assert targets == {customers[c].id for c in ("E-A1", "E-A2", "E-A3")}  # not the west's A
    assert promotion.target_rule == "promotions.size_a" and promotion.target_count == 3


@pytest.mark.parametrize(("values", "message"), [
    ({"target_codes": "E-A1 NOPE-9"}, "No customer you may see has the code NOPE-9"),
    ({"target_codes": "W-A1"}, "No customer you may see has the code W-A1"),  # not the rep's
    ({"period_end": "2026-05-01"}, "The period ends before it starts"),
    ({"budget": "NaN"}, "Enter an amount such as 1280.50"),
    ({"target_tonnes": "1e9"}, "Tonnes with at most three decimals"),
    ({"period_start": "9999-01-01"}, "Enter a date between"),
    ({"target_rule": "nobody.rule"}, "Not a valid choice"),
    ({"target_new_customers": "99999999999999"}, "This number is out of range"),
    ({"target_new_customers": "-1"}, "Number must be between"),
])
def test_bad_input_is_a_form_message(org, customers, client, values, message):
    login(client, "rep")
    response = post_form(client, "/promotions/new", form(region_id=str(org["rep"].region_id), **values))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Promotion)) == 0


def test_who_sees_a_promotion(org, customers, client):
    from core.testing import make_customer, make_user

    promotion = application(org)
    stranger = make_user("rep_w2", ("rep",), "west")
    make_customer("西区客户", stranger, code="W-X")
    login(client, "rep_w")
    assert client.get(f"/promotions/{promotion.id}").status_code == 404
    assert promotion.number not in client.get("/promotions/").get_data(as_text=True)
    for who in ("rm", "cm_head", "gm"):
        login(client, who)
        assert client.get(f"/promotions/{promotion.id}").status_code == 200
    login(client, "rm")  # not the applicant: no edit page
    assert client.get(f"/promotions/{promotion.id}/edit").status_code == 404


def test_execution_log_with_photos_then_completion(org, customers, client, app):
    promotion = submitted(org, customers, budget_yuan=1000)
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    login(client, "rep")
    url = f"/promotions/{promotion.id}"
    response = post_form(client, f"{url}/execution", {
        "happened_on": "2026-03-05", "activity": "技术交流会", "spend": "350",
        "photos": [(io.BytesIO(PNG), "会场.png"), (io.BytesIO(b"MZ not a photo"), "virus.jpg")]}, page=url,
        content_type="multipart/form-data", follow_redirects=True)
    assert "virus.jpg is not a JPEG, PNG or WebP photo" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExecutionPhoto)) == 0
    response = post_form(client, f"{url}/execution", {
        "happened_on": "2026-03-05", "activity": "技术交流会", "spend": "350",
        "photos": [(io.BytesIO(PNG), "会场.png")]}, page=url, content_type="multipart/form-data",
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "会场.png" in page and "¥350.00 / ¥1,000.00" in page
    photo = db.session.scalar(select(ExecutionPhoto))
    assert client.get(f"/promotions/photos/{photo.id}").data == PNG
    login(client, "rep_w")
    assert client.get(f"/promotions/photos/{photo.id}").status_code == 404
    login(client, "rep")
    post_form(client, f"{url}/complete", {"rating": "achieved", "note": "基本完成"}, page=url)
    db.session.refresh(promotion)
    assert promotion.state == "completed" and promotion.completion_rating == "achieved"
    response = post_form(client, f"{url}/execution", {"happened_on": "2026-03-06", "activity": "晚了", "spend": "1"},
                         page=f"{url}/evaluation", follow_redirects=True)
    assert "Execution is logged once the promotion is filed" in response.get_data(as_text=True)


def test_a_photo_too_large_is_refused(org, customers, client):
    from core.settings import save_company_setting

    save_company_setting("promotions.photo_max_kb", "50")
    db.session.commit()
    promotion = submitted(org, customers, budget_yuan=1000)
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    login(client, "rep")
    url = f"/promotions/{promotion.id}"
    response = post_form(client, f"{url}/execution", {
        "happened_on": "2026-03-05", "activity": "会", "photos": [(io.BytesIO(PNG + b"\0" * 60_000), "big.png")]},
        page=url, content_type="multipart/form-data", follow_redirects=True)
    assert "big.png is too large: at most 50 KB" in response.get_data(as_text=True)


def test_the_printed_sheet_and_evaluation(org, customers, client):
    promotion = submitted(org, customers, budget_yuan=81500)
    login(client, "rep")
    response = client.get(f"/print/promotion_application/{promotion.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from flask import render_template

    from core.printing import documents
    from plugins.promotions.documents import _application

    with client.application.test_request_context():
        from flask_login import login_user

        login_user(org["rep"])
        html = render_template("promotions/print/application.html", **_application(promotion.id, org["rep"]))
    assert "¥81,500.00" in html and "人民币捌万壹仟伍佰元整" in html
    assert "Customer-management department manager" in html and "General manager" in html
    assert "promotion_application" in documents()


def test_the_customer_panel_lists_the_customers_promotions(org, customers, client):
    promotion = application(org)
    login(client, "rep")
    page = client.get(f"/customers/{customers['E-A1'].id}").get_data(as_text=True)
    assert promotion.number in page
    page = client.get(f"/customers/{customers['E-A3'].id}").get_data(as_text=True)
    assert "Not a target of any promotion." in page


def _count(client, url):
    with QueryCounter() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_list_and_panel_query_counts_do_not_grow_with_rows(org, customers, client):
    login(client, "cm_head")
    application(org, title="一")
    few_list, few_panel = _count(client, "/promotions/"), _count(client, f"/customers/{customers['E-A1'].id}")
    for index in range(8):
        application(org, title=f"促销{index}", period_start=date(2026, 3, 1 + index))
    assert _count(client, "/promotions/") == few_list
    assert _count(client, f"/customers/{customers['E-A1'].id}") == few_panel


def test_spend_per_customer_is_shared_among_the_targets(org, customers):
    from core.api import customer_metrics, local_months
    from plugins.promotions.services import log_execution

    promotion = submitted(org, customers, budget_yuan=1000, codes="E-A1 E-A2 E-A3")
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    log_execution(promotion, org["rep"], date(2026, 3, 5), "会", 90_000)
    log_execution(promotion, org["rep"], date(2026, 4, 5), "会", 30_000)
    commit()
    march = customer_metrics([customers["E-A1"].id], local_months(date(2026, 3, 1), date(2026, 3, 1)))
    assert march == {customers["E-A1"].id: {"promotion_spend_cents": 30_000}}
    series = customer_metrics([customers["E-A2"].id], local_months(date(2026, 3, 1), date(2026, 4, 1)),
                              series="month")
    assert series[customers["E-A2"].id]["promotion_spend_cents"] == {"2026-03": 30_000, "2026-04": 10_000}


def test_the_application_page_query_count_does_not_grow_with_its_log(org, customers, client):
    from plugins.promotions.services import log_execution

    promotion = submitted(org, customers, budget_yuan=1000, codes="E-A1 E-A2 E-A3")
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    log_execution(promotion, org["rep"], date(2026, 3, 2), "会", 100)
    commit()
    login(client, "rep")
    few = _count(client, f"/promotions/{promotion.id}")
    for day in range(3, 12):
        log_execution(promotion, org["rep"], date(2026, 3, day), "会", 100)
    commit()
    assert _count(client, f"/promotions/{promotion.id}") == few


@pytest.mark.parametrize("path", ["/promotions/?page=99999999999999", "/promotions/cases?page=99999999999999",
                                  "/promotions/plans?page=-5", "/promotions/materials/ledger?page=99999999999999&item=9",
                                  "/promotions/materials/report?from=9999-99-99"])
def test_absurd_paging_and_dates_answer_a_page(org, client, path):
    login(client, "cm_head")
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("values", "message"), [
    ({"spend": "NaN"}, "Enter an amount such as 1280.50"),
    ({"spend": "1e400"}, "Enter an amount of at most"),
    ({"happened_on": "9999-01-01"}, "Enter a date between"),
    ({"activity": ""}, "This field is required"),
])
def test_a_bad_execution_entry_is_a_message(org, customers, client, values, message):
    promotion = submitted(org, customers, budget_yuan=1000)
    decide(promotion, org["cm_head"])
    decide(promotion, org["spec1"])
    login(client, "rep")
    url = f"/promotions/{promotion.id}"
    data = {"happened_on": "2026-03-05", "activity": "会", "spend": "10", **values}
    response = post_form(client, f"{url}/execution", data, page=url, follow_redirects=True)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert promotion.spent_cents == 0


def test_the_dashboard_counts_promotions_by_state(org, customers, client):
    submitted(org, customers, budget_yuan=1000)
    application(org, title="草稿")
    login(client, "cm_head")
    page = client.get("/").get_data(as_text=True)
    widget = page[page.index('id="promotions-widget"'):]
    assert "Under review</a>: 1" in widget and "Filed, in execution</a>: 0" in widget
    login(client, "rep_w")
    page = client.get("/").get_data(as_text=True)
    assert "Under review</a>: 0" in page[page.index('id="promotions-widget"'):]
