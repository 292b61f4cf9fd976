"""Demo products, trucks and orders at every stage, made through the same services as the pages."""
from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Customer, User, complete_task, utcnow
from plugins.logistics.arrival import confirm_arrival
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.models import Product, Vehicle
from plugins.logistics.overrides import weigh_gross
from plugins.logistics.pickups import remind_delayed
from plugins.logistics.review import open_review_task, submit_review
from plugins.logistics.rush import set_rush
from plugins.logistics.services import (
    LineInput,
    create_order,
    issue_pass,
    load,
    record_payment,
    take_gross,
    take_tare,
    use_pass,
)

PRODUCTS = [("P551", "育肥猪配合饲料", 40, "4mm", 326000), ("P511", "乳猪教槽料", 20, "2mm", 568000),
            ("C301", "蛋鸡高峰期配合饲料", 40, "粉料", 298000)]
TRUCKS = [("豫A·12345", "张师傅", 30000, 15200), ("豫B·67890", "李师傅", 25000, 14800), ("豫C·24680", "王师傅", 32000, 16500)]


def load_demo(session: Session, rng: random.Random) -> None:
    products = [Product(code=c, name=n, bag_weight_kg=b, pellet_size=s, price_cents_per_tonne=p)
                for c, n, b, s, p in PRODUCTS]
    trucks = [Vehicle(plate=p, driver=d, capacity_kg=c, last_tare_kg=t) for p, d, c, t in TRUCKS]
    session.add_all(products + trucks)
    session.flush()
    users = {u.username: u for u in session.scalars(select(User))}
    office, keeper, weigher = users["coordinator"], users["keeper"], users["weigher"]
    manager = users["cmmanager"]
    customers = session.scalars(select(Customer).where(Customer.is_prospect.is_(False)).order_by(Customer.id)).all()
    steps = ["confirm_data", "schedule", "confirm_payment", "confirm_products", "invoice"]
    for index, customer in enumerate(customers[:8]):
        product = products[index % len(products)]
        order = create_order(customer, [LineInput(product, tonnes=str(rng.choice([10, 15, 20, 25])))], office,
                             ordered_by="电话订货", transport="company" if index == 7 else "pickup",
                             ordered_at=utcnow() - timedelta(days=[0, 1, 2, 5, 0, 1, 6, 0][index], hours=2))
        submit_review(order, office)  # the coordinator's own orders: the manager reviews them
        for step in steps[: min(index, len(steps))]:
            if step == "confirm_data":
                complete_task(open_review_task(order), manager, "approved", "资料齐全，信用正常，库存可排产")
                continue
            if step == "confirm_payment":  # recording the whole amount confirms the payment
                record_payment(order, order.amount_cents, "transfer", office)
                continue
            if step == "invoice":
                order.invoice_number = f"FP-{2026000 + index}"
            ORDER_FLOW.apply(order, step, keeper if step == "confirm_products" else office)
        if order.state == "invoiced" and index % 2 == 1:
            truck = trucks[index % len(trucks)]
            trip = take_tare(order, truck, truck.last_tare_kg + rng.randint(-40, 40), weigher, manual=True)
            load(trip, order.lines[0].bags, keeper)
            take_gross(trip, trip.tare_kg + order.lines[0].quantity_kg + rng.randint(-60, 60), weigher, manual=True)
            issue_pass(trip, office)
            use_pass(trip.pass_token, weigher)
        elif order.state == "invoiced":  # a truck on the scale, overloaded: its override waits in My work
            truck = trucks[index % len(trucks)]
            trip = take_tare(order, truck, truck.last_tare_kg, weigher, manual=True)
            load(trip, order.lines[0].bags, keeper)
            weigh_gross(trip, trip.tare_kg + order.lines[0].quantity_kg * 104 // 100, weigher, manual=True,
                        reason="司机称多装了几袋，客户同意按实际重量结算")
        _cases(index, order, office)

    from plugins.logistics.ledger_demo import load_receivables

    load_receivables(session, rng)
    remind_delayed()


def _cases(index: int, order: Any, office: User) -> None:
    """A rush order being stocked up, a delayed pick-up, and a delivered order that arrived."""
    if index == 2:  # scheduled and paid: production is on it, the warehouse has some ready
        set_rush(order, True, "养殖场断料，客户明早来提货", office)
        line = order.lines[0]
        line.produced_bags, line.ready_bags = line.bags, line.bags // 2
    elif index == 3:  # paid five days ago and not collected
        order.ready_at = order.ordered_at + timedelta(hours=3)
        order.lines[0].produced_bags = order.lines[0].ready_bags = order.lines[0].bags
    elif index == 7 and order.state == "shipped":
        confirm_arrival(order, order.left_at, office)
