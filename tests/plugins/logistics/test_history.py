"""An order's history reads in the user's language: yuan, kg, names, state labels, local times."""
import datetime as dt
import re

import pytest

from core.audit import acting_as
from core.db import db
from core.testing import login
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.services import take_tare
from tests.core.test_history import AT, history_html, history_text
from tests.plugins.logistics.test_order_flow import new_order

RAW = ("payment_cents", "payment_method", "created_by", "user_id", "tare_kg", "arrived_at", "8150000", "15200")


@pytest.fixture
def paid_order(world, monkeypatch):
    """An order paid ¥81,500.00 by transfer, on the weighbridge with a 15,200 kg tare, all at 20:30 UTC."""
    monkeypatch.setattr("core.audit.utcnow", lambda: AT)
    coordinator = world["coordinator"]
    with acting_as(coordinator.id):
        order = new_order(world)
        ORDER_FLOW.apply(order, "confirm_data", coordinator)
        ORDER_FLOW.apply(order, "schedule", coordinator)
        order.payment_cents, order.payment_method = 8150000, "transfer"
        ORDER_FLOW.apply(order, "confirm_payment", coordinator)
        ORDER_FLOW.apply(order, "confirm_products", world["keeper"])
        order.invoice_number = "FP-0001"
        ORDER_FLOW.apply(order, "invoice", coordinator)
        db.session.commit()
    with acting_as(world["weigher"].id):
        take_tare(order, world["truck"], 15200, world["weigher"])
        db.session.commit()
    with acting_as(coordinator.id):
        order.arrived_at = dt.datetime(2026, 11, 25, 20, 30)
        db.session.commit()
    return order


def test_order_history_reads_in_chinese(app, world, paid_order):
    client = app.test_client()
    login(client, "coordinator")
    url = f"/logistics/orders/{paid_order.id}"
    lines = history_text(client, url)
    text = "\n".join(lines)
    assert lines[0] == "2026-11-24 04:30 Coordinator 修改了 到货时间: — → 2026-11-26 04:30"
    assert "2026-11-24 04:30 Coordinator 回款确认 状态: 已排产 → 回款已确认" in text
    payment = next(line for line in lines if "回款金额" in line)
    assert "回款金额: — → ¥81,500.00" in payment and "付款方式: — → 银行转账" in payment
    tare = next(line for line in lines if "过磅单 WB-" in line)
    assert tare.startswith("2026-11-24 04:30 Weigher 过磅单 WB-") and "创建了记录" in tare
    for line in ("空车: 15,200 kg", "车号: 豫A·12345", "客户: 河南双力饲料经销部"):
        assert line in tare, line
    assert re.search(r"空车过磅时间: \d{4}-\d\d-\d\d \d\d:\d\d 皮重过磅员: Weigher 状态: 空车已过磅", tare)
    assert "订单: DD-" not in tare  # the trip's link to this very order says nothing here
    line = next(line for line in lines if "订单明细" in line)
    assert "品名: 育肥猪配合饲料" in line and "数量: 25,000 kg" in line and "金额: ¥81,500.00" in line
    html = history_html(client, url)
    for raw in RAW:
        assert raw not in html, raw
    assert "2026-11-23" not in text


def test_order_history_reads_in_english(app, world, paid_order):
    world["coordinator"].locale = "en"
    db.session.commit()
    client = app.test_client()
    login(client, "coordinator")
    text = "\n".join(history_text(client, f"/logistics/orders/{paid_order.id}"))
    for line in ("Coordinator changed Arrived at: — → 2026-11-26 04:30",
                 "Coordinator Confirm payment State: Production scheduled → Payment confirmed",
                 "Payment received: — → ¥81,500.00", "Payment method: — → Bank transfer",
                 "Weigher Weighbridge tickets WB-", "Tare: 15,200 kg", "Truck plate: 豫A·12345"):
        assert line in text, line


def test_prints_read_on_the_order_and_the_customer(app, world, paid_order):
    trip = paid_order.trips[0]
    client = app.test_client()
    login(client, "coordinator")
    from plugins.logistics.services import issue_original

    with acting_as(world["weigher"].id):
        issue_original(trip, "weigh_ticket", world["weigher"])
        db.session.commit()
    assert client.get(f"/print/weigh_ticket/{trip.id}.pdf").status_code == 200
    for url in (f"/logistics/orders/{paid_order.id}", f"/customers/{paid_order.customer_id}"):
        copy, original = [line for line in history_text(client, url) if "打印了" in line]
        assert f"Coordinator 过磅单 {trip.number} 打印了“过磅单”（副本 1）" in copy, url
        assert "Weigher" in original, url
        assert original.endswith("打印了“过磅单”"), url
