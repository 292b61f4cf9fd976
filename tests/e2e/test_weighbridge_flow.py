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


def people_and_products(live_app):
    with live_app.app_context():
        rep = make_user("rep", ("rep",), "east")
        for name, role in (("office", "coordinator"), ("keeper", "warehouse_keeper"), ("weigher", "weigher"),
                           ("manager", "cm_manager")):
            make_user(name, (role,))
        make_customer("河南双力饲料经销部", rep, address="郑州市金水路1号")
        db.session.add(Product(code="P551", name="育肥猪配合饲料", bag_weight_kg=40, price_cents_per_tonne=326000))
        db.session.add(Product(code="P301", name="乳猪教槽料", bag_weight_kg=25, price_cents_per_tonne=520000))
        db.session.commit()


def pass_token(live_app):
    """What the gate's scanner reads from the printed QR code."""
    from sqlalchemy import select

    from plugins.logistics.models import Trip

    with live_app.app_context():
        return db.session.scalar(select(Trip.pass_token).where(Trip.pass_token.is_not(None)))


def ship_in_the_browser(live_app, browser, sim, lines, loads, gross, net_text, capitals):
    """Order ``lines`` (product label, field, value) by phone, take it through payment and invoicing,
    weigh, load ``loads`` (product name → bags, batch), weigh again, issue the pass, let it out."""
    people_and_products(live_app)
    url = live_app.config["LIVE_URL"]
    office = session_for(browser, url, "office")
    office.goto(f"{url}/logistics/orders/new")
    office.fill("input[name=q]", "hnsl")
    office.click("text=查找客户")
    office.click("text=河南双力饲料经销部")
    office.fill("#ordered_by", "王老板")
    for index, (label, field, value) in enumerate(lines):
        office.select_option(f"#lines-{index}-product_id", label=label)
        office.fill(f"#lines-{index}-{field}", value)
    office.click("text=记录订单")
    assert capitals in office.locator("#capitals").inner_text()
    order_url = office.url
    assert "等待评审" in office.locator("#review").inner_text()
    manager = session_for(browser, url, "manager")  # four eyes: the office's own order
    manager.goto(order_url)
    manager.click("text=去评审")
    manager.click("button[name=decision][value=approved]")
    office.goto(order_url)
    assert office.locator("#order-state").inner_text().startswith("客户资料已确认")
    office.fill("#reason", "养殖场断料")
    office.click("button:has-text('设为急单')")
    assert "养殖场断料" in office.locator("#rush-reason").inner_text()
    click_transition(office, "安排生产")
    total = office.locator("#balance").inner_text().replace("¥", "").replace(",", "")
    office.fill("#amount", "1")
    office.click("button:has-text('登记收款')")
    assert office.locator("#order-state").inner_text().startswith("已排产")  # ¥1 confirms nothing
    office.fill("#amount", f"{float(total) - 1:.2f}")
    office.click("button:has-text('登记收款')")
    assert office.locator("#order-state").inner_text().startswith("回款已确认")
    keeper = session_for(browser, url, "keeper")
    keeper.goto(order_url)
    for row in keeper.locator("#stock-up tbody tr").all():  # every bag of every line is ready
        row.locator("input[name^=ready-]").fill(row.locator("td").nth(1).inner_text())
    keeper.click("button:has-text('登记备货')")
    assert "已备齐" in keeper.locator("#readiness").inner_text()
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
    for product, (bags, batch) in loads.items():
        keeper.fill(f"input[aria-label='装车袋数 {product}']", str(bags))
        keeper.fill(f"input[aria-label='生产批号 {product}']", batch)
    keeper.click("button:has-text('已装车')")
    weigher.goto(f"{url}/logistics/station")
    capture(weigher, sim, gross)
    weigher.click("button:has-text('重车过磅')")
    assert net_text in weigher.content()
    weigher.click("button:has-text('开出门证')")
    pass_number = weigher.locator("#yard .pass-number").inner_text()
    assert pass_number.startswith("CM-")

    weigher.goto(f"{url}/logistics/gate")
    weigher.fill("#code", pass_number)  # the typed number alone does not open the gate
    weigher.click("button:has-text('核对并放行')")
    assert "二维码" in weigher.locator("#gate-result").inner_text()
    token = pass_token(live_app)
    weigher.fill("#code", token)
    weigher.click("button:has-text('核对并放行')")
    result = weigher.locator("#gate-result").inner_text()
    assert "已放行" in result
    weigher.fill("#code", token)
    weigher.click("button:has-text('核对并放行')")
    assert "使用过" in weigher.locator("#gate-result").inner_text()

    office.goto(order_url)
    assert office.locator("#order-state").inner_text().startswith("已出厂")
    assert "当天" in office.locator("#delivery-class").inner_text()
    office.click("#arrival-form button")
    assert office.locator("#order-state").inner_text().startswith("已到货")
    assert "客户于" in office.locator("#arrival").inner_text()
    return office, result


def test_phone_order_to_used_gate_pass_with_the_simulator(live_app, browser, sim):
    office, _ = ship_in_the_browser(live_app, browser, sim, [("P551 育肥猪配合饲料", "tonnes", "25")],
                                    {"育肥猪配合饲料": (625, "20261123-01")}, 40540, "净重 25340 公斤",
                                    "人民币捌万壹仟伍佰元整")
    tickets = office.locator("#trips").inner_text()
    assert "15200" in tickets and "40540" in tickets and "手工" not in tickets


def test_a_two_product_truck_from_the_phone_call_to_the_gate(live_app, browser, sim):
    """Found 2: 250 bags of 40 kg and 200 bags of 25 kg are 15 000 kg; the right gross passes."""
    office, result = ship_in_the_browser(
        live_app, browser, sim, [("P551 育肥猪配合饲料", "bags", "250"), ("P301 乳猪教槽料", "bags", "200")],
        {"育肥猪配合饲料": (250, "20261123-01"), "乳猪教槽料": (200, "20261122-07")}, 30180, "净重 14980 公斤",
        "人民币伍万捌仟陆佰元整")
    assert "育肥猪配合饲料: 250 袋 · 10000 kg" in result and "乳猪教槽料: 200 袋 · 5000 kg" in result
    lines = office.locator("#lines").inner_text()
    assert "20261123-01" in lines and "20261122-07" in lines
