"""A tiering world on imported monthly sales (logistics disabled), so every figure is chosen here."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.db import db
from core.testing import make_customer, make_user


def month_start(months_ago: int, today: date | None = None) -> date:
    day = (today or date.today()).replace(day=1)
    for _ in range(months_ago):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


def sell(customer, months_ago: int, tonnes: float, orders: int = 2, amount_per_tonne: int = 3_000_00):
    """Imported sales of ``customer`` in the month ``months_ago`` months back (0 = this month)."""
    from plugins.tiering.models import MonthlySale

    kg = int(tonnes * 1000)
    db.session.add(MonthlySale(customer_id=customer.id, month=month_start(months_ago), shipped_kg=kg,
                               amount_cents=int(tonnes * amount_per_tonne), orders=orders))


def steady_customer(name, owner, tonnes_a_month, code=None, months=14, first_order_days=500):
    """An old customer shipping the same tonnes every month."""
    customer = make_customer(name, owner, code=code, is_prospect=False,
                             first_order_date=date.today() - timedelta(days=first_order_days))
    for ago in range(months):
        sell(customer, ago, tonnes_a_month)
    return customer


@pytest.fixture
def manager(app):
    from core.org import Department

    head = make_user("cm_head", ("cm_manager",))
    department = db.session.query(Department).filter_by(code="cm").one_or_none()
    if department is None:
        department = Department(code="cm", name="客户管理部", name_en="Customer management")
        db.session.add(department)
    department.head_id = head.id
    db.session.commit()
    return head
