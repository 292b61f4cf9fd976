"""Record visibility: the one place that narrows customer-linked queries to what a user may see.

rep: own customers; regional manager: own region; department roles: all. Rights come from the
permissions ``customers.view_all`` and ``customers.view_region``; without them, own customers only.
A record outside the user's sight answers 404, so guessed ids reveal nothing.
"""
from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.sql.elements import True_

from core.db import db

T = TypeVar("T")


def customer_condition(user: Any) -> ColumnElement[bool]:
    """SQL condition on ``Customer`` columns for the customers ``user`` may see."""
    from core.registry.models import Customer

    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.can("customers.view_all"):
        return true()
    if user.can("customers.view_region") and user.region_id is not None:
        return (Customer.region_id == user.region_id) | (Customer.owner_id == user.id)
    return Customer.owner_id == user.id


def visible(model: type, user: Any = None) -> ColumnElement[bool]:
    """Condition on ``model`` rows whose customer ``user`` may see.

    ``model`` is ``Customer`` or any model with a ``customer_id`` column.
    """
    from core.registry.models import Customer

    user = current_user if user is None else user
    condition = customer_condition(user)
    if model is Customer or isinstance(condition, True_):  # who sees everything needs no subquery
        return condition
    return model.customer_id.in_(select(Customer.id).where(condition))


def restrict(stmt: Select, model: type, user: Any = None) -> Select:
    """Narrow a select over ``model`` to the rows ``user`` may see."""
    return stmt.where(visible(model, user))


def get_visible_or_404(model: type[T], record_id: int, user: Any = None) -> T:
    """Load one record the user may see, or answer 404 exactly as for a missing id."""
    record = db.session.scalar(restrict(select(model).where(model.id == record_id), model, user))
    if record is None:
        abort(404)
    return record
