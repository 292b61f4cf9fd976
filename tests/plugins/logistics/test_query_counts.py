"""Every logistics list, the order form and the customer page's logistics panel run as many
statements for many rows as for few (no query per row)."""
from __future__ import annotations

from core.db import db
from core.testing import QueryCounter, make_customer
from plugins.logistics.models import Order, Product, Vehicle
from plugins.logistics.services import LineInput, create_order
from tests.plugins.logistics.test_pages import as_user
from tests.plugins.logistics.test_reports import ship


def _statements(client, url):
    with QueryCounter() as queries:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return queries.count


def _same_for_few_and_many(app, user, url, grow, few=2, many=8):
    """The statements of ``url`` once ``grow(n)`` made n rows, for few and for many."""
    counts = []
    for total in (few, many):
        grow(total)
        counts.append(_statements(as_user(app, user), url() if callable(url) else url))
    assert counts[0] == counts[1], (url, counts)


def _orders(world, total, lines=1):
    while db.session.query(Order).count() < total:
        items = [LineInput(world["feed"], tonnes="5") for _ in range(lines)]
        create_order(world["customer"], items, world["coordinator"], ordered_by="王老板", transport="pickup")
        db.session.commit()


def test_products_and_vehicles_lists(app, world):
    def products(total):
        while db.session.query(Product).count() < total:
            n = db.session.query(Product).count()
            db.session.add(Product(code=f"Q{n:03d}", name=f"料{n}", bag_weight_kg=40, price_cents_per_tonne=300000))
            db.session.commit()

    def vehicles(total):
        while db.session.query(Vehicle).count() < total:
            db.session.add(Vehicle(plate=f"豫A·{db.session.query(Vehicle).count():05d}", driver="张师傅"))
            db.session.commit()

    _same_for_few_and_many(app, "coordinator", "/logistics/products", products)
    _same_for_few_and_many(app, "coordinator", "/logistics/vehicles", vehicles)


def test_order_form_and_customer_picker(app, world):
    def products(total):
        while db.session.query(Product).filter(Product.active.is_(True)).count() < total:
            n = db.session.query(Product).count()
            db.session.add(Product(code=f"Q{n:03d}", name=f"料{n}", bag_weight_kg=40, price_cents_per_tonne=300000))
            db.session.commit()

    picked: list = []

    def customers(total):
        while len(picked) < total:
            picked.append(make_customer(f"双力分部{len(picked)}", world["rep_east"]))

    customer_id = world["customer"].id
    _same_for_few_and_many(app, "coordinator", f"/logistics/orders/new?customer_id={customer_id}", products)
    _same_for_few_and_many(app, "coordinator", "/logistics/orders/new?q=双力分部", customers)


def test_schedule_and_order_page(app, world):
    _same_for_few_and_many(app, "coordinator", "/logistics/schedule", lambda n: _orders(world, n))

    def order_with_lines(total):
        world["order"] = create_order(world["customer"], [LineInput(world["feed"], tonnes="5")] * total,
                                      world["coordinator"], ordered_by="王老板", transport="pickup")
        db.session.commit()

    _same_for_few_and_many(app, "coordinator", lambda: f"/logistics/orders/{world['order'].id}", order_with_lines,
                           few=1, many=4)


def test_customer_page_logistics_panel(app, world):
    def shipped(total):
        while db.session.query(Order).count() < total:
            order = create_order(world["customer"], [LineInput(world["feed"], tonnes="25")], world["coordinator"],
                                 ordered_by="王老板", transport="pickup")
            db.session.commit()
            ship(world, order)

    _same_for_few_and_many(app, "coordinator", f"/customers/{world['customer'].id}", shipped, few=1, many=4)
