"""Registry operations other code calls: conversion of prospects, first orders."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.db import db, utcnow
from core.registry.models import Customer


def convert_to_customer(customer: Customer) -> bool:
    """Make a prospect a customer (explicitly, or on its first order); False if it was one already."""
    if not customer.is_prospect:
        return False
    customer.is_prospect = False
    customer.converted_at = utcnow()
    return True


def record_first_order(customer_id: int, on: date) -> Customer:
    """Called by an order-taking plugin: the first order date sticks, and a prospect converts."""
    customer = db.session.get(Customer, customer_id)
    if customer.first_order_date is None or on < customer.first_order_date:
        customer.first_order_date = on
    convert_to_customer(customer)
    return customer


def owner_choices(user: Any) -> list[tuple[int, str]]:
    """Reps a user may assign archives to: everyone for the department, own region for a manager."""
    from sqlalchemy import select

    from core.auth.models import Role, User, user_roles

    stmt = (select(User).join(user_roles).join(Role).where(Role.code == "rep", User.active.is_(True))
            .order_by(User.username))
    if not user.can("customers.view_all"):
        stmt = stmt.where(User.region_id == user.region_id)
    return [(u.id, u.display_name) for u in db.session.scalars(stmt).unique()]


def flag_overdue_verifications() -> int:
    """Tell each region's managers, once, about archives submitted over a month ago and not verified."""
    from sqlalchemy import select

    from core.auth.models import Role, User, user_roles
    from core.i18n import N_
    from core.notifications import notify
    from core.registry.search import overdue_condition

    overdue = db.session.scalars(select(Customer).where(overdue_condition(),
                                                        Customer.overdue_notified_at.is_(None))).all()
    managers: dict[int | None, list[int]] = {}
    for user in db.session.scalars(select(User).join(user_roles).join(Role)
                                   .where(Role.code == "regional_manager", User.active.is_(True))).unique():
        managers.setdefault(user.region_id, []).append(user.id)
    for customer in overdue:
        recipients = managers.get(customer.region_id)
        notify(N_("Archive %(code)s %(name)s has waited over a month for verification."),
               users=recipients or (), roles=() if recipients else ("regional_manager",),
               params={"code": customer.code, "name": customer.name}, link=f"/customers/{customer.id}")
        customer.overdue_notified_at = utcnow()
    return len(overdue)
