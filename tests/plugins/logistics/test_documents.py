"""Printed forms: the right customer, plate, weights and capital amount; reprints marked COPY."""
import io

from pypdf import PdfReader

from core.db import db
from core.testing import login
from tests.plugins.logistics.test_order_flow import new_order
from tests.plugins.logistics.test_reports import ship


def text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pickup_slip_ticket_and_gate_pass(app, world):
    order = new_order(world)
    ship(world, order)
    trip = order.trips[0]
    client = app.test_client()
    login(client, "coordinator")
    slip = text(client.get(f"/print/pickup_slip/{order.id}.pdf").data)
    assert "河南双力饲料经销部" in slip and "人民币捌万壹仟伍佰元整" in slip and "育肥猪配合饲料" in slip
    record = text(client.get(f"/print/phone_order/{order.id}.pdf").data)
    assert "电话订货记录" in record and order.number in record
    from core.testing import post_form

    weigher = app.test_client()
    login(weigher, "weigher")
    ticket = text(post_form(weigher, f"/logistics/trips/{trip.id}/original/weigh_ticket", {},
                            page="/logistics/station").data)
    for expected in ("过磅单", trip.number, "豫A·12345", "40540", "15200", "25340"):
        assert expected in ticket, expected
    assert "副本" not in ticket
    reprint = text(client.get(f"/print/weigh_ticket/{trip.id}.pdf").data)
    assert "副本 1" in reprint
    gate = text(post_form(client, f"/logistics/trips/{trip.id}/original/gate_pass", {},
                          page=f"/logistics/orders/{order.id}").data)
    assert "出门证" in gate and trip.pass_number in gate and "存根" in gate and "副本" not in gate
    db.session.expire_all()
    saved = db.session.get(type(trip), trip.id)
    assert (saved.print_count, saved.pass_print_count) == (1, 1)  # issued once each; copies change nothing


def test_documents_of_invisible_orders_answer_404(app, world):
    order = new_order(world)
    client = app.test_client()
    login(client, "rep_west")
    assert client.get(f"/print/pickup_slip/{order.id}.pdf").status_code == 404
