"""Tiering in a real browser, on imported sales (logistics disabled): a manager recomputes the grades
with the progress page, opens a key customer and reads why it is key; a rep finds the due call in
My work on a phone. Screenshots of every tiering page in zh-CN and English go to SHOTS when set."""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.db import db
from core.events import commit
from core.testing import make_customer, make_test_app, make_user
from tests.e2e.conftest import served

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("GUANXI_SHOTS", "/tmp/guanxi-shots"))


@pytest.fixture
def tiering_app(tmp_path):
    with served(make_test_app("sqlite", tmp_path, plugins=["tiering"])) as app:
        yield app


def company(app):
    from core.org import Department
    from core.settings import save_company_setting
    from plugins.tiering.models import MonthlySale
    from tests.plugins.tiering.conftest import month_start

    with app.app_context():
        head = make_user("cm_head", ("cm_manager",))
        make_user("cm_en", ("cm_manager",)).locale = "en"
        rep = make_user("rep_east", ("rep",), region="east")
        db.session.query(Department).filter_by(code="cm").one().head_id = head.id
        for i in range(24):
            customer = make_customer(f"豫东{i:02d}饲料经销部", rep, is_prospect=False,
                                     first_order_date=date.today() - timedelta(days=700))
            for ago in range(1, 13):
                db.session.add(MonthlySale(customer_id=customer.id, month=month_start(ago),
                                           shipped_kg=(200 - 5 * i) * 1000, amount_cents=(200 - 5 * i) * 310_000,
                                           orders=4))
        save_company_setting("tiering.call_lead_days", "31")  # every call of this month is in the rep's work
        commit()


def login(page, url, username):
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_manager_recomputes_and_reads_why_a_customer_is_key_and_a_rep_sees_the_due_call(tiering_app, browser):
    company(tiering_app)
    url = tiering_app.config["LIVE_URL"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, url, "cm_head")
    page.goto(f"{url}/tiering/")
    page.click("#tiering-recompute")
    page.wait_for_selector("#job-run[data-state=done]")
    assert "已分级 24 个客户" in page.content()
    shot(page, "zh-job-done")
    page.goto(f"{url}/tiering/")
    assert page.locator("#chart-grades svg").count() == 1
    shot(page, "zh-overview")
    page.goto(f"{url}/customers/?tiering_grade=key")
    shot(page, "zh-list-key")
    page.click("text=豫东06饲料经销部")
    reasons = page.locator("#tiering-reasons").inner_text()
    assert "重点：按近 12 个月发货吨数在 24 个客户中排第 7 名（2,040 吨）；前 20 名为重点客户。" in reasons
    page.locator("#tiering-panel").scroll_into_view_if_needed()
    shot(page, "zh-customer-key")
    page.goto(f"{url}/tiering/contact-plan")
    shot(page, "zh-contact-plan")
    page.goto(f"{url}/tiering/sales")
    shot(page, "zh-sales-import")
    bad = SHOTS / "bad-sales.csv"
    SHOTS.mkdir(parents=True, exist_ok=True)
    bad.write_text("客户编号,月份,发货吨数,金额（元）,订单数\nC000001,2026-01,10,30000,1\nC999999,2026-13,x,1,1\n",
                   encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button[type=submit].primary")
    assert "2 行中有 1 行有错误" in page.content()
    shot(page, "zh-sales-preview-errors")
    bad.unlink()
    page.goto(f"{url}/tiering/runs/1")
    shot(page, "zh-run")

    with tiering_app.app_context():
        from plugins.tiering.contact_plan import sync_call_tasks

        created, _completed = sync_call_tasks()
        commit()
    assert created == 24  # the hourly job: each customer's next planned call is due this month
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    login(phone, url, "rep_east")
    phone.goto(f"{url}/my-work")
    titles = phone.locator("#my-work .task-title").all_inner_texts()
    assert "计划致电 豫东00饲料经销部" in titles
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "zh-rep-my-work-390")
    phone.goto(f"{url}/customers/{1}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "zh-rep-customer-390")
    phone.click("text=+ 营销方案")
    phone.fill("#title", "2027 年增量方案")
    phone.fill("#period", "2027")
    phone.fill("#goals", "年销量提高 15%")
    phone.fill("#actions", "每季度技术服务一次")
    phone.fill("#budget_cents", "20000")
    phone.click("button[type=submit].primary")
    assert phone.locator("#plan-state").inner_text() == "草稿"
    phone.click("#plan-submit")
    assert phone.locator("#plan-state").inner_text() == "审核中"
    shot(phone, "zh-rep-plan-390")
    phone.goto(f"{url}/tiering/customers/1/evaluations/new")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "zh-rep-evaluation-390")

    english = browser.new_page(viewport={"width": 1280, "height": 900})
    login(english, url, "cm_en")
    english.goto(f"{url}/customers/7")
    assert "Key: rank 7 of 24 by shipped tonnes over the last 12 months (2,040 t)" in \
        english.locator("#tiering-reasons").inner_text()
    shot(english, "en-customer-key")
    english.goto(f"{url}/tiering/")
    shot(english, "en-overview")
    english.goto(f"{url}/tiering/contact-plan")
    shot(english, "en-contact-plan")
    with tiering_app.app_context():
        from core.auth.models import User

        db.session.query(User).filter_by(username="rep_east").one().locale = "en"
        db.session.commit()
    english_phone = browser.new_page(viewport={"width": 390, "height": 844})
    login(english_phone, url, "rep_east")
    english_phone.goto(f"{url}/tiering/")
    shot(english_phone, "en-rep-overview-390")
    english_phone.goto(f"{url}/my-work")
    assert "Planned call to 豫东00饲料经销部" in english_phone.locator("#my-work").inner_text()
    shot(english_phone, "en-rep-my-work-390")
    english_phone.goto(f"{url}/tiering/plans/1")
    shot(english_phone, "en-rep-plan-390")
    english_phone.goto(f"{url}/customers/1")
    shot(english_phone, "en-rep-customer-390")
