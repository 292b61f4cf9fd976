"""Two people posting at once at the weighbridge, the gate-pass desk, the gate and the order page:
one is recorded, the other gets a message, never a second write and never a 500.

Row locks need PostgreSQL: these run only when GUANXI_TEST_DATABASE_URL is set."""
import time

import pytest
from sqlalchemy import select

import plugins.logistics.services as services
from core.audit import AuditEvent
from core.db import db
from core.testing import csrf_token, login
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.models import Order, Trip
from plugins.logistics.services import issue_pass, load, take_gross, take_tare
from tests.core.test_work_concurrency import together
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load


@pytest.fixture
def postgres(backend):
    if backend != "postgresql":
        pytest.skip("row locks: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")


@pytest.fixture
def slow_locks(monkeypatch):
    """Hold each row lock a moment, so the second request surely arrives while the first works."""
    original = services.locked

    def held(record):
        found = original(record)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "locked", held)


def clients(app, *usernames):
    found = []
    for name in usernames:
        client = app.test_client()
        login(client, name)
        found.append(client)
    return found


def posting(client, url, data, page):
    token = csrf_token(client, page)

    def job():
        response = client.post(url, data={"csrf_token": token, **data}, follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)
    return job


def loaded_trip(world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    db.session.commit()
    return trip


def test_two_gross_weights_posted_at_once_record_one(postgres, app, world, slow_locks):
    trip = loaded_trip(world)
    first, second = clients(app, "weigher", "weigher")
    url = f"/logistics/trips/{trip.id}/gross"
    results = together(posting(first, url, {"weight": "40540"}, "/logistics/station"),
                       posting(second, url, {"weight": "40560"}, "/logistics/station"))
    assert all(status == 200 for status, _ in results)
    db.session.expire_all()
    trip = db.session.get(Trip, trip.id)
    assert trip.state == "gross_weighed" and trip.gross_kg in (40540, 40560)
    captures = [e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "logistics_trips", AuditEvent.record_id == trip.id))
        if "gross_kg" in (e.changes or {})]
    assert len(captures) == 1
    assert sum("不能执行" in page for _, page in results) == 1  # the second is told, in Chinese


def test_two_gate_pass_clicks_issue_one_number_and_leave_no_hole(postgres, app, world, slow_locks):
    trip = loaded_trip(world)
    take_gross(trip, 40540, world["weigher"])
    db.session.commit()
    first, second = clients(app, "coordinator", "weigher")
    url = f"/logistics/trips/{trip.id}/pass"
    results = together(posting(first, url, {}, "/logistics/station"), posting(second, url, {}, "/logistics/station"))
    assert all(status == 200 for status, _ in results)
    assert sum("不能执行" in page for _, page in results) == 1
    db.session.expire_all()
    trip = db.session.get(Trip, trip.id)
    assert trip.pass_number.endswith("-00001")
    issued = [e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "logistics_trips", AuditEvent.record_id == trip.id))
        if (e.changes or {}).get("transition") == "issue_pass"]
    assert len(issued) == 1
    other = loaded_trip_for_next_pass(world)
    assert other.pass_number.endswith("-00002")  # the series has no hole


def loaded_trip_for_next_pass(world):
    from plugins.logistics.models import Vehicle

    truck = Vehicle(plate="豫B·99999", capacity_kg=30000)
    db.session.add(truck)
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, truck, 15000, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 40300, world["weigher"])
    issue_pass(trip, world["coordinator"])
    db.session.commit()
    return trip


def test_one_gate_pass_let_out_by_two_people_at_once_leaves_once(postgres, app, world, slow_locks):
    trip = loaded_trip(world)
    take_gross(trip, 40540, world["weigher"])
    issue_pass(trip, world["coordinator"])
    db.session.commit()
    first, second = clients(app, "weigher", "keeper")
    results = together(posting(first, "/logistics/gate", {"code": trip.pass_token}, "/logistics/gate"),
                       posting(second, "/logistics/gate", {"code": trip.pass_token}, "/logistics/gate"))
    assert all(status == 200 for status, _ in results)
    assert sum("已于" in page and "使用过" in page for _, page in results) == 1
    left = [e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "logistics_trips", AuditEvent.action == "transition"))
        if (e.changes or {}).get("transition") == "leave"]
    assert len(left) == 1


def test_a_transition_posted_twice_at_once_is_applied_once_with_a_message(postgres, app, world, slow_locks):
    order = new_order(world)
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    db.session.commit()
    first, second = clients(app, "coordinator", "coordinator")
    url = f"/logistics/orders/{order.id}"
    results = together(posting(first, f"{url}/transition", {"transition": "schedule"}, url),
                       posting(second, f"{url}/transition", {"transition": "schedule"}, url))
    assert [status for status, _ in results] == [200, 200]  # never a 500
    assert sum("不能执行" in page for _, page in results) == 1
    db.session.expire_all()
    assert db.session.get(Order, order.id).state == "scheduled"
    scheduled = [e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "logistics_orders", AuditEvent.action == "transition"))
        if (e.changes or {}).get("transition") == "schedule"]
    assert len(scheduled) == 1
