"""A promotion in a real browser from application to evaluation: a rep applies for 20 000 yuan, the
customer-management department manager, the marketing manager and the general manager each approve
it from My work under their own login, the department files it, the rep logs the execution with a
photo and assesses the completion, and the department writes the evaluation and shares it as a
success case."""
import pytest
from sqlalchemy import select

from core.auth.models import Region
from core.db import db
from core.org import assign_user, department, set_region_manager
from core.testing import make_customer, make_user
from tests.e2e.test_archive_flow import session_for

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def approve_from_my_work(page, url, title):
    page.click("#work-link")
    page.wait_for_url(f"{url}/my-work")
    page.click(f"#my-work .task-title:has-text('{title}')")
    page.wait_for_load_state()
    page.click("button[name=decision][value=approved]")
    page.wait_for_load_state()


def test_an_application_through_three_approvals_then_execution_and_evaluation(live_app, browser, tmp_path):
    with live_app.app_context():
        rep = make_user("rep", ("rep",), "east")
        rm = make_user("rm", ("regional_manager",), "east")
        heads = {code: make_user(name, (role,)) for code, name, role in (
            ("cm", "cm_head", "cm_manager"), ("marketing", "mk_head", "marketing_manager"),
            ("gm_office", "gm", "general_manager"))}
        spec = make_user("spec", ("specialist",))
        for code, head in heads.items():
            department(code).head_id = head.id
            assign_user(head, department(code).id, None)
        assign_user(spec, department("cm").id, None)
        set_region_manager(db.session.scalar(select(Region).where(Region.code == "east")), rm.id)
        db.session.commit()
        for code in ("E001", "E002"):
            make_customer(f"客户{code}", rep, code=code, size_class="A")
    url = live_app.config["LIVE_URL"]

    applicant = session_for(browser, url, "rep")
    applicant.click("nav.mainnav a[href='/promotions/']")
    applicant.click("nav.subnav >> text=新申请")
    applicant.fill("#title", "春季育肥料买十送一")
    applicant.fill("#period_start", "2026-03-01")
    applicant.fill("#period_end", "2026-03-31")
    applicant.fill("#target_codes", "E001\nE002")
    applicant.fill("#situation_before", "育肥料销量连续下滑")
    applicant.fill("#purpose", "稳住老客户")
    applicant.fill("#target_tonnes", "120")
    applicant.fill("#plan", "订货满十吨送一吨")
    applicant.fill("#budget", "20000")
    applicant.click("button:has-text('保存')")
    assert applicant.locator("#promotion-state").inner_text() == "草稿"
    promotion = applicant.url
    applicant.click("button:has-text('提交审批')")
    assert applicant.locator("#promotion-state").inner_text() == "审批中"
    assert "客户管理部经理 — Cm_Head" in applicant.locator("#waiting-for").inner_text()

    for name, step in (("cm_head", "营销部经理"), ("mk_head", "总经理"), ("gm", "客户管理部备案")):
        reviewer = session_for(browser, url, name)
        approve_from_my_work(reviewer, url, "审批")
        applicant.goto(promotion)
        assert step in applicant.locator("#waiting-for").inner_text()  # the applicant sees every step
    assert applicant.locator("#promotion-state").inner_text() == "已批准，待备案"

    filer = session_for(browser, url, "spec")
    filer.click("#work-link")
    filer.click("#my-work .task-title:has-text('促销备案并通知相关人员')")
    filer.wait_for_load_state()
    filer.click("button[name=decision][value=approved]")
    filer.wait_for_load_state()

    applicant.goto(promotion)
    assert applicant.locator("#promotion-state").inner_text() == "已备案，实施中"
    assert applicant.locator(".signatures tbody tr").count() == 4
    photo = tmp_path / "会场.png"
    photo.write_bytes(PNG)
    applicant.fill("#happened_on", "2026-03-05")
    applicant.fill("#activity", "召开技术交流会")
    applicant.fill("#spend", "3500")
    applicant.set_input_files("#photos", str(photo))
    applicant.click("button:has-text('记录')")
    assert "会场.png" in applicant.locator("#execution-log").inner_text()
    assert "¥3,500.00" in applicant.locator("#spent").inner_text()
    applicant.select_option("#rating", "achieved")
    applicant.fill("#note", "目标基本达成")
    applicant.click("button:has-text('考核完成情况')")
    assert applicant.locator("#promotion-state").inner_text() == "已完成，待评估"

    filer.goto(promotion)
    filer.click("a:has-text('效果评估')")
    assert "对照组" in filer.locator("#figures").inner_text()
    filer.fill("#execution_summary", "按计划完成")
    filer.fill("#achievement_summary", "销量回升")
    filer.check("#success_case")
    filer.fill("#case_summary", "满额赠送对老客户有效")
    filer.click("button:has-text('保存评估')")
    assert "评估已保存。" in filer.content()
    filer.click("nav.subnav >> text=成功案例")
    assert "满额赠送对老客户有效" in filer.locator(".case").inner_text()
