"""Hooks the logistics plugin declares: its event and its veto.

Another plugin implements them with ``@hookimpl(optionalhook=True)``, so that it still starts
when logistics is disabled (or declares ``depends = ("logistics",)``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.api import hookspec

if TYPE_CHECKING:
    from flask import Flask

    from core.auth.models import User
    from core.contract import Refusal
    from plugins.logistics.models import Order


@hookspec
def order_shipped(app: Flask, order: Order) -> None:
    """An order left the gate: its last truck passed with its gate pass (fired after commit)."""


@hookspec
def order_confirming(app: Flask, order: Order, user: User) -> Refusal | None:
    """Veto: ``user`` is about to confirm ``order`` (the first step after recording it).

    Return None to allow, or ``core.contract.Refusal(reason)`` to refuse; called inside the
    transaction before the transition, which is rolled back and the reason shown on a refusal.
    """
