"""Hooks the tiering plugin declares. Implement them with ``@hookimpl(optionalhook=True)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.api import hookspec

if TYPE_CHECKING:
    from flask import Flask

    from core.registry.models import Customer


@hookspec
def tier_changed(app: Flask, customer: Customer, old_tier: str | None, new_tier: str) -> None:
    """A customer's grade changed, e.g. from "general" to "key" (fired after commit)."""
