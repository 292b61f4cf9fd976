"""Plain data that hooks return: the vocabulary plugins and core share."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Permission:
    """A permission string such as ``complaints.approve`` and the roles that get it by default."""

    code: str
    label: Any
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuItem:
    label: Any
    endpoint: str
    order: int = 100
    permission: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Panel:
    """A section on the customer page; ``html`` is an already rendered, escaped fragment."""

    title: Any
    html: str
    order: int = 100


@dataclass(frozen=True)
class Widget:
    """A dashboard box; ``html`` is an already rendered, escaped fragment."""

    title: Any
    html: str
    order: int = 100


@dataclass(frozen=True)
class Column:
    """An extra customer-list column; ``values`` maps customer id to display text."""

    key: str
    label: Any
    values: Callable[[list[int]], dict[int, Any]]
    order: int = 100


@dataclass(frozen=True)
class Document:
    """A printable PDF: ``load(record_id, user)`` returns the template context or aborts 404.

    A ``confidential`` document carries on every page the mark 机密 / CONFIDENTIAL with the name of
    the person it was printed for and the time; its loader records each print with ``record_event``.
    """

    name: str
    title: Any
    template: str
    permission: str
    load: Callable[[int, Any], dict[str, Any]]
    page_size: str = "A4"
    confidential: bool = False


@dataclass(frozen=True)
class Period:
    """A half-open date range [start, end) for ``customer_metrics``."""

    start: Any
    end: Any
