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
    """A printable PDF: ``load(record_id, user)`` returns the template context or aborts 404."""

    name: str
    title: Any
    template: str
    permission: str
    load: Callable[[int, Any], dict[str, Any]]
    page_size: str = "A4"


@dataclass(frozen=True)
class Period:
    """A half-open date range [start, end) for ``customer_metrics``."""

    start: Any
    end: Any


@dataclass(frozen=True)
class Setting:
    """A declared setting, returned by ``register_settings``; read it with ``core.settings.setting(key)``.

    ``key`` is ``<plugin>.<name>`` (core's are ``core.<name>``). ``type`` is one of ``int``,
    ``decimal`` (a ``Decimal``, never a float), ``bool``, ``str``, ``choice`` (one of ``choices``,
    ``(value, label)`` pairs with text values) or ``json`` (plain JSON data that ``validate`` turns into the value
    the plugin reads, raising ``ValueError`` with a message for the person who typed it).
    ``minimum``/``maximum`` bound ``int`` and ``decimal``; ``validate`` may also refine the other
    types. A *deployment* setting (URLs, paths, secrets) comes from the environment or the instance
    file as ``GUANXI_<PLUGIN>_<NAME>`` (core: ``GUANXI_<NAME>``) and is read-only on the settings
    page; a *company* setting is stored in the database and changed there by an administrator.
    ``secret`` settings (deployment only) are never shown.
    """

    key: str
    type: str
    default: Any
    label: Any
    description: Any = ""
    scope: str = "company"
    choices: tuple[tuple[str, Any], ...] = ()
    minimum: Any = None
    maximum: Any = None
    max_length: int = 200
    secret: bool = False
    validate: Callable[[Any], Any] | None = None
