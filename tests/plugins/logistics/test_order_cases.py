"""The manual's order cases through the pages: review, changes, rush, stock-up, delayed pick-up,
arrival and the delivery class — each by the person whose job it is."""
from datetime import timedelta

from sqlalchemy import select

from core.audit import AuditEvent
from core.db import db
from core.events import commit
from core.tasks import Task
from core.testing import QueryCounter, login, make_customer, make_user, post_form
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.models import Order
from plugins.logistics.pickups import REMINDER, remind_delayed
from plugins.logistics.review import open_review_task, review_state, submit_review
from plugins.logistics.services import (
    LineInput,
    create_order,
    issue_pass,
    load,
    take_gross,
    take_order_step,
    take_tare,
    use_pass,
)
from plugins.logistics.timing import classify
from tests.plugins.logistics.test_order_flow import ready_to_load


def as_user(app, username):
    client = app.test_client()
    login(client, username)
    return client


def recorded(app, world, username="rep_east", tonnes="25"):
    """An order recorded through the page (so it is submitted for review)."""
    client = as_user(app, username)
    cid = world["customer"].id
    page = f"/logistics/orders/new?customer_id={cid}"
    response = post_form(client, "/logistics/orders/new", {
        "customer_id": cid, "ordered_by": "王老板", "ordered_at": "2026-11-23T09:00", "transport": "pickup",
        "lines-0-product_id": world["feed"].id, "lines-0-tonnes": tonnes, "lines-1-product_id": 0,
        "lines-2-product_id": 0}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Order).order_by(Order.id.desc())).first()


def decide(app, username, order, decision, comment=""):
    """Decide the order's open review task on core's task page."""
    task = open_review_task(order)
    client = as_user(app, username)
    return post_form(client, f"/tasks/{task.id}/act", {"decision": decision, "comment": comment},
                     page=f"/tasks/{task.id}", follow_redirects=True).get_data(as_text=True)


def fresh(order):
    db.session.expire_all()
    return db.session.get(Order, order.id)


def shipped(world, order, transport=None):
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, order.lines[0].bags, world["keeper"])
    take_gross(trip, 15200 + order.lines[0].quantity_kg, world["weigher"])
    issue_pass(trip, world["coordinator"])
    commit()
    use_pass(trip.pass_token, world["weigher"])
    commit()
    return trip


# -- 1. review -------------------------------------------------------------------------------------

def test_a_rep_s_order_is_reviewed_by_a_coordinator_before_it_is_confirmed(app, world):
    order = recorded(app, world)
    assert order.state == "recorded" and review_state(order) == "pending"
    page = as_user(app, "coordinator").get(f"/logistics/orders/{order.id}").get_data(as_text=True)
    assert 'id="review-facts"' in page and "去评审" in page
    assert 'value="confirm_data"' not in page  # no way round the review
    refused = post_form(as_user(app, "coordinator"), f"/logistics/orders/{order.id}/transition",
                        {"transition": "confirm_data"}, page=f"/logistics/orders/{order.id}", follow_redirects=True)
    assert "flash-error" in refused.get_data(as_text=True) and fresh(order).state == "recorded"
    decide(app, "coordinator", order, "approved", "资料齐全，信用良好")
    order = fresh(order)
    assert order.state == "data_confirmed" and review_state(order) == "approved"
    page = as_user(app, "rep_east").get(f"/logistics/orders/{order.id}").get_data(as_text=True)
    assert "资料齐全，信用良好" in page  # the outcome is on the order's page


def test_four_eyes_a_coordinator_s_own_order_goes_to_the_customer_management_manager(app, world):
    order = recorded(app, world, username="coordinator")
    task = open_review_task(order)
    assert (task.queue_kind, task.queue_key) == ("role", "cm_manager")
    decide(app, "manager", order, "approved")
    assert fresh(order).state == "data_confirmed"


def test_a_declined_review_cancels_the_order_with_the_reason(app, world):
    order = recorded(app, world)
    decide(app, "coordinator", order, "declined", "客户已停止合作")
    order = fresh(order)
    assert order.state == "cancelled"
    reasons = [e.comment for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "logistics_orders", AuditEvent.record_id == order.id,
        AuditEvent.action == "transition"))]
    assert "客户已停止合作" in reasons


# -- 2. changes ------------------------------------------------------------------------------------

def test_a_sent_back_order_has_its_lines_changed_audited_and_reviewed_again(app, world):
    order = recorded(app, world)
    url = f"/logistics/orders/{order.id}"
    rep = as_user(app, "rep_east")
    assert rep.get(f"{url}/lines", follow_redirects=True).status_code == 200
    assert fresh(order).lines[0].bags == 625  # nothing editable while under review
    decide(app, "coordinator", order, "sent_back", "数量请与客户再确认")
    order = fresh(order)
    assert order.state == "changing"
    line = order.lines[0]
    form = rep.get(f"{url}/lines").get_data(as_text=True)
    assert 'value="25"' in form
    response = post_form(rep, f"{url}/lines", {
        "lines-0-line_id": line.id, "lines-0-product_id": world["feed"].id, "lines-0-tonnes": "30",
        "lines-0-bags": "625", "lines-1-product_id": 0, "lines-2-product_id": 0}, page=f"{url}/lines")
    assert response.status_code == 302, response.get_data(as_text=True)
    order = fresh(order)
    assert (order.lines[0].quantity_kg, order.lines[0].bags, order.lines[0].amount_cents) == (30000, 750, 9780000)
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "logistics_order_lines",
                                                        AuditEvent.action == "update"))
    assert (change.changes["quantity_kg"], change.changes["bags"]) == ([25000, 30000], [625, 750])
    history = rep.get(url).get_data(as_text=True)
    assert "25,000 kg → 30,000 kg" in history or "25 000 kg → 30 000 kg" in history, history[history.index("timeline"):][:3000]
    post_form(rep, f"{url}/review", {"comment": "改为30吨"}, page=url)
    order = fresh(order)
    assert order.state == "recorded" and review_state(order) == "pending"
    assert open_review_task(order) is not None
    assert not db.session.scalars(select(Task).where(Task.kind == "approval_resubmit", Task.state == "open")).all()


def test_lines_are_changed_only_while_the_order_is_being_changed(app, world):
    from plugins.logistics.changes import change_lines
    from plugins.logistics.services import OrderRefused

    order = recorded(app, world)
    line = order.lines[0]
    try:
        change_lines(order, {line.id: LineInput(world["feed"], bags=10)}, [], world["rep_east"])
    except OrderRefused:
        db.session.rollback()
    else:
        raise AssertionError("a line changed outside a change")
    assert fresh(order).lines[0].bags == 625


def test_a_change_after_confirmation_voids_the_review_and_asks_for_a_resubmission(app, world):
    order = recorded(app, world)
    decide(app, "coordinator", order, "approved")
    order = fresh(order)
    take_order_step(order, "schedule", world["coordinator"])
    take_order_step(order, "change", world["coordinator"], "客户要求改为20吨")
    commit()
    order = fresh(order)
    assert order.state == "changing" and review_state(order) == "voided"
    resubmit = db.session.scalars(select(Task).where(Task.kind == "approval_resubmit", Task.state == "open")).all()
    assert [t.assignee_id for t in resubmit] == [world["rep_east"].id]
    submit_review(order, world["rep_east"])
    commit()
    assert fresh(order).state == "recorded" and review_state(order) == "pending"


# -- 3. rush ---------------------------------------------------------------------------------------

def test_a_rush_needs_the_right_and_a_reason_and_goes_on_top(app, world):
    first = create_order(world["customer"], [LineInput(world["feed"], tonnes="5")], world["coordinator"])
    second = create_order(world["customer"], [LineInput(world["feed"], tonnes="5")], world["coordinator"])
    for order in (first, second):
        ready_to_load(world, order)
    url = f"/logistics/orders/{second.id}"
    assert post_form(as_user(app, "rep_east"), f"{url}/rush", {"rush": "1", "reason": "养殖场断料"},
                     page=f"/logistics/orders/{second.id}").status_code == 403
    no_reason = post_form(as_user(app, "coordinator"), f"{url}/rush", {"rush": "1", "reason": ""}, page=url,
                          follow_redirects=True)
    assert "flash-error" in no_reason.get_data(as_text=True) and not fresh(second).rush
    post_form(as_user(app, "coordinator"), f"{url}/rush", {"rush": "1", "reason": "养殖场断料"}, page=url)
    assert fresh(second).rush and fresh(second).rush_reason == "养殖场断料"
    station = as_user(app, "weigher").get("/logistics/station").get_data(as_text=True)
    assert station.index(second.number) < station.index(first.number)
    day = first.ordered_at.date().isoformat()
    schedule = as_user(app, "coordinator").get(f"/logistics/schedule?day={day}").get_data(as_text=True)
    stock = schedule[schedule.index('id="stock-up"'):]
    assert stock.index(second.number) < stock.index(first.number)
    assert "养殖场断料" in as_user(app, "rep_east").get(url).get_data(as_text=True)


# -- 4. stock-up -----------------------------------------------------------------------------------

def test_production_and_the_warehouse_record_the_stock_up_per_line(app, world):
    make_user("production", ("production",))
    order = create_order(world["customer"], [LineInput(world["feed"], tonnes="10")], world["coordinator"])
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    commit()
    url, line = f"/logistics/orders/{order.id}", order.lines[0]
    assert post_form(as_user(app, "rep_east"), f"{url}/stock", {f"ready-{line.id}": "250"},
                     page=url).status_code == 403
    post_form(as_user(app, "production"), f"{url}/stock", {f"produced-{line.id}": "250"}, page=url)
    post_form(as_user(app, "keeper"), f"{url}/stock", {f"ready-{line.id}": "125"}, page=url)
    too_many = post_form(as_user(app, "keeper"), f"{url}/stock", {f"ready-{line.id}": "251"}, page=url,
                         follow_redirects=True).get_data(as_text=True)
    assert "flash-error" in too_many
    order = fresh(order)
    assert (order.lines[0].produced_bags, order.lines[0].ready_bags, order.readiness) == (250, 125, 50)
    page = as_user(app, "rep_east").get(url).get_data(as_text=True)
    assert 'id="readiness">50 %' in page
    post_form(as_user(app, "keeper"), f"{url}/stock", {f"ready-{line.id}": "250"}, page=url)
    assert fresh(order).readiness == 100


# -- 5. delayed pick-up ----------------------------------------------------------------------------

def paid_days_ago(world, customer, days):
    order = create_order(customer, [LineInput(world["feed"], tonnes="5")], world["coordinator"])
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    order.payment_cents = order.amount_cents
    ORDER_FLOW.apply(order, "confirm_payment", world["coordinator"])
    order.ready_at = order.ordered_at - timedelta(days=days)
    commit()
    return order


def test_the_rep_is_reminded_once_of_a_delayed_pick_up_and_the_reminder_closes_when_collected(app, world):
    late, recent = paid_days_ago(world, world["customer"], 4), paid_days_ago(world, world["customer"], 1)
    assert remind_delayed() == 1
    commit()
    assert remind_delayed() == 0  # idempotent: once per order
    commit()
    tasks = db.session.scalars(select(Task).where(Task.kind == REMINDER)).all()
    assert [(t.record_id, t.assignee_id, t.state) for t in tasks] == [(late.id, world["rep_east"].id, "open")]
    assert fresh(recent).pickup_reminded_at is None
    ORDER_FLOW.apply(fresh(late), "cancel", world["coordinator"], comment="客户不要了")
    commit()
    remind_delayed()
    commit()
    assert db.session.scalars(select(Task.state).where(Task.kind == REMINDER)).all() == ["cancelled"]


def test_the_delayed_pick_up_list_is_visibility_filtered_paged_and_set_based(app, world):
    west = make_customer("西区客户", world["rep_west"], code="W1")
    paid_days_ago(world, world["customer"], 5)
    paid_days_ago(world, west, 6)
    office = as_user(app, "coordinator")
    html = office.get("/logistics/pickups").get_data(as_text=True)
    assert "西区客户" in html and "河南双力饲料经销部" in html
    east = as_user(app, "rm_east").get("/logistics/pickups").get_data(as_text=True)
    assert "河南双力饲料经销部" in east and "西区客户" not in east
    with QueryCounter() as few:
        office.get("/logistics/pickups")
    for index in range(8):
        paid_days_ago(world, make_customer(f"客户{index}", world["rep_east"], code=f"E{index}"), 5)
    with QueryCounter() as many:
        html = office.get("/logistics/pickups").get_data(as_text=True)
    assert html.count('<tr><td><a href="/logistics/orders/') == 10
    assert many.count == few.count
    assert office.get("/logistics/pickups?page=99999999999").status_code == 200


# -- 6./7. arrival and the delivery class ---------------------------------------------------------

def test_arrival_is_confirmed_after_the_gate_with_its_time_and_counts_for_delivered_goods(app, world):
    order = create_order(world["customer"], [LineInput(world["feed"], tonnes="5")], world["coordinator"],
                         transport="company")
    shipped(world, order)
    order = fresh(order)
    url = f"/logistics/orders/{order.id}"
    assert order.state == "shipped" and order.timing == "same_day"
    rep = as_user(app, "rep_east")
    page = rep.get(url).get_data(as_text=True)
    assert 'id="arrival-form"' in page and 'id="delivery-class"' in page
    before = post_form(rep, f"{url}/arrival", {"arrived_at": "2020-01-01T08:00"}, page=url, follow_redirects=True)
    assert "flash-error" in before.get_data(as_text=True) and fresh(order).state == "shipped"
    from core.api import to_local

    arrival = to_local(order.left_at + timedelta(minutes=2))  # the seconds are cut off
    post_form(rep, f"{url}/arrival", {"arrived_at": arrival.strftime("%Y-%m-%dT%H:%M")}, page=url)
    order = fresh(order)
    assert order.state == "arrived" and order.arrived_at is not None
    assert order.timing == classify(to_local(order.ordered_at).date(), arrival.date())
    page = rep.get(url).get_data(as_text=True)
    assert "按到货计" in page


def test_the_demo_shows_a_rush_order_a_delayed_pick_up_an_arrival_and_a_review(app):
    from plugins.logistics.pickups import delayed

    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    orders = db.session.scalars(select(Order)).all()
    assert any(o.rush and o.rush_reason for o in orders)
    assert any(o.state == "arrived" and o.arrived_at for o in orders)
    assert any(review_state(o) == "pending" for o in orders)
    assert db.session.scalars(delayed()).all()
    assert db.session.scalars(select(Task).where(Task.kind == REMINDER)).all()


def test_cancelling_an_order_under_review_withdraws_its_review(app, world):
    order = recorded(app, world)
    take_order_step(order, "cancel", world["coordinator"], "客户取消")
    commit()
    assert review_state(fresh(order)) == "withdrawn" and open_review_task(order) is None


def test_the_schedule_s_order_list_costs_the_same_queries_for_few_and_many_orders(app, world):
    def scheduled(count):
        for _ in range(count):
            order = create_order(world["customer"], [LineInput(world["feed"], tonnes="5")], world["coordinator"])
            ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
            ORDER_FLOW.apply(order, "schedule", world["coordinator"])
        commit()
        return order

    order = scheduled(1)
    office = as_user(app, "coordinator")
    url = f"/logistics/schedule?day={order.ordered_at.date().isoformat()}"
    office.get(url)
    with QueryCounter() as few:
        office.get(url)
    scheduled(6)
    with QueryCounter() as many:
        html = office.get(url).get_data(as_text=True)
    assert html.count("DD-") >= 7 and many.count == few.count


def test_two_arrival_confirmations_at_once_record_one(app, world, backend, monkeypatch):
    import time

    import plugins.logistics.arrival as arrival
    from tests.core.test_work_concurrency import together
    from tests.plugins.logistics.test_concurrency import clients, posting

    if backend != "postgresql":
        import pytest

        pytest.skip("row locks: PostgreSQL only (set GUANXI_TEST_DATABASE_URL)")
    original = arrival.locked
    monkeypatch.setattr(arrival, "locked", lambda record: (original(record), time.sleep(0.3))[0])
    order = create_order(world["customer"], [LineInput(world["feed"], tonnes="5")], world["coordinator"],
                         transport="company")
    shipped(world, order)
    url = f"/logistics/orders/{order.id}"
    from core.api import to_local

    at = to_local(fresh(order).left_at + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M")
    first, second = clients(app, "coordinator", "rep_east")
    results = together(posting(first, f"{url}/arrival", {"arrived_at": at}, url),
                       posting(second, f"{url}/arrival", {"arrived_at": at}, url))
    assert [status for status, _ in results] == [200, 200]
    assert sum("flash-error" in page for _, page in results) == 1
    arrivals = [e for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "logistics_orders", AuditEvent.action == "transition"))
        if (e.changes or {}).get("transition") == "confirm_arrival"]
    assert len(arrivals) == 1
