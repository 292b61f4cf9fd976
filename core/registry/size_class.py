"""Where a customer's size class (A/B/C) comes from: typed on the archive, or computed by a plugin.

A plugin answering ``customer_size_class`` (tiering) replaces the typed value in the list, its
filter and sort, the export, the archive page and the printed card; without one the typed field
is the size class, as before.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from core.db import db
from core.plugins import host
from core.registry.models import Customer


def computed_size_class() -> Any:
    """A plugin's SQL expression of the size class (correlated to ``Customer``), or None."""
    return host().hook.customer_size_class(app=current_app._get_current_object())


def size_class_expression() -> Any:
    """The size class as an SQL expression on ``Customer``: computed where a plugin says so."""
    computed = computed_size_class()
    return Customer.size_class if computed is None else computed


def size_classes(customer_ids: Sequence[int] | Select) -> dict[int, str | None]:
    """``{customer_id: "A" | "B" | "C" | None}`` for a page or an export, in one query."""
    if not isinstance(customer_ids, Select) and not customer_ids:
        return {}
    stmt = select(Customer.id, size_class_expression()).where(Customer.id.in_(customer_ids))
    return dict(db.session.execute(stmt).all())
