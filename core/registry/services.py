"""Registry operations: the single entry point for creating and changing customer archives.

Views, the import, the command line, demo data and jobs all come through here, so numbering, the
audit trail and the ``customer_created`` / ``customer_updated`` events happen the same way for
every caller. Nothing here commits: the caller owns the transaction (``core.events.commit``).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select

from core.auth.models import Region, Role, User, user_roles
from core.db import db, utcnow
from core.events import fire_after_commit
from core.numbering import next_number
from core.registry.models import Customer

SERIES_CODE = re.compile(r"C\d{6,}")


def is_series_code(code: str) -> bool:
    """True for a code of the automatic C000001 series. Only numbering creates archives with such
    codes: an import that did could occupy numbers ahead of the counter (code squatting)."""
    return SERIES_CODE.fullmatch(code) is not None


def next_customer_code() -> str:
    """The next free code of the C000001 series; codes taken by hand or by an import are skipped,
    so a taken code never makes creating an archive fail."""
    while True:
        code = f"C{next_number('customer'):06d}"
        if db.session.scalar(select(Customer.id).where(Customer.code == code)) is None:
            return code


def create_customer(values: dict[str, Any], code: str | None = None) -> Customer:
    """A new archive (customer or prospect) from field values; numbered unless ``code`` is given."""
    customer = Customer(code=code or next_customer_code(), **values)
    db.session.add(customer)
    db.session.flush()
    fire_after_commit("customer_created", customer=customer)
    return customer


def update_customer(customer: Customer, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply changed field values; returns ``{field: [old, new]}`` and fires ``customer_updated``.

    The flush checks the archive's version: a concurrent save raises ``StaleDataError``.
    """
    changes: dict[str, list[Any]] = {}
    for field, value in values.items():
        if getattr(customer, field) != value:
            changes[field] = [getattr(customer, field), value]
            setattr(customer, field, value)
    db.session.flush()
    if changes:
        fire_after_commit("customer_updated", customer=customer, changes=changes)
    return changes


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

    # names only: 300 reps as ORM objects (with their roles) cost every list page and form ~10 ms
    stmt = (select(User.id, User.display_name).join(user_roles).join(Role)
            .where(Role.code == "rep", User.active.is_(True)).order_by(User.username))
    if not user.can("customers.view_all"):
        stmt = stmt.where(User.region_id == user.region_id)
    return [(user_id, name) for user_id, name in db.session.execute(stmt)]


def assignable_owner_ids(user: Any) -> set[int]:
    """Owners the archive form offers ``user``: none without ``customers.assign`` (the form then has
    no owner field), else ``owner_choices``. The import allows exactly the same."""
    return {owner_id for owner_id, _name in owner_choices(user)} if user.can("customers.assign") else set()


def region_choices(user: Any) -> list[tuple[int, str]]:
    """Regions a user may put archives in: every region for the department, the own one otherwise,
    so a regional manager cannot move an archive out of sight (form and import alike)."""
    stmt = select(Region).order_by(Region.code)
    if not user.can("customers.view_all"):
        stmt = stmt.where(Region.id == user.region_id)
    return [(region.id, region.name) for region in db.session.scalars(stmt)]
