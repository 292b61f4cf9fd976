"""An administrator keeps the working calendar in a real browser: fill a year from the library,
add a company day off, remove it after confirming."""
import pytest
from sqlalchemy import func, select

from core.calendar import CalendarDay, library_days
from core.db import db
from core.testing import make_user

pytestmark = pytest.mark.browser


def test_an_administrator_fills_adds_and_removes_days(live_app, browser):
    with live_app.app_context():
        make_user("admin", ("admin",))
    url = live_app.config["LIVE_URL"]
    page = browser.new_context().new_page()
    page.goto(f"{url}/login")
    page.fill("#username", "admin")
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")

    page.click("nav.mainnav a[href='/admin/calendar']")
    page.goto(f"{url}/admin/calendar?year=2026")
    assert "2026 年尚未录入法定节假日" in page.inner_text("main")
    page.click("button:has-text('从节假日库填入 2026 年')")
    page.wait_for_load_state()
    assert "国庆节调休上班" in page.inner_text("table.calendar-days")
    assert page.inner_text(".working-days") == "248"

    page.fill("#day", "2026-11-24")
    page.select_option("#kind", "holiday")
    page.fill("#name", "厂庆")
    page.click("#add button[type=submit]")
    page.wait_for_load_state()
    assert "已添加 2026-11-24：厂庆。" in page.inner_text(".flash")
    assert page.inner_text(".working-days") == "247"

    page.click("tr[data-day='2026-11-24'] a:has-text('删除')")
    assert "从工作日历中删除 2026-11-24" in page.inner_text("h1")
    page.click("button:has-text('删除')")
    page.wait_for_load_state()
    assert page.locator("tr[data-day='2026-11-24']").count() == 0
    with live_app.app_context():
        assert db.session.scalar(select(func.count(CalendarDay.id))) == len(library_days(2026))
