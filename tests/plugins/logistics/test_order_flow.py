"""Orders from the phone call to the used gate pass: every transition and every refusal."""
import pytest

from core.audit import AuditEvent
from core.db import db
from core.workflow import TransitionRefused
from plugins.logistics.flows import ORDER_FLOW, TRIP_FLOW
from plugins.logistics.services import (
    LineInput,
    PassRefused,
    WeighingRefused,
    create_order,
    issue_pass,
    line_amount,
    load,
    take_gross,
    take_tare,
    use_pass,
)


def new_order(world, tonnes="25"):
    order = create_order(world["customer"], [LineInput(world["feed"], tonnes=tonnes)], world["coordinator"],
                         ordered_by="王老板", transport="pickup")
    db.session.commit()
    return order


def ready_to_load(world, order):
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    order.payment_cents = order.amount_cents
    ORDER_FLOW.apply(order, "confirm_payment", world["coordinator"])
    ORDER_FLOW.apply(order, "confirm_products", world["keeper"])
    order.invoice_number = "FP-0001"
    ORDER_FLOW.apply(order, "invoice", world["coordinator"])
    db.session.commit()


def test_order_numbers_lines_amounts_and_first_order(world):
    order = new_order(world)
    assert order.number.startswith("DD-") and order.number.endswith("-00001")
    assert new_order(world).number.endswith("-00002")
    line = order.lines[0]
    assert (line.quantity_kg, line.bags, line.amount_cents) == (25000, 625, 8150000)
    assert order.address == "郑州市金水路1号"
    assert world["customer"].is_prospect is False and world["customer"].first_order_date is not None
    assert line_amount(1, 326000) == 326  # 1 kg at 3 260.00 per tonne, rounded half up


def test_full_flow_to_a_used_gate_pass(world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    assert order.state == "shipping" and trip.number.startswith("WB-") and trip.state == "tare_weighed"
    load(trip, 625, world["keeper"])
    take_gross(trip, 40540, world["weigher"])
    assert trip.net_kg == 25340
    issue_pass(trip, world["coordinator"])
    assert trip.pass_number.startswith("CM-") and trip.pass_token
    db.session.commit()
    use_pass(trip.pass_token, world["weigher"])
    db.session.commit()
    assert trip.state == "left" and order.state == "shipped" and order.timing == "same_day"
    with pytest.raises(PassRefused, match="already used|使用过"):
        use_pass(trip.pass_token, world["weigher"])
    ORDER_FLOW.apply(order, "confirm_arrival", world["coordinator"])
    db.session.commit()
    transitions = db.session.query(AuditEvent).filter_by(record_type="logistics_orders", action="transition").count()
    assert transitions == 8
    trip_transitions = db.session.query(AuditEvent).filter_by(record_type="logistics_trips", action="transition")
    assert [e.changes["transition"] for e in trip_transitions] == ["load", "weigh_gross", "issue_pass", "leave"]


def test_no_loading_before_invoicing_and_no_tare_twice(world):
    order = new_order(world)
    with pytest.raises(WeighingRefused):
        take_tare(order, world["truck"], 15200, world["weigher"])
    ready_to_load(world, order)
    take_tare(order, world["truck"], 15200, world["weigher"])
    with pytest.raises(WeighingRefused) as refused:
        take_tare(order, world["truck"], 15200, world["weigher"])
    assert refused.value.findings[0].check == "weighed_twice"


def test_no_gross_before_loading_and_gross_below_tare_is_refused(world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    with pytest.raises(TransitionRefused):
        take_gross(trip, 40540, world["weigher"])
    load(trip, 625, world["keeper"])
    with pytest.raises(WeighingRefused) as refused:
        take_gross(trip, 15000, world["weigher"])
    assert {f.check for f in refused.value.findings} >= {"gross_not_above_tare"}
    assert trip.gross_kg is None and trip.state == "loaded"


def test_net_outside_tolerance_needs_an_override_by_someone_allowed(world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    with pytest.raises(WeighingRefused):
        take_gross(trip, 41540, world["weigher"], reason="多装了一些")  # weigher may not override
    from core.testing import make_user

    chief = make_user("chief", ("weigher", "cm_manager"))  # a weigher who also holds logistics.override
    take_gross(trip, 41540, chief, reason="客户要求多装，已电话确认")
    assert trip.net_kg == 26340 and "已电话确认" in trip.override_reason
    assert trip.findings[0]["check"] == "net_tolerance"


def test_no_gate_pass_without_payment_or_credit(world):
    order = new_order(world)
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    with pytest.raises(TransitionRefused):
        ORDER_FLOW.apply(order, "confirm_payment", world["coordinator"])  # no amount entered
    with pytest.raises(TransitionRefused):
        ORDER_FLOW.apply(order, "release_credit", world["coordinator"], comment="老客户")  # not a manager
    order.credit_released = True
    ORDER_FLOW.apply(order, "release_credit", world["manager"], comment="老客户，月底结清")
    ORDER_FLOW.apply(order, "confirm_products", world["keeper"])
    order.invoice_number = "FP-0002"
    ORDER_FLOW.apply(order, "invoice", world["coordinator"])
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 40540, world["weigher"])
    order.credit_released = False  # credit withdrawn before the truck leaves
    with pytest.raises(TransitionRefused, match="payment|回款"):
        issue_pass(trip, world["coordinator"])


def test_several_trucks_and_the_remaining_quantity(world):
    from plugins.logistics.models import Vehicle

    second = Vehicle(plate="豫B·67890", capacity_kg=30000)
    db.session.add(second)
    order = new_order(world, tonnes="40")
    ready_to_load(world, order)
    for truck, bags, tare, gross in ((world["truck"], 500, 15200, 35240), (second, 500, 14800, 34780)):
        trip = take_tare(order, truck, tare, world["weigher"])
        load(trip, bags, world["keeper"])
        take_gross(trip, gross, world["weigher"])
        issue_pass(trip, world["coordinator"])
        use_pass(trip.pass_token, world["weigher"])
        if truck is world["truck"]:
            # the order counts the bags loaded (500 x 40 kg), not the truck's net
            assert order.state == "shipping" and order.remaining_kg == 40000 - 20000
    assert order.state == "shipped" and order.remaining_kg == 0


def test_changes_need_a_reason_and_cancelled_orders_are_kept(world):
    order = new_order(world)
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    with pytest.raises(TransitionRefused):
        ORDER_FLOW.apply(order, "change", world["coordinator"])
    ORDER_FLOW.apply(order, "change", world["coordinator"], comment="改为30吨")
    assert order.state == "changing"
    ORDER_FLOW.apply(order, "cancel", world["coordinator"], comment="客户取消")
    db.session.commit()
    assert order.state == "cancelled" and db.session.get(type(order), order.id) is not None


def test_void_needs_a_reason(world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    with pytest.raises(TransitionRefused):
        TRIP_FLOW.apply(trip, "void", world["manager"])
    TRIP_FLOW.apply(trip, "void", world["manager"], comment="车牌录错")
    assert trip.state == "voided"


def test_weights_are_written_once_and_a_correction_voids_and_reissues(world):
    from plugins.logistics.models import TicketImmutable
    from plugins.logistics.services import reissue

    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 40540, world["weigher"])
    db.session.commit()
    with pytest.raises(TicketImmutable):
        trip.gross_kg = 40000
    db.session.rollback()
    new = reissue(trip, 15300, 40540, world["manager"], "空车称重时司机未下车")
    db.session.commit()
    assert trip.state == "voided" and trip.voided_reason == "空车称重时司机未下车"
    assert new.replaces_id == trip.id and new.net_kg == 25240 and new.state == "gross_weighed"
    assert new.number != trip.number and new.tare_manual
    issue_pass(new, world["coordinator"])
    use_pass(new.pass_token, world["weigher"])
    assert order.state == "shipped" and order.shipped_kg == 25000 and new.loaded_kg == 25000


def test_ticket_numbers_are_gapless_per_year_with_the_date(world):
    order = new_order(world, tonnes="60")
    ready_to_load(world, order)
    from plugins.logistics.models import Vehicle

    numbers = []
    for plate in ("A1", "A2", "A3"):
        truck = Vehicle(plate=plate)
        db.session.add(truck)
        numbers.append(take_tare(order, truck, 15000, world["weigher"]).number)
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["00001", "00002", "00003"]
    assert all(n.startswith("WB-2") and len(n.split("-")[1]) == 8 for n in numbers)


@pytest.mark.parametrize("transition", [t for t in ORDER_FLOW.transitions])
def test_every_order_transition_is_refused_to_someone_without_its_permission(world, transition):
    from core.testing import make_user

    order = new_order(world)
    outsider = make_user("qc_person", ("qc",))  # may view orders, may do none of these steps
    with pytest.raises(TransitionRefused):
        ORDER_FLOW.apply(order, transition, outsider, comment="试试")


def test_invoice_needs_its_number_and_a_shipped_order_cannot_be_cancelled(world):
    order = new_order(world)
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    order.payment_cents = order.amount_cents
    ORDER_FLOW.apply(order, "confirm_payment", world["coordinator"])
    ORDER_FLOW.apply(order, "confirm_products", world["keeper"])
    with pytest.raises(TransitionRefused, match="发票号|invoice"):
        ORDER_FLOW.apply(order, "invoice", world["coordinator"])
    order.invoice_number = "FP-1"
    ORDER_FLOW.apply(order, "invoice", world["coordinator"])
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    with pytest.raises(TransitionRefused):
        ORDER_FLOW.apply(order, "cancel", world["coordinator"], comment="太晚了")
    load(trip, 625, world["keeper"])
    with pytest.raises(TransitionRefused, match="装车|loading"):
        ORDER_FLOW.apply(order, "finish_shipping", world["weigher"])
