"""The office in a real browser: the day's phone order record, the receivables list with an overdue
customer, and an order contract attached with its scanned file and downloaded again."""
import pytest

from core.db import db
from core.testing import make_customer, make_user
from plugins.logistics.models import Product, Vehicle
from tests.e2e.test_archive_flow import session_for
from tests.plugins.logistics.credit import credit_order, pay, truck_leaves

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def shipped_on_credit(live_app):
    with live_app.app_context():
        rep = make_user("rep", ("rep",), "east")
        world = {"coordinator": make_user("office", ("coordinator",)), "keeper": make_user("keeper", ("warehouse_keeper",)),
                 "weigher": make_user("weigher", ("weigher",))}
        world["customer"] = make_customer("河南双力饲料经销部", rep, address="郑州市金水路1号")
        world["feed"] = Product(code="P551", name="育肥猪配合饲料", bag_weight_kg=40, price_cents_per_tonne=326000)
        world["truck"] = Vehicle(plate="豫A·12345", capacity_kg=30000, last_tare_kg=15200)
        db.session.add_all([world["feed"], world["truck"]])
        db.session.commit()
        order = credit_order(world)
        truck_leaves(world, order, 250, days_ago=45)
        pay(world, order, 10000)
        return order.id, order.number


def test_the_office_reads_the_days_calls_the_overdue_customer_and_files_the_contract(live_app, browser, tmp_path):
    order_id, number = shipped_on_credit(live_app)
    url = live_app.config["LIVE_URL"]
    page = session_for(browser, url, "office")
    page.goto(f"{url}/logistics/")
    page.click("nav.subnav a:has-text('电话订货记录')")
    assert number in page.locator("#ledger").inner_text()  # ordered today

    page.click("nav.subnav a:has-text('货款跟踪')")
    row = page.locator("#receivables tbody tr").first
    assert "河南双力饲料经销部" in row.inner_text() and "¥22,600.00" in row.inner_text()
    cells = row.locator("td")
    assert cells.nth(2).inner_text() == cells.nth(4).inner_text() == "¥22,600.00"  # owed, all 31–60 days

    page.goto(f"{url}/logistics/orders/{order_id}")
    page.click("#contracts a:has-text('添加订货合同')")
    page.fill("input[name=number]", "DH-2026-015")
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("input[name=upload]", str(scan))
    page.click("section.card form button[type=submit]")
    page.wait_for_url(f"{url}/logistics/orders/{order_id}#contracts")
    contracts = page.locator("#contracts").inner_text()
    assert "DH-2026-015" in contracts and "合同.pdf" in contracts
    with page.expect_download() as download:
        page.click("#contracts a:has-text('合同.pdf')")
    assert download.value.suggested_filename == "合同.pdf"
