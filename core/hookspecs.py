"""The pluggy contract between core and plugins. Every hook is documented in docs/hooks.md.

Every hook receives ``app``; an implementation may accept only the arguments it needs. Core's
specs stay domain-neutral: a plugin declares its own events and veto hooks in its own hookspecs
module (``Plugin.hookspecs``), marked with the same ``hookspec``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Sequence

    import click
    from flask import Blueprint, Flask
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.orm import Session

    from core.approvals import ApprovalChain, ApprovalRequest, ApprovalStep, Resolver
    from core.auth.models import User
    from core.contract import (
        Column,
        Document,
        Job,
        ListFilter,
        MenuItem,
        Metric,
        Panel,
        Period,
        Permission,
        Setting,
        Widget,
    )
    from core.registry.models import Customer
    from core.tasks import Task

hookspec = pluggy.HookspecMarker("guanxi")
hookimpl = pluggy.HookimplMarker("guanxi")


# -- registration: called once at start-up, each returns a list ------------------------------

@hookspec
def register_blueprints(app: Flask) -> list[Blueprint]:
    """Return a list of Flask blueprints to register."""


@hookspec
def register_permissions(app: Flask) -> list[Permission]:
    """Return a list of ``core.contract.Permission``: the permission strings the plugin checks."""


@hookspec
def register_commands(app: Flask) -> list[click.Command]:
    """Return a list of click commands or groups added to the ``guanxi`` command."""


@hookspec
def register_documents(app: Flask) -> list[Document]:
    """Return a list of ``core.contract.Document``: printable PDFs served under /print/."""


@hookspec
def register_metrics(app: Flask) -> list[Metric]:
    """Return a list of ``core.contract.Metric``: the metrics this plugin answers in ``customer_metrics``."""


@hookspec
def register_settings(app: Flask) -> list[Setting]:
    """Return a list of ``core.contract.Setting`` keyed ``<plugin>.<name>``; checked at start-up."""


@hookspec
def register_jobs(app: Flask) -> list[Job]:
    """Return a list of ``core.contract.Job`` named ``<plugin>.<name>``: background jobs the worker
    runs when enqueued, and periodic ones (``schedule``); checked at start-up."""


@hookspec
def register_approval_chains(app: Flask) -> list[ApprovalChain]:
    """Return a list of ``core.approvals.ApprovalChain``: the approval chains of your document types."""


@hookspec
def register_reviewer_resolvers(app: Flask) -> list[Resolver]:
    """Return a list of ``core.approvals.Resolver`` named ``<plugin>.<name>``: more ways to find a reviewer."""


@hookspec
def load_demo_data(app: Flask, session: Session, rng: Any) -> None:
    """Add demo records to ``session`` (do not commit); ``rng`` is a seeded random.Random."""


# -- page composition: called per request, must be fast and free of N+1 queries ---------------

@hookspec
def menu_items(app: Flask, user: User) -> list[MenuItem]:
    """Return a list of ``core.contract.MenuItem`` for the navigation of ``user``."""


@hookspec
def customer_panels(app: Flask, customer: Customer, user: User) -> list[Panel]:
    """Return a list of ``core.contract.Panel`` shown on the customer page."""


@hookspec
def dashboard_widgets(app: Flask, user: User) -> list[Widget]:
    """Return a list of ``core.contract.Widget`` for the dashboard of ``user``."""


@hookspec
def customer_list_columns(app: Flask, user: User) -> list[Column]:
    """Return a list of ``core.contract.Column`` added to the customer list (sortable with ``sort``)."""


@hookspec
def customer_list_filters(app: Flask, user: User) -> list[ListFilter]:
    """Return a list of ``core.contract.ListFilter`` added to the customer list and customer queries."""


# -- data: how plugins learn from each other without importing each other ---------------------

@hookspec
def customer_metrics(app: Flask, customer_ids: Sequence[int] | Select, period: Period,
                     series: str | None) -> dict[int, dict[str, Any]]:
    """Return ``{customer_id: {metric: value}}`` for the customers in ``period``.

    ``customer_ids`` is a list of ids or a ``Select`` of customer ids (use ``.in_(customer_ids)``,
    which takes both); with ``series="month"`` each value is ``{"2026-01": value, ...}``.
    Call ``core.metrics.customer_metrics``, never this hook directly.
    """


@hookspec(firstresult=True)
def customer_size_class(app: Flask) -> ColumnElement[str] | None:
    """Return an SQL expression of a customer's size class (A/B/C) correlated to ``Customer``, which
    replaces the typed field in the customer list, its filter and sort, exports and the archive;
    or None. The first plugin answering wins."""


@hookspec
def customer_tags(app: Flask, customer_ids: Sequence[int]) -> dict[int, list[str]]:
    """Return ``{customer_id: [tag, ...]}`` for the given ids."""


# -- events: past-tense facts, fired after the transaction that made them true commits ---------

@hookspec
def customer_created(app: Flask, customer: Customer) -> None:
    """A customer or prospect archive was created."""


@hookspec
def customer_updated(app: Flask, customer: Customer, changes: dict[str, list[Any]]) -> None:
    """A customer archive was edited; ``changes`` maps field to ``[old, new]``."""


@hookspec
def state_changed(app: Flask, record: Any, workflow: str, transition: str, old_state: str,
                  new_state: str, user: User) -> None:
    """A workflow transition was applied to ``record``."""


@hookspec
def task_assigned(app: Flask, task: Task) -> None:
    """A task was created for a user or a queue (``core.tasks.create_task``)."""


@hookspec
def task_completed(app: Flask, task: Task, user: User) -> None:
    """``user`` completed ``task``; ``task.decision`` says how (done, approved, declined, sent_back)."""


@hookspec
def task_overdue(app: Flask, task: Task, stage: str) -> None:
    """The deadline sweep reached a stage of an open task: ``"warning"`` (its warning share of the
    budget), ``"escalated"`` (100 %, the next level up was told) or ``"escalated_again"`` (200 %,
    the general manager was told)."""


@hookspec
def approval_decided(app: Flask, approval: ApprovalRequest, step: ApprovalStep, decision: str,
                     outcome: str, record: Any, user: User) -> None:
    """A reviewer decided a step of ``record``'s review: ``decision`` is approved, declined or
    sent_back; ``outcome`` the round's state after it (pending while steps remain, approved,
    rejected, sent_back)."""
