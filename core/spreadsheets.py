"""Spreadsheets a plugin hands to its users: the one writer of core's exports, loaded on first use
(openpyxl is heavy, and most requests never write a spreadsheet)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def write_xlsx(header: list[str], rows: Iterable[list[Any]], sheet: str = "export") -> bytes:
    """``header`` and ``rows`` as .xlsx bytes: text cells stay text (a leading "=" never becomes a
    formula), as in the customer export."""
    from core.registry.transfer import write_xlsx as write

    return write(header, rows, title=sheet)
