"""Hooks the tiering plugin declares. Implement them with ``@hookimpl(optionalhook=True)``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.api import hookspec

if TYPE_CHECKING:
    from flask import Flask

    from core.registry.models import Customer


@hookspec
def tier_changed(app: Flask, customer: Customer, old_tier: str | None, new_tier: str | None,
                 changes: dict[str, list[Any]]) -> None:
    """A recompute changed a customer's grades: ``old_tier``/``new_tier`` are the grade (key, focus,
    general, potential), ``changes`` maps every attribute that changed (grade, size_class, focus,
    lifecycle, pyramid, segment, churn) to ``[old, new]`` (fired after commit)."""
