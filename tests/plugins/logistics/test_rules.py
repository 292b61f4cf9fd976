"""The rules of the second pass: billed on bags loaded per line, a truck's net checked against its
lines' loaded kilograms, completion by the tolerance rule, payment against the order total."""
import pytest
from sqlalchemy import select

from core.db import db
from core.testing import login, make_user, post_form
from core.workflow import TransitionRefused
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.models import Order, Payment, Product, Trip
from plugins.logistics.services import (
    LineInput,
    WeighingRefused,
    create_order,
    issue_pass,
    load,
    record_payment,
    take_gross,
    take_order_step,
    take_tare,
    use_pass,
)
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load


@pytest.fixture
def starter(world):
    """A second product in 25 kg bags beside the world's 40 kg one."""
    product = Product(code="P301", name="乳猪教槽料", bag_weight_kg=25, pellet_size="2mm",
                      price_cents_per_tonne=520000)
    db.session.add(product)
    db.session.commit()
    return product


def two_product_order(world, starter):
    order = create_order(world["customer"], [LineInput(world["feed"], bags=250), LineInput(starter, bags=200)],
                         world["coordinator"], transport="pickup")
    db.session.commit()
    ready_to_load(world, order)
    return order


def test_a_two_product_truck_counts_each_lines_bags_at_its_own_bag_weight(world, starter):
    order = two_product_order(world, starter)
    feed_line, starter_line = order.lines
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, {feed_line.id: 250, starter_line.id: 200}, world["keeper"],
         {feed_line.id: "20261123-01", starter_line.id: "20261122-07"})
    # 250 x 40 + 200 x 25 = 15 000 kg, not 450 bags x the first product's 40 kg = 18 000
    assert trip.loaded_bags == 450 and trip.loaded_kg == 15000
    assert [(x.bags, x.kg, x.batch_number) for x in trip.lines] == [(250, 10000, "20261123-01"),
                                                                     (200, 5000, "20261122-07")]
    take_gross(trip, 30180, world["weigher"])  # net 14 980: inside 2 % of 15 000, no override needed
    assert trip.net_kg == 14980 and trip.state == "gross_weighed"
    assert order.billed_cents == 10000 * 326000 // 1000 + 5000 * 520000 // 1000
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    db.session.commit()
    assert order.state == "shipped" and feed_line.gated_bags == 250 and starter_line.gated_bags == 200


def test_a_two_product_truck_needs_the_bags_of_each_product(world, starter):
    order = two_product_order(world, starter)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    with pytest.raises(WeighingRefused):
        load(trip, 450, world["keeper"])  # one number for two products says nothing
    with pytest.raises(WeighingRefused, match="250"):
        load(trip, {order.lines[0].id: 251}, world["keeper"])  # more than ordered


def test_the_two_product_station_form_loads_per_line(app, world, starter):
    order = two_product_order(world, starter)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    db.session.commit()
    keeper = app.test_client()
    login(keeper, "keeper")
    page = keeper.get("/logistics/station").get_data(as_text=True)
    feed_line, starter_line = order.lines
    assert f'name="bags-{feed_line.id}"' in page and f'name="batch-{starter_line.id}"' in page
    post_form(keeper, f"/logistics/trips/{trip.id}/load",
              {f"bags-{feed_line.id}": "250", f"bags-{starter_line.id}": "200",
               f"batch-{feed_line.id}": "B-01"}, page="/logistics/station")
    db.session.expire_all()
    trip = db.session.get(Trip, trip.id)
    assert trip.loaded_kg == 15000 and trip.lines[0].batch_number == "B-01"


def test_an_order_short_by_the_net_completes_when_all_bags_left(world):
    """Found 1: 24 980 of 25 000 kg shipped: every bag was loaded, so the order is complete."""
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 625, world["keeper"])
    take_gross(trip, 40180, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    db.session.commit()
    assert trip.net_kg == 24980 and order.state == "shipped" and order.left_at is not None


def test_a_remainder_inside_the_tolerance_is_closed_by_the_office_with_a_reason(app, world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 624, world["keeper"])  # one bag (40 kg) short: inside 1 % of 25 000 kg
    take_gross(trip, 40160, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    db.session.commit()
    assert order.state == "shipping" and order.remaining_kg == 40
    office = app.test_client()
    login(office, "coordinator")
    url = f"/logistics/orders/{order.id}"
    assert 'value="close_short"' in office.get(url).get_data(as_text=True)  # the office's next step
    with pytest.raises(TransitionRefused):
        take_order_step(order, "close_short", world["coordinator"])  # a reason is required
    db.session.rollback()
    post_form(office, f"{url}/transition", {"transition": "close_short", "comment": "库存差一袋，客户同意"}, page=url)
    db.session.expire_all()
    closed = db.session.get(Order, order.id)
    assert closed.state == "shipped" and closed.timing == "same_day"


def test_a_remainder_outside_the_tolerance_cannot_be_closed(world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 600, world["keeper"])  # 1 000 kg short: 4 %
    take_gross(trip, 39200, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    with pytest.raises(TransitionRefused, match="育肥猪配合饲料"):
        take_order_step(order, "close_short", world["coordinator"], "差得太多")


def test_the_order_tolerance_is_a_company_setting(world):
    from core.settings import save_company_setting

    save_company_setting("logistics.order_tolerance", "1000")  # kilograms from 1 (W-11)
    db.session.commit()
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, 600, world["keeper"])
    take_gross(trip, 39200, world["weigher"])
    issue_pass(trip, world["coordinator"])
    use_pass(trip.pass_token, world["weigher"])
    take_order_step(order, "close_short", world["coordinator"], "1 吨以内可结")
    assert order.state == "shipped"


def test_one_yuan_does_not_confirm_a_sixty_thousand_order(app, world):
    """Found 3: partial payments add up; the balance shows; shipping needs the total or credit."""
    order = create_order(world["customer"], [LineInput(world["feed"], tonnes="18.405")], world["coordinator"])
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    db.session.commit()
    assert order.amount_cents == 6000030
    office = app.test_client()
    login(office, "coordinator")
    url = f"/logistics/orders/{order.id}"
    post_form(office, f"{url}/payment", {"amount": "1.00", "method": "cash"}, page=url)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.state == "scheduled" and order.paid_cents == 100 and not order.payment_cleared
    page = office.get(url).get_data(as_text=True)
    assert "¥59,999.30" in page  # the balance
    post_form(office, f"{url}/payment", {"amount": "59999.30", "method": "transfer"}, page=url)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.state == "paid" and order.paid_cents == order.amount_cents and order.balance_cents == 0
    assert [p.amount_cents for p in db.session.scalars(select(Payment).where(Payment.order_id == order.id))] == [
        100, 5999930]


def test_confirm_payment_is_refused_short_of_the_total(world):
    order = new_order(world)
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    record_payment(order, 100, "cash", world["coordinator"])
    with pytest.raises(TransitionRefused, match="¥1.00"):
        take_order_step(order, "confirm_payment", world["coordinator"])
    take_order_step(order, "release_credit", world["manager"], "老客户，月底结清")
    assert order.state == "paid" and order.credit_released and order.payment_cleared


def test_the_office_role_can_close_but_a_weigher_cannot(world):
    make_user("someone", ("weigher",))
    assert not world["weigher"].can("logistics.close") and world["coordinator"].can("logistics.close")


def test_the_gate_pass_of_a_two_product_truck_prints_each_lines_bags_and_kilograms(app, world, starter):
    import io

    from pypdf import PdfReader

    order = two_product_order(world, starter)
    feed_line, starter_line = order.lines
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, {feed_line.id: 250, starter_line.id: 200}, world["keeper"])
    take_gross(trip, 30180, world["weigher"])
    issue_pass(trip, world["coordinator"])
    db.session.commit()
    office = app.test_client()
    login(office, "coordinator")
    pdf = office.get(f"/print/gate_pass/{trip.id}.pdf").data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "10000" in text and "5000" in text and "250" in text and "200" in text
    assert "14980" not in text  # never the truck's net split over the lines
