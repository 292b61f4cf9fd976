"""Hooks the promotions plugin declares. Implement them with ``@hookimpl(optionalhook=True)``.

Promotions works alone: without an answer to ``promotion_target_rules`` it offers its own rules
(the region's customers, its A-size customers), and without ``promotion_customer_grade`` the
control group of an evaluation is matched on the archive's typed size class (A/B/C). A tiering
plugin answers both from its tags.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.api import hookspec

if TYPE_CHECKING:
    from flask import Flask


@hookspec
def promotion_approved(app: Flask, promotion: Any) -> None:
    """A promotion application received its final approval (fired after commit)."""


@hookspec
def promotion_target_rules(app: Flask) -> list[dict[str, Any]]:
    """Rules that pick a promotion's target customers, e.g. “key customers of the region”.

    Each rule is ``{"key": "tiering.key", "label": lazy text, "condition": callable}`` where
    ``condition(region_id)`` returns an SQL condition on ``core.api.Customer`` (set-based; the
    customers of the region that meet it become the targets when the application is saved).
    """


@hookspec
def promotion_customer_grade(app: Flask) -> list[Any]:
    """``[expression]``: an SQL expression of a customer's grade, correlated on ``Customer.id``
    (e.g. a scalar subquery of the customer's current tier), used to find comparable customers for
    the control group. The first plugin's answer wins; none: the archive's size class."""
