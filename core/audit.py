"""The append-only audit trail: every create, update, delete and transition of audited models.

Models opt in by inheriting ``Audited`` and say how their columns read in ``__audit_fields__``.
Rows are written in the same flush as the change, so an audit row exists exactly when the change
committed. ``core.history`` turns the rows into the timeline people read.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import decimal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import has_request_context
from flask_babel import format_decimal
from flask_login import current_user
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    insert,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import db, utcnow
from core.money import money

_UNSET: Any = object()
_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("guanxi_audit_actor", default=_UNSET)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record", "record_type", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    record_type: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the archive it belongs to
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)


class AuditField:
    """How the history shows one audited column: its label, and ``format`` for a stored value.

    Without ``format`` the column's type decides (see ``core.history``), so most columns need
    only a label; ``format`` receives the value as stored in the trail (JSON: dates as ISO text).
    """

    def __init__(self, label: Any, format: Callable[[Any], str] | None = None) -> None:
        self.label = label
        self.format = format


class Money(AuditField):
    """Integer cents, read as yuan in the reader's locale: ¥60,000.00."""

    def __init__(self, label: Any) -> None:
        super().__init__(label, lambda cents: money(int(cents)))


class Weight(AuditField):
    """Integer kilograms: 12,340 kg."""

    def __init__(self, label: Any) -> None:
        super().__init__(label, lambda kg: f"{format_decimal(int(kg))} kg")


class Choice(AuditField):
    """A coded value read through its labels, e.g. ``{"visit": _l("Visit")}``."""

    def __init__(self, label: Any, labels: Mapping[Any, Any]) -> None:
        super().__init__(label, lambda value: str(labels.get(value, value)))


class Audited:
    """Mixin: changes to this model are written to the audit trail automatically.

    ``__audit_fields__`` maps each audited column to its label, or to an ``AuditField`` where the
    column's type cannot tell how its value reads (``Money``, ``Weight``, ``Choice``)::

        __audit_fields__ = {
            "number": _l("Order number"),
            "customer_id": _l("Customer"),                 # a foreign key: shows the customer's name
            "payment_cents": Money(_l("Payment received")),
            "transport": Choice(_l("Transport"), TRANSPORT),
        }

    One class attribute rather than an option on each ``mapped_column``: it is inherited and
    merged like ``__audit_exclude__`` (a mixin declares its own columns once), keeps the columns
    readable, and a plugin declares its models exactly the same way. ``undeclared_fields`` (and
    the contract test) names every audited column left without a label.

    ``__audit_label__`` names the kind of record on a timeline that shows several (rows of
    models with a ``customer_id`` also appear on that customer's timeline).

    ``__audit_permission__`` is the permission needed to read the model's history wherever it
    shows, above all on the customer page, which everyone who may see the customer opens: a
    plugin's figures (credit limits, prices) would otherwise leak there. Plugin models that
    belong to a customer must declare it (a contract test checks).
    """

    __audit_exclude__: frozenset[str] = frozenset({"version_id", "updated_at", "created_at"})
    __audit_label__: Any = None
    __audit_permission__: str | None = None
    __audit_fields__: Mapping[str, Any] = {}


def declared_fields(model: type) -> dict[str, Any]:
    """``__audit_fields__`` of ``model`` merged over its bases (a subclass wins)."""
    merged: dict[str, Any] = {}
    for klass in reversed(model.__mro__):
        merged.update(vars(klass).get("__audit_fields__", {}))
    return merged


def audited_columns(model: type) -> list[str]:
    """The columns whose changes the trail records."""
    return [attr.key for attr in inspect(model).column_attrs
            if attr.key not in model.__audit_exclude__ and not any(c.primary_key for c in attr.columns)]


def audited_models() -> dict[str, type]:
    """Table name -> audited model, for every model loaded (core's and enabled plugins')."""
    return {mapper.local_table.name: mapper.class_ for mapper in db.Model.registry.mappers
            if issubclass(mapper.class_, Audited)}


def undeclared_fields() -> dict[str, list[str]]:
    """Audited columns without a label, per model name (``__audit_label__`` when the model itself
    has none): empty when every model is declared."""
    missing = {}
    for model in audited_models().values():
        declared = declared_fields(model)
        gaps = [key for key in audited_columns(model) if key not in declared]
        if model.__audit_label__ is None:
            gaps.insert(0, "__audit_label__")
        if gaps:
            missing[model.__name__] = gaps
    return missing


@event.listens_for(Audited, "mapper_configured", propagate=True)
def _keep_old_values(mapper: Any, cls: type) -> None:
    """Load the old value before an expired attribute is overwritten, so updates show old → new."""
    for prop in mapper.column_attrs:
        getattr(cls, prop.key).impl.active_history = True


class AuditAppendOnly(RuntimeError):
    pass


@contextmanager
def acting_as(user_id: int | None) -> Iterator[None]:
    """Attribute changes to ``user_id``; ``None`` is the system itself (a sweep, a job), which the
    history shows as “System” even when it runs inside someone's request."""
    token = _actor.set(user_id)
    try:
        yield
    finally:
        _actor.reset(token)


def actor_id() -> int | None:
    explicit = _actor.get()
    if explicit is not _UNSET:
        return explicit
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return current_user.id
    return None


def plain(value: Any) -> Any:
    """A JSON-safe rendering of a column value."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


def record_event(record_type: str, record_id: int | None, action: str,
                 changes: dict[str, Any] | None = None, comment: str | None = None,
                 customer_id: int | None = None) -> None:
    """Write one audit row in the current transaction for something that is not a column change
    (an export, an import, a print); ``customer_id`` puts it on that customer's timeline.

    ``core.history`` knows how the actions ``export``, ``import``, ``print`` and ``download`` read."""
    db.session.execute(insert(AuditEvent), [{
        "at": utcnow(), "user_id": actor_id(), "record_type": record_type, "record_id": record_id,
        "customer_id": customer_id, "action": action, "changes": changes or {}, "comment": comment}])


def _row(record: Any, action: str, changes: dict[str, Any], comment: str | None,
         user_id: int | None = None) -> dict[str, Any]:
    record_type = record.__tablename__
    customer_id = record.id if record_type == "customers" else getattr(record, "customer_id", None)
    return {
        "at": utcnow(), "user_id": user_id if user_id is not None else actor_id(),
        "record_type": record_type, "record_id": getattr(record, "id", None), "customer_id": customer_id,
        "action": action, "changes": changes, "comment": comment,
    }


def _values(obj: Any, deleted: bool = False) -> dict[str, list[Any]]:
    """A created record's values as [None, new]; a deleted one's as [old, None], so the trail
    still says what was removed."""
    changes: dict[str, list[Any]] = {}
    for key in audited_columns(type(obj)):
        value = getattr(obj, key)
        if value is not None:
            changes[key] = [plain(value), None] if deleted else [None, plain(value)]
    return changes


def _column_changes(obj: Any) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in obj.__audit_exclude__:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if plain(old) != plain(new):
                changes[attr.key] = [plain(old), plain(new)]
    return changes


@event.listens_for(Session, "before_flush")
def _refuse_audit_edits(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditAppendOnly("The audit trail is append-only.")
        if isinstance(obj, Audited) and obj in session.deleted:
            # read now: after the DELETE an expired attribute can no longer be loaded
            obj.__dict__["_audit_deleted_values"] = _values(obj, deleted=True)


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session: Session, flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(_row(obj, "create", _values(obj), None))
    for obj in session.dirty:
        if not isinstance(obj, Audited):
            continue
        if "_pending_transition" not in obj.__dict__ and not session.is_modified(obj, include_collections=False):
            continue
        changes = _column_changes(obj)
        transition = obj.__dict__.pop("_pending_transition", None)
        if transition:
            name, field, comment, user_id, old, new = transition
            changes.pop(field, None)
            rows.append(_row(obj, "transition", {field: [old, new], "transition": name}, comment, user_id))
        if changes:
            rows.append(_row(obj, "update", changes, None))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(_row(obj, "delete", obj.__dict__.pop("_audit_deleted_values", {}), None))
    if rows:
        session.execute(insert(AuditEvent), rows)
