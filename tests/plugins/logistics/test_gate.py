"""Found 5: the gate needs the QR token; a typed pass number only from a supervisor, marked manual."""
import pytest

from core.db import db
from core.testing import login, post_form
from plugins.logistics.services import (
    PassRefused,
    issue_pass,
    load,
    take_gross,
    take_tare,
    use_pass,
)
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load


@pytest.fixture
def trip(world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 40540, world["weigher"])
    issue_pass(trip, world["coordinator"])
    db.session.commit()
    return trip


def test_the_sequential_number_alone_does_not_open_the_gate(world, trip):
    with pytest.raises(PassRefused, match="二维码|QR"):
        use_pass(trip.pass_number, world["weigher"])
    with pytest.raises(PassRefused, match="主管|supervisor"):
        use_pass(trip.pass_number, world["weigher"], typed=True)  # the guard may not type it
    assert trip.state == "pass_issued"
    use_pass(trip.pass_token, world["weigher"])
    assert trip.state == "left" and not trip.pass_manual


def test_a_supervisor_may_type_the_number_and_the_exit_is_marked_manual(app, world, trip):
    from core.testing import make_user

    make_user("chief_guard", ("warehouse_keeper", "cm_manager"))
    chief = app.test_client()
    login(chief, "chief_guard")
    page = chief.get("/logistics/gate").get_data(as_text=True)
    assert 'name="typed"' in page
    done = post_form(chief, "/logistics/gate", {"code": trip.pass_number, "typed": "y"}).get_data(as_text=True)
    assert "放行" in done and "手工" in done
    db.session.expire_all()
    from plugins.logistics.models import Trip

    assert db.session.get(Trip, trip.id).pass_manual is True


def test_the_guard_sees_no_typed_option(app, world, trip):
    guard = app.test_client()
    login(guard, "weigher")
    page = guard.get("/logistics/gate").get_data(as_text=True)
    assert 'name="typed"' not in page
    refused = post_form(guard, "/logistics/gate", {"code": trip.pass_number}).get_data(as_text=True)
    assert "二维码" in refused
