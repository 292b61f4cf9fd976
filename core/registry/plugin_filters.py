"""What plugins add to the customer list: filters (SQL conditions on Customer) and sortable columns.

Filter values come from the query string; each is validated by its filter's kind, and a bad one
is ignored with a message for the user, never an error page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from core.contract import FILTER_KINDS, Column, ListFilter
from core.plugins import call

MAX_TEXT = 100


@dataclass(frozen=True)
class ListOptions:
    """The plugin filters and columns of the customer list for one user, in display order."""

    filters: tuple[ListFilter, ...] = ()
    columns: tuple[Column, ...] = ()

    @property
    def sorts(self) -> dict[str, Any]:
        """Sort key -> ORDER BY expression of each sortable plugin column."""
        return {column.key: column.sort for column in self.columns if column.sort is not None}


def list_options(user: Any, core_args: frozenset[str], core_sorts: frozenset[str]) -> ListOptions:
    """Ask the plugins for ``user``'s filters and columns; a key that clashes with core's query
    arguments or sort keys, or with another plugin's, is a plugin bug."""
    filters = tuple(sorted(call("customer_list_filters", user=user), key=lambda f: f.order))
    columns = tuple(sorted(call("customer_list_columns", user=user), key=lambda c: c.order))
    keys = [f.key for f in filters]
    for flt in filters:
        if flt.kind not in FILTER_KINDS:
            raise ValueError(f"customer list filter {flt.key!r}: kind must be one of {FILTER_KINDS}")
        if flt.kind == "number" and (flt.minimum is None or flt.maximum is None):
            raise ValueError(f"customer list filter {flt.key!r}: a number filter needs minimum and maximum")
        if flt.key in core_args or keys.count(flt.key) > 1:
            raise ValueError(f"customer list filter key {flt.key!r} is taken; prefix it with the plugin name")
    clashing = [c.key for c in columns if c.sort is not None and c.key in core_sorts]
    if clashing:
        raise ValueError(f"sortable customer list columns {clashing} clash with core sort keys")
    return ListOptions(filters, columns)


def parse_value(flt: ListFilter, raw: str) -> Any:
    """The validated value of ``raw`` for ``flt``; ValueError with a message for the user otherwise."""
    if flt.kind == "number":
        value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None
        if value is None or not flt.minimum <= value <= flt.maximum:
            raise ValueError(_("“%(label)s” was ignored: enter a whole number from %(low)s to %(high)s.",
                               label=flt.label, low=flt.minimum, high=flt.maximum))
        return value
    if flt.kind == "check":
        if raw != "1":
            raise ValueError(_("“%(label)s” was ignored: it is either ticked or not.", label=flt.label))
        return True
    if flt.kind == "select":
        if raw not in dict(flt.choices):
            raise ValueError(_("“%(label)s” was ignored: choose one of its values.", label=flt.label))
        return raw
    return raw[:MAX_TEXT]


def read_filters(args: Mapping[str, str], options: ListOptions) -> tuple[dict[str, Any], list[str]]:
    """Validated plugin filter values from the request (an empty argument is no filter), and a
    message for each value that was ignored."""
    values: dict[str, Any] = {}
    ignored: list[str] = []
    for flt in options.filters:
        raw = (args.get(flt.key) or "").strip()
        if not raw:
            continue
        try:
            values[flt.key] = parse_value(flt, raw)
        except ValueError as problem:
            ignored.append(str(problem))
    return values, ignored


def as_arg(value: Any) -> str:
    """A validated filter value back as its query-string text."""
    return "1" if value is True else str(value)
