"""A prospect's archive from creation to filing in a real browser: the rep submits, the regional
manager finds the verify task in My work, sends it back and later verifies it, and the
customer-management department takes the filing task from its queue."""
import pytest
from sqlalchemy import select

from core.auth.models import Region
from core.db import db
from core.org import assign_user, department, set_region_manager
from core.testing import make_user

pytestmark = pytest.mark.browser


def session_for(browser, url, username, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def act(page, button, comment=None):
    if comment:
        page.fill("textarea[name=comment]", comment)
    page.click(f"button[name=transition]:has-text('{button}')")
    page.wait_for_load_state()


def decide(page, button, comment=None):
    """On a task's page: a decision button, with a comment."""
    if comment:
        page.fill("textarea[name=comment]", comment)
    page.click(f"button[name=decision]:has-text('{button}')")
    page.wait_for_load_state()


def open_my_work_task(page, url, title):
    page.click("#work-link")
    page.wait_for_url(f"{url}/my-work")
    page.click(f"#my-work .task-title:has-text('{title}')")
    page.wait_for_load_state()


def test_rep_manager_and_department_take_a_prospect_to_the_files(live_app, browser):
    with live_app.app_context():
        make_user("rep", ("rep",), "east")
        rm = make_user("rm", ("regional_manager",), "east")
        spec = make_user("spec", ("specialist",))
        set_region_manager(db.session.scalar(select(Region).where(Region.code == "east")), rm.id)
        assign_user(spec, department("cm").id, None)
        db.session.commit()
    url = live_app.config["LIVE_URL"]

    rep = session_for(browser, url, "rep")
    rep.click("nav.mainnav a[href='/customers/']")
    rep.click("text=新建客户或潜在客户")
    rep.fill("#name", "河南双力饲料经销部")
    rep.select_option("#business_type", "distributor")
    rep.fill("#phone", "0371-6543210")
    rep.click("button:has-text('保存')")
    assert rep.locator("h1").inner_text().startswith("河南双力饲料经销部")
    archive = rep.url
    for n, content in enumerate(("初次拜访，介绍产品", "电话沟通价格", "再次拜访，有意向订货"), start=1):
        rep.click("#contacts >> text=添加")
        rep.select_option("#kind", "visit" if n != 2 else "phone")
        rep.fill("#at", f"2026-11-{10 + n}T09:30")
        rep.fill("#content", content)
        rep.fill("#cost_cents", "50")
        rep.click("button:has-text('保存')")
        assert content in rep.locator("#contacts").inner_text()
    act(rep, "提交核实")
    assert rep.locator("#archive-state").inner_text() == "已提交"
    assert "区域经理实地核实 · Rm" in rep.locator("#archive-waiting").inner_text()
    assert rep.locator("button[name=transition]").count() == 0  # the rep does not verify

    manager = session_for(browser, url, "rm")
    assert "实地核实档案并签字" in manager.locator(".widget", has_text="待办").inner_text()
    open_my_work_task(manager, url, "实地核实档案并签字")
    assert "河南双力饲料经销部" in manager.locator("dl.facts").inner_text()
    decide(manager, "退回", comment="缺少老板电话，请补充")
    assert "已记录：已退回" in manager.content()

    rep.goto(archive)
    assert rep.locator("#archive-state").inner_text() == "已退回"
    assert "缺少老板电话，请补充" in rep.content()
    assert "修改后重新提交" in rep.locator("#archive-waiting").inner_text()
    rep.click("#people >> text=添加")
    rep.fill("#name", "王建国")
    rep.fill("#phone", "13700001111")
    rep.click("button:has-text('保存')")
    act(rep, "提交核实")
    assert rep.locator("#archive-state").inner_text() == "已提交"

    open_my_work_task(manager, url, "实地核实档案并签字")
    assert "第 2 轮" in manager.content()
    decide(manager, "核实签字")
    manager.goto(archive)
    assert manager.locator("#archive-state").inner_text() == "已核实"
    assert manager.locator("button[name=transition]").count() == 0
    assert "客户管理部归档 · 客户管理部" in manager.locator("#archive-waiting").inner_text()

    department_page = session_for(browser, url, "spec")
    department_page.click("#work-link")
    department_page.wait_for_url(f"{url}/my-work")
    assert "归档" in department_page.locator("#my-work .task-title").all_inner_texts()
    department_page.click("#my-work button:has-text('认领')")
    assert "任务已由您认领。" in department_page.content()
    department_page.goto(archive)
    act(department_page, "归档")
    assert department_page.locator("#archive-state").inner_text() == "已归档"
    assert department_page.locator("#archive-waiting").count() == 0
    history = department_page.locator(".timeline").inner_text()
    for who in ("Rep", "Rm", "Spec"):
        assert who in history
    assert department_page.locator(".timeline .event-transition").count() == 5
    assert "核实签字" in history and "档案状态: 已提交 → 已核实" in history
    rounds = department_page.locator(".approvals").inner_text()
    assert "缺少老板电话，请补充" in rounds and "已批准" in rounds
