"""Hooks the complaints plugin declares. Implement them with ``@hookimpl(optionalhook=True)``.

Complaints works without any answer: without an order-taking plugin the intake form takes typed
references, the batch trace finds nobody and a return or exchange creates no record.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.api import hookspec

if TYPE_CHECKING:
    from flask import Flask


@hookspec
def complaint_closed(app: Flask, complaint: Any) -> None:
    """A complaint was closed: handled, evaluated and archived (fired after commit)."""


@hookspec
def complaint_documents(app: Flask, customer_id: int) -> list[dict[str, Any]]:
    """Documents a complaint about this customer may name, newest first, at most 50 of each kind:
    ``{"kind": "order" | "ticket" | "batch", "ref": str, "label": str, "product": str | None}``.
    ``ref`` is what the complaint keeps (an order or ticket number, a production batch 生产批号)."""


@hookspec
def batch_trace(app: Flask, batch: str) -> list[dict[str, Any]]:
    """Every delivery of production batch ``batch``: ``{"customer_id": int, "customer": str,
    "order": str, "ticket": str, "product": str, "kg": int, "left_at": datetime | None}``."""


@hookspec
def complaint_remedy_order(app: Flask, complaint: Any, kind: str, user: Any) -> list[dict[str, str]]:
    """The general manager approved a return (``kind="return"``) or an exchange (``"exchange"``):
    create the record that carries it out (a return order, a replacement order) in the caller's
    transaction and answer each as ``{"number": str, "url": str}`` (the url a local path)."""
