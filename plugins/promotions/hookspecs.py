"""Hooks the promotions plugin declares. Implement them with ``@hookimpl(optionalhook=True)``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.api import hookspec

if TYPE_CHECKING:
    from flask import Flask


@hookspec
def promotion_approved(app: Flask, promotion: Any) -> None:
    """A promotion application received its final approval (fired after commit)."""
