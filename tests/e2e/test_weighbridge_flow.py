"""A phone order goes through to a used gate pass in a real browser; the indicator simulator feeds the
weighbridge station page, and the weigher takes each weight with one click."""
import pytest

from core.db import db
from core.testing import make_customer, make_test_app, make_user
from plugins.logistics.indicator.simulator import Simulator
from plugins.logistics.models import Product
from tests.e2e.conftest import served
from tests.e2e.test_archive_flow import session_for

pytestmark = pytest.mark.browser


def click_transition(page, label):
    page.click(f"button[name=transition]:has-text('{label}')")
    page.wait_for_load_state()


def capture(page, sim, weight):
    from playwright.sync_api import expect

    sim.weight = weight
    # a locator wait, not wait_for_function: the page's Content-Security-Policy forbids evaluating strings
    expect(page.locator("#captured")).to_have_text(str(weight), timeout=15000)
    page.click("#use-capture")


@pytest.fixture
def sim():
    simulator = Simulator(protocol="yaohua", rate=20, settle=0.5).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def live_app(tmp_path, sim):
    """The station reads the simulator as a networked indicator, configured as a deployment setting."""
    stations = {"main": {"url": f"socket://127.0.0.1:{sim.port}", "protocol": "yaohua"}}
    with served(make_test_app("sqlite", tmp_path, GUANXI_LOGISTICS_STATIONS=stations)) as app:
        yield app


def test_phone_order_to_used_gate_pass_with_the_simulator(live_app, browser, sim):
    with live_app.app_context():
        rep = make_user("rep", ("rep",), "east")
        for name, role in (("office", "coordinator"), ("keeper", "warehouse_keeper"), ("weigher", "weigher")):
            make_user(name, (role,))
        make_customer("河南双力饲料经销部", rep, address="郑州市金水路1号")
        db.session.add(Product(code="P551", name="育肥猪配合饲料", bag_weight_kg=40, price_cents_per_tonne=326000))
        db.session.commit()
    url = live_app.config["LIVE_URL"]
    office = session_for(browser, url, "office")
    office.goto(f"{url}/logistics/orders/new")
    office.fill("input[name=q]", "hnsl")
    office.click("text=查找客户")
    office.click("text=河南双力饲料经销部")
    office.fill("#ordered_by", "王老板")
    office.select_option("#lines-0-product_id", label="P551 育肥猪配合饲料")
    office.fill("#lines-0-tonnes", "25")
    office.click("text=记录订单")
    assert "人民币捌万壹仟伍佰元整" in office.locator("#capitals").inner_text()
    order_url = office.url
    click_transition(office, "确认客户资料")
    click_transition(office, "安排生产")
    office.fill("#amount", "81500")
    office.click("button:has-text('回款确认')")
    keeper = session_for(browser, url, "keeper")
    keeper.goto(order_url)
    click_transition(keeper, "确认订货品种")
    office.goto(order_url)
    office.fill("#invoice_number", "FP-0088")
    office.click("button:has-text('已开票')")
    assert office.locator("#order-state").inner_text().startswith("已开票")

    weigher = session_for(browser, url, "weigher")
    weigher.goto(f"{url}/logistics/station")
    weigher.fill("#plate", "豫A·12345")
    capture(weigher, sim, 15200)
    weigher.click("text=空车过磅 >> nth=-1")
    assert "空车：15200 公斤" in weigher.content()
    sim.weight = 0  # the truck drives off the scale to be loaded
    keeper.goto(f"{url}/logistics/station")
    keeper.fill("input[name=bags]", "625")
    keeper.click("button:has-text('已装车')")
    weigher.goto(f"{url}/logistics/station")
    capture(weigher, sim, 40540)
    weigher.click("button:has-text('重车过磅')")
    assert "净重 25340 公斤" in weigher.content()
    weigher.click("button:has-text('开出门证')")
    pass_number = weigher.locator("#yard strong").inner_text()
    assert pass_number.startswith("CM-")

    weigher.goto(f"{url}/logistics/gate")
    weigher.fill("#code", pass_number)
    weigher.click("button:has-text('核对并放行')")
    assert "已放行" in weigher.locator("#gate-result").inner_text()
    weigher.fill("#code", pass_number)
    weigher.click("button:has-text('核对并放行')")
    assert "使用过" in weigher.locator("#gate-result").inner_text()

    office.goto(order_url)
    assert office.locator("#order-state").inner_text().startswith("已出厂")
    tickets = office.locator("#trips").inner_text()
    assert "15200" in tickets and "40540" in tickets and "手工" not in tickets
