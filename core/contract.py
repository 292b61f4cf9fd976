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
    """An extra customer-list column; ``values`` maps customer id to display text.

    ``sort``, when given, is an ORDER BY expression on ``Customer`` (e.g. a correlated scalar
    subquery), which makes the column sortable by its ``key``.
    """

    key: str
    label: Any
    values: Callable[[list[int]], dict[int, Any]]
    order: int = 100
    sort: Any = None


FILTER_KINDS = ("select", "number", "check", "text")


@dataclass(frozen=True)
class ListFilter:
    """A filter on the customer list and in every customer query (exports too).

    ``key`` is its query-string argument: prefix it with the plugin name. Core validates the
    argument by ``kind`` and calls ``condition(value)`` for an SQL condition on ``Customer``
    (e.g. ``Customer.id.in_(subquery)``) with an ``int`` within ``minimum``/``maximum`` for
    "number", ``True`` for "check", a key of ``choices`` for "select", a stripped string for "text".
    """

    key: str
    label: Any
    condition: Callable[[Any], Any]
    kind: str = "select"
    choices: tuple[tuple[str, Any], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    order: int = 100


@dataclass(frozen=True)
class Document:
    """A printable PDF: ``load(record_id, user)`` returns the template context or aborts 404.

    A ``confidential`` document carries on every page the mark 机密 / CONFIDENTIAL with the name of
    the person it was printed for and the time; its loader records each print with ``record_event``.
    ``page_size`` is a CSS page size, or a function answering one when printing (a setting).
    """

    name: str
    title: Any
    template: str
    permission: str
    load: Callable[[int, Any], dict[str, Any]]
    page_size: str | Callable[[], str] = "A4"
    confidential: bool = False


@dataclass(frozen=True)
class Period:
    """A half-open range [start, end) of UTC datetimes for ``customer_metrics``; None is open."""

    start: Any
    end: Any


@dataclass(frozen=True)
class Metric:
    """A figure a plugin answers in ``customer_metrics``, declared by ``register_metrics``.

    ``unit`` says how to read the value (kg, cents, count, datetime); ``per_month`` is False for
    figures that do not add up by month (a first order date), which monthly series leave out.
    """

    name: str
    unit: str
    label: Any
    description: Any = ""
    per_month: bool = True


@dataclass(frozen=True)
class Refusal:
    """What a veto hook returns to stop an action; ``reason`` is shown to the user."""

    reason: Any


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


@dataclass(frozen=True)
class Job:
    """A background job, returned by ``register_jobs``; run by ``guanxi worker``.

    ``name`` is ``<plugin>.<name>`` (core's are ``core.<name>``); enqueue it by that name.
    ``function`` runs inside an application context with a database session of its own, committed
    when it returns (through ``core.events.commit``, so event hooks fire) and rolled back when it
    raises. ``schedule``, a ``crontab(...)`` read in the company's time zone, makes it periodic:
    the worker then calls it without arguments. ``title`` names it on the job page.
    ``retries``/``retry_delay`` (seconds) retry a failing untracked run.
    """

    name: str
    function: Callable[..., Any]
    schedule: Callable[[Any], bool] | None = None
    title: Any = ""
    retries: int = 0
    retry_delay: int = 0
