"""An overloaded truck on the scale in a real browser: the weigher asks for an override with a reason,
the manager refuses it from My work, the weigher asks again with the kept weight, the manager
approves on the phone, and the station lets the truck go on to its gate pass.

With GUANXI_SCREENSHOTS=<folder> each state is photographed in Chinese and English."""
import os

import pytest

from core.db import db
from core.testing import make_customer, make_user
from plugins.logistics.models import Product, Vehicle
from plugins.logistics.services import issue_pass, load, take_gross, take_tare
from tests.e2e.test_archive_flow import session_for
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
REASON = "司机称多装了几袋，客户同意按实际重量结算"


def shoot(page, name):
    """Photograph the page in Chinese and in English (then back to Chinese)."""
    folder = os.environ.get("GUANXI_SCREENSHOTS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"{name}-zh.png"), full_page=True)
    with page.expect_navigation():
        page.select_option("select[name=locale]", "en")
    page.screenshot(path=os.path.join(folder, f"{name}-en.png"), full_page=True)
    with page.expect_navigation():
        page.select_option("select[name=locale]", "zh_CN")


def the_yard(live_app):
    """A loaded truck to weigh, and trucks in the other states around it."""
    with live_app.app_context():
        rep = make_user("rep", ("rep",), "east")
        world = {"coordinator": make_user("office", ("coordinator",)), "keeper": make_user("keeper", ("warehouse_keeper",)),
                 "weigher": make_user("weigher", ("weigher",))}
        make_user("manager", ("cm_manager",))
        world["customer"] = make_customer("河南双力饲料经销部", rep, address="郑州市金水路1号")
        world["feed"] = Product(code="P551", name="育肥猪配合饲料", bag_weight_kg=40, price_cents_per_tonne=326000)
        trucks = [Vehicle(plate=plate, capacity_kg=30000, last_tare_kg=15200)
                  for plate in ("豫A·12345", "豫B·67890", "豫C·24680", "豫D·13579")]
        db.session.add_all([world["feed"], *trucks])
        db.session.commit()
        trips = []
        for truck in trucks:
            order = new_order(world)
            ready_to_load(world, order)
            trips.append(take_tare(order, truck, 15200, world["weigher"], manual=True))
        load(trips[0], 625, world["keeper"])  # the overloaded one
        load(trips[2], 625, world["keeper"])
        take_gross(trips[2], 40540, world["weigher"], manual=True)
        load(trips[3], 625, world["keeper"])
        take_gross(trips[3], 40560, world["weigher"], manual=True)
        issue_pass(trips[3], world["coordinator"])
        db.session.commit()
        return trips[0].number


def row(page, number):
    return page.locator(f"#yard tr[data-trip='{number}']")


def test_an_override_refused_then_approved_from_my_work(live_app, browser):
    number = the_yard(live_app)
    url = live_app.config["LIVE_URL"]
    weigher = session_for(browser, url, "weigher")
    weigher.goto(f"{url}/logistics/station")
    truck = row(weigher, number)
    truck.locator("input[name=weight]").fill("41540")
    truck.locator("input[name=reason]").fill(REASON)
    truck.locator("button:has-text('重车过磅')").click()
    weigher.wait_for_load_state()
    assert "41540 kg 已保留" in weigher.content()
    assert "等待" in row(weigher, number).inner_text() and "批准放行" in row(weigher, number).inner_text()
    shoot(weigher, "station-waiting")
    keeper = session_for(browser, url, "keeper")
    keeper.goto(f"{url}/logistics/station")
    waiting = row(keeper, number).inner_text()
    assert "等待" in waiting and "撤回" not in waiting  # the keeper sees whom the truck waits for
    shoot(keeper, "station-keeper-waiting")

    manager = session_for(browser, url, "manager")
    manager.goto(f"{url}/my-work")
    assert "过磅超差放行待审批" in manager.content()
    shoot(manager, "my-work")
    manager.click("text=过磅超差放行待审批")
    manager.click(f"a:has-text('{number}')")  # the record: the request's page
    assert "26340 kg" in manager.content() and REASON in manager.content()
    shoot(manager, "override-request")
    manager.click("button:has-text('驳回')")  # without a comment: refused, nothing decided
    assert "需要填写意见" in manager.content()
    manager.goto(f"{url}/my-work")
    manager.click("text=过磅超差放行待审批")
    manager.fill("textarea[name=comment]", "超出2%，请卸下多装的袋数后重新过磅")
    manager.click("button:has-text('驳回')")
    assert "已驳回" in manager.content() or "驳回" in manager.content()

    weigher.goto(f"{url}/logistics/station")
    refused = row(weigher, number).inner_text()
    assert "驳回了超差放行" in refused and "请卸下多装的袋数" in refused
    assert row(weigher, number).locator("input[name=reason]").input_value() == REASON  # the reason kept
    shoot(weigher, "station-refused")
    row(weigher, number).locator("textarea[name=reason]").fill(REASON + "；客户已签字确认")
    row(weigher, number).locator("button:has-text('以41540 kg重新申请')").click()
    weigher.wait_for_load_state()
    assert "等待" in row(weigher, number).inner_text()
    row(weigher, number).locator("button:has-text('撤回申请以重新过磅')").click()  # the driver disputes it
    weigher.wait_for_load_state()
    assert "已撤回" in row(weigher, number).inner_text()
    shoot(weigher, "station-withdrawn")
    row(weigher, number).locator("button:has-text('以41540 kg重新申请')").click()  # the driver agrees again
    weigher.wait_for_load_state()
    assert "等待" in row(weigher, number).inner_text()

    phone = session_for(browser, url, "manager", viewport=PHONE)
    phone.goto(f"{url}/my-work")
    shoot(phone, "my-work-phone")
    phone.click("text=过磅超差放行待审批")
    phone.click(f"a:has-text('{number}')")
    shoot(phone, "override-request-phone")
    phone.click("button:has-text('批准放行')")
    assert "已批准" in phone.locator("#override-state").inner_text()

    weigher.goto(f"{url}/logistics/station")
    approved = row(weigher, number).inner_text()
    assert "已批准超差放行" in approved and "开出门证" in approved
    shoot(weigher, "station-approved")
