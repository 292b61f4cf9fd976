"""My work in a real browser: a phone-sized screen, overdue first, taking a queue's task."""
from datetime import timedelta

import pytest

from core.db import utcnow
from core.events import commit
from core.i18n import N_
from core.tasks import Queue, create_task
from core.testing import make_customer
from tests.core.work_org import build_org

pytestmark = pytest.mark.browser


def test_my_work_on_a_phone_and_taking_a_queue_task(live_app, browser):
    with live_app.app_context():
        org = build_org(locale=None)
        customer = make_customer("河南双力饲料经销部", org["spec1"])
        create_task(customer, "follow_up", N_("Planned phone call"), assignee=org["spec1"], budget_minutes=600)
        create_task(customer, "follow_up", N_("Visit and record the customer's opinions"), assignee=org["spec1"],
                    budget_minutes=60, start=utcnow() - timedelta(hours=3))
        create_task(customer, "follow_up", N_("Check the archive's contact details"),
                    queue=Queue.role("specialist"), budget_minutes=1440)
        commit()
    url = live_app.config["LIVE_URL"]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{url}/login")
    page.fill("#username", "spec1")
    page.fill("#password", "secret-pass")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    assert page.locator("section.widget h2").first.inner_text() == "待办"
    assert page.locator("#work-count").inner_text() == "3"
    assert "1" in page.locator("#overdue-count").inner_text()
    page.click("#work-link")
    page.wait_for_url(f"{url}/my-work")
    titles = page.locator("#my-work .task-title").all_inner_texts()
    assert titles[0] == "走访并记录客户意见"  # overdue first
    assert page.locator("#my-work .task.overdue").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"My work is {width}px wide on a 390px phone"
    page.click("button:has-text('认领')")
    assert "任务已由您认领。" in page.content()
    assert page.locator("button:has-text('认领')").count() == 0
