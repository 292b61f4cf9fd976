"""Demo products, trucks and orders at every stage, made through the same services as the pages."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Customer, User, utcnow
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.models import Product, Vehicle
from plugins.logistics.overrides import weigh_gross
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
    customers = session.scalars(select(Customer).where(Customer.is_prospect.is_(False)).order_by(Customer.id)).all()
    steps = ["confirm_data", "schedule", "confirm_payment", "confirm_products", "invoice"]
    for index, customer in enumerate(customers[:8]):
        product = products[index % len(products)]
        order = create_order(customer, [LineInput(product, tonnes=str(rng.choice([10, 15, 20, 25])))], office,
                             ordered_by="电话订货", transport="pickup",
                             ordered_at=utcnow() - timedelta(days=[0, 1, 2, 5, 0, 1, 6, 0][index], hours=2))
        for step in steps[: min(index, len(steps))]:
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

    from plugins.logistics.ledger_demo import load_receivables

    load_receivables(session, rng)
