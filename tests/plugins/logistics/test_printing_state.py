"""Found 6: fetching a printed form never changes a ticket; the original is issued by a POST,
every later print is a numbered copy, and each fetch leaves a read-audit row."""
import io

from pypdf import PdfReader
from sqlalchemy import func, select

from core.db import db
from core.testing import login, post_form
from plugins.logistics.models import PrintLog, Trip
from tests.plugins.logistics.test_order_flow import new_order
from tests.plugins.logistics.test_reports import ship


def text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_get_never_uses_up_the_original(app, world):
    order = new_order(world)
    ship(world, order)
    trip = order.trips[0]
    client = app.test_client()
    login(client, "coordinator")
    for _ in range(3):
        preview = text(client.get(f"/print/gate_pass/{trip.id}.pdf").data)
        assert "样张" in preview  # before the original: a preview, never an original
    db.session.expire_all()
    assert db.session.get(Trip, trip.id).pass_print_count == 0
    assert db.session.scalar(select(func.count()).select_from(PrintLog).where(PrintLog.kind == "preview")) == 3


def test_the_original_is_a_post_and_later_prints_are_copies(app, world):
    order = new_order(world)
    ship(world, order)
    trip = order.trips[0]
    client = app.test_client()
    login(client, "coordinator")
    url = f"/logistics/orders/{order.id}"
    original = post_form(client, f"/logistics/trips/{trip.id}/original/gate_pass", {}, page=url)
    assert original.mimetype == "application/pdf"
    first = text(original.data)
    assert "出门证" in first and "副本" not in first and "样张" not in first
    again = post_form(client, f"/logistics/trips/{trip.id}/original/gate_pass", {}, page=url,
                      follow_redirects=True).get_data(as_text=True)
    assert "副本" in again  # told that the original was issued already
    copy = text(client.get(f"/print/gate_pass/{trip.id}.pdf").data)
    assert "副本 1" in copy
    assert "副本 2" in text(client.get(f"/print/gate_pass/{trip.id}.pdf").data)
    db.session.expire_all()
    assert db.session.get(Trip, trip.id).pass_print_count == 1
    kinds = list(db.session.scalars(select(PrintLog.kind).order_by(PrintLog.id)))
    assert kinds == ["original", "copy", "copy"]


def test_a_weigher_issues_the_ticket_original_and_a_keeper_cannot(app, world):
    order = new_order(world)
    ship(world, order)
    trip = order.trips[0]
    keeper = app.test_client()
    login(keeper, "keeper")
    token_page = "/logistics/station"
    assert post_form(keeper, f"/logistics/trips/{trip.id}/original/weigh_ticket", {}, page=token_page).status_code == 403
    weigher = app.test_client()
    login(weigher, "weigher")
    done = post_form(weigher, f"/logistics/trips/{trip.id}/original/weigh_ticket", {}, page=token_page)
    assert done.mimetype == "application/pdf" and "过磅单" in text(done.data)
