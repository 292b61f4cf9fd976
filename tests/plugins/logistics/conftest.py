"""A small logistics world: products, a vehicle, a customer, and the people of the order flow."""
import pytest

from core.db import db
from core.testing import make_customer, make_user
from plugins.logistics.models import Product, Vehicle


@pytest.fixture
def world(app, users):
    people = {
        "coordinator": make_user("coordinator", ("coordinator",)),
        "keeper": make_user("keeper", ("warehouse_keeper",)),
        "weigher": make_user("weigher", ("weigher",)),
        "manager": make_user("manager", ("cm_manager",)),
    }
    feed = Product(code="P551", name="育肥猪配合饲料", bag_weight_kg=40, pellet_size="4mm",
                   price_cents_per_tonne=326000)
    truck = Vehicle(plate="豫A·12345", driver="张师傅", capacity_kg=30000, last_tare_kg=15200)
    db.session.add_all([feed, truck])
    db.session.commit()
    customer = make_customer("河南双力饲料经销部", users["rep_east"], is_prospect=True, address="郑州市金水路1号")
    return {**users, **people, "feed": feed, "truck": truck, "customer": customer}
