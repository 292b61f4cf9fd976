"""A person logs in, switches the language, and sees the dashboard — in a real browser."""
import pytest

from core.testing import make_user

pytestmark = pytest.mark.browser


def test_login_switch_language_and_dashboard(live_app, browser):
    with live_app.app_context():
        make_user("rm_east", ("regional_manager",), "east")
    url = live_app.config["LIVE_URL"]
    page = browser.new_page()
    page.goto(f"{url}/")
    assert page.url.endswith("/login?next=%2F")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#username", "rm_east")
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.content()
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    assert page.locator("h1").inner_text() == "工作台"
    assert page.locator("nav.mainnav").get_by_text("客户").first.is_visible()
    with page.expect_navigation():
        page.select_option("select[name=locale]", "en")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator("nav.mainnav a", has_text="Customers").is_visible()
    assert page.locator("section.widget h2").first.inner_text() == "My work"
    page.click("nav.mainnav a:has-text('Customers')")
    assert page.locator("h1").inner_text() == "Customers"
    page.click("button:has-text('Log out')")
    assert page.locator("h1").inner_text() == "Log in"


def test_pages_fit_a_phone_screen(live_app, browser):
    with live_app.app_context():
        make_user("rep", ("rep",), "east")
    url = live_app.config["LIVE_URL"]
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(f"{url}/login")
    page.fill("#username", "rep")
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px phone"
    assert page.locator("nav.mainnav a[href='/customers/']").is_visible()
