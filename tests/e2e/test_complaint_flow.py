"""A serious complaint from the phone call to the archive in a real browser, each role logged in
in turn: the receiver records and acknowledges it (on a 390 px phone), the department manager
assesses it and picks QC and the warehouse, both sign, the marketing manager proposes the
settlement, the general manager approves it, the departments carry it out, the department manager
evaluates, the receiver calls the customer back and the complaint is archived read-only."""
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db
from core.org import Department
from core.testing import make_customer, make_test_app, make_user
from tests.core.work_org import build_org
from tests.e2e.conftest import served

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2].parent / "complaints-shots"
PHONE = {"width": 390, "height": 844}


def login_as(browser, url, username, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def submit(page, form_id):
    page.click(f"#{form_id} button[type=submit]")
    page.wait_for_load_state()


def test_a_serious_complaint_from_intake_to_archive(tmp_path, browser):
    with served(make_test_app("sqlite", tmp_path)) as app:
        with app.app_context():
            people = build_org(locale=None)
            departments = {d.code: d for d in db.session.scalars(select(Department))}
            for name, role, code in (("mm", "marketing_manager", "marketing"), ("keeper", "warehouse_keeper", "warehouse")):
                user = make_user(name, (role,))
                user.department_id = departments[code].id
                departments[code].head_id = user.id
            db.session.commit()
            customer_id = make_customer("河南双力饲料经销部", people["rep"]).id
        url = app.config["LIVE_URL"]

        rep = login_as(browser, url, "rep", PHONE)
        rep.goto(f"{url}/complaints/new?customer={customer_id}")
        rep.select_option("#category", "feeding_result")
        rep.fill("#description", "仔猪吃了教槽料以后拉稀，死了 5 头")
        rep.fill("#customer_request", "赔偿损失")
        shot(rep, "intake-390-zh")
        assert rep.evaluate("document.documentElement.scrollWidth") <= 390
        submit(rep, "intake")
        assert "TS-" in rep.inner_text("h1") and "S1" in rep.inner_text("#severity")
        complaint_url = rep.url
        rep.fill("#ack-text", "已电话安抚客户")
        submit(rep, "step-acknowledge")
        shot(rep, "complaint-390-zh")

        cm = login_as(browser, url, "cm_head")
        cm.goto(complaint_url)
        cm.select_option("#assess-path", "serious")
        submit(cm, "step-assess")

        rep.goto(complaint_url)
        rep.fill("#form-loss", "死亡仔猪 5 头，约 3,000 元")
        rep.fill("#form-claim", "赔偿 3,000 元")
        rep.fill("#form-findings", "料袋批号 20261118-03，有结块")
        rep.fill("#form-cause", "运输淋雨")
        rep.select_option("#form-remedy", "compensation")
        submit(rep, "step-handling_form")

        cm.goto(complaint_url)
        cm.check("input[name='dept-departments'][value='qc']")
        cm.check("input[name='dept-departments'][value='warehouse']")
        cm.fill("#dept-lab_days", "2")
        submit(cm, "step-departments")
        assert "签注" in cm.inner_text("#step")

        for name in ("qc1", "keeper"):
            signer = login_as(browser, url, name)
            signer.goto(complaint_url)
            signer.fill("#decide-comment", "同意")
            signer.click("form[id^=step-decide] button[value=approved]")
            signer.wait_for_load_state()

        mm = login_as(browser, url, "mm")
        mm.goto(complaint_url)
        mm.fill("#settle-amount", "3000")
        mm.select_option("#settle-way", "cash")
        mm.fill("#settle-on", "2026-12-20")
        submit(mm, "step-settlement")

        gm = login_as(browser, url, "gm")
        gm.goto(complaint_url)
        assert "叁仟元整" in gm.inner_text("#settlement-to-approve")
        shot(gm, "settlement-approval-zh")
        gm.click("form[id^=step-decide] button[value=approved]")
        gm.wait_for_load_state()

        for name in ("qc1", "keeper"):
            worker = login_as(browser, url, name)
            worker.goto(complaint_url)
            worker.fill("form[id^=step-implement] textarea", "已完成")
            worker.click("form[id^=step-implement] button[type=submit]")
            worker.wait_for_load_state()

        cm.goto(complaint_url)
        cm.fill("#eval-of_process", "及时")
        cm.fill("#eval-of_plan", "合理")
        cm.fill("#eval-of_result", "客户接受")
        cm.fill("#eval-root_cause", "运输车辆篷布破损")
        cm.fill("#eval-capa", "发货前检查篷布")
        submit(cm, "step-evaluate")

        rep.goto(complaint_url)
        rep.select_option("#call-satisfaction", "satisfied")
        rep.fill("#call-note", "客户满意")
        submit(rep, "step-callback")

        cm.goto(complaint_url)
        submit(cm, "step-archive")
        assert "已关闭并归档" in cm.inner_text("#step")
        assert cm.locator("form.step").count() == 0
        shot(cm, "archived-zh")
