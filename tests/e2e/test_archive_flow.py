"""A prospect's archive from creation to filing, each step by a different person in a real browser."""
import pytest

from core.testing import make_user

pytestmark = pytest.mark.browser


def session_for(browser, url, username):
    context = browser.new_context()
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


def test_rep_manager_and_department_take_a_prospect_to_the_files(live_app, browser):
    with live_app.app_context():
        make_user("rep", ("rep",), "east")
        make_user("rm", ("regional_manager",), "east")
        make_user("spec", ("specialist",))
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

    manager = session_for(browser, url, "rm")
    assert "核实签字 (已提交): 1" in manager.locator(".widget", has_text="待您处理的档案").inner_text()
    manager.goto(archive)
    act(manager, "退回", comment="缺少老板电话，请补充")
    assert manager.locator("#archive-state").inner_text() == "已退回"

    rep.goto(archive)
    assert "缺少老板电话，请补充" in rep.content()
    rep.click("#people >> text=添加")
    rep.fill("#name", "王建国")
    rep.fill("#phone", "13700001111")
    rep.click("button:has-text('保存')")
    act(rep, "提交核实")
    assert rep.locator("#archive-state").inner_text() == "已提交"

    manager.goto(archive)
    act(manager, "核实签字")
    assert manager.locator("#archive-state").inner_text() == "已核实"
    assert manager.locator("button[name=transition]").count() == 0

    department = session_for(browser, url, "spec")
    department.goto(archive)
    act(department, "归档")
    assert department.locator("#archive-state").inner_text() == "已归档"
    history = department.locator(".timeline").inner_text()
    for who in ("Rep", "Rm", "Spec"):
        assert who in history
    assert department.locator(".timeline .event-transition").count() == 5
    assert "核实签字" in history and "档案状态: 已提交 → 已核实" in history
