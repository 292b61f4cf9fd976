"""Hooks the complaints plugin declares. Implement them with ``@hookimpl(optionalhook=True)``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.api import hookspec

if TYPE_CHECKING:
    from flask import Flask


@hookspec
def complaint_closed(app: Flask, complaint: Any) -> None:
    """A complaint was closed: handled, evaluated and archived (fired after commit)."""
