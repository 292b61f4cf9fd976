"""The append-only audit trail: every create, update, delete and transition of audited models.

Models opt in by inheriting ``Audited``. Rows are written in the same flush as the change, so an
audit row exists exactly when the change committed.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_request_context
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
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import db, utcnow

_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("guanxi_audit_actor", default=None)


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


class Audited:
    """Mixin: changes to this model are written to the audit trail automatically.

    Rows of models with a ``customer_id`` also appear on that customer's timeline, labelled with
    ``__audit_label__``.
    """

    __audit_exclude__: frozenset[str] = frozenset({"version_id", "updated_at", "created_at"})
    __audit_label__: Any = None


@event.listens_for(Audited, "mapper_configured", propagate=True)
def _keep_old_values(mapper: Any, cls: type) -> None:
    """Load the old value before an expired attribute is overwritten, so updates show old → new."""
    for prop in mapper.column_attrs:
        getattr(cls, prop.key).impl.active_history = True


class AuditAppendOnly(RuntimeError):
    pass


@contextmanager
def acting_as(user_id: int | None) -> Iterator[None]:
    """Attribute changes made outside a request (CLI, jobs) to ``user_id``."""
    token = _actor.set(user_id)
    try:
        yield
    finally:
        _actor.reset(token)


def actor_id() -> int | None:
    explicit = _actor.get()
    if explicit is not None:
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
    return str(value)


def record_event(record_type: str, record_id: int | None, action: str,
                 changes: dict[str, Any] | None = None, comment: str | None = None) -> None:
    """Write one audit row in the current transaction for something that is not a column change
    (an export, an import, a print)."""
    db.session.execute(insert(AuditEvent), [{
        "at": utcnow(), "user_id": actor_id(), "record_type": record_type, "record_id": record_id,
        "action": action, "changes": changes or {}, "comment": comment}])


def _row(record: Any, action: str, changes: dict[str, Any], comment: str | None,
         user_id: int | None = None) -> dict[str, Any]:
    record_type = record.__tablename__
    customer_id = record.id if record_type == "customers" else getattr(record, "customer_id", None)
    return {
        "at": utcnow(), "user_id": user_id if user_id is not None else actor_id(),
        "record_type": record_type, "record_id": getattr(record, "id", None), "customer_id": customer_id,
        "action": action, "changes": changes, "comment": comment,
    }


def _column_changes(obj: Any, created: bool) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in obj.__audit_exclude__:
            continue
        history = state.attrs[attr.key].history
        if created:
            value = getattr(obj, attr.key)
            if value is not None and attr.key != "id":
                changes[attr.key] = [None, plain(value)]
        elif history.has_changes():
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


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session: Session, flush_context: Any) -> None:
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(_row(obj, "create", _column_changes(obj, created=True), None))
    for obj in session.dirty:
        if not isinstance(obj, Audited):
            continue
        if "_pending_transition" not in obj.__dict__ and not session.is_modified(obj, include_collections=False):
            continue
        changes = _column_changes(obj, created=False)
        transition = obj.__dict__.pop("_pending_transition", None)
        if transition:
            name, field, comment, user_id, old, new = transition
            changes.pop(field, None)
            rows.append(_row(obj, "transition", {field: [old, new], "transition": name}, comment, user_id))
        if changes:
            rows.append(_row(obj, "update", changes, None))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(_row(obj, "delete", {}, None))
    if rows:
        session.execute(insert(AuditEvent), rows)


def record_labels() -> dict[str, Any]:
    """Table name -> what the timeline calls such a record, from the audited models."""
    return {mapper.local_table.name: mapper.class_.__audit_label__ for mapper in db.Model.registry.mappers
            if issubclass(mapper.class_, Audited) and mapper.class_.__audit_label__ is not None}


def timeline(record: Any, limit: int = 200) -> list[dict[str, Any]]:
    """Audit rows of one record, newest first, with the actor's name (one query).

    For a customer this includes the rows of every record that belongs to it, core's and plugins'.
    """
    from core.auth.models import User

    own = (AuditEvent.record_type == record.__tablename__) & (AuditEvent.record_id == record.id)
    if record.__tablename__ == "customers":
        own = own | (AuditEvent.customer_id == record.id)
    stmt = (
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(own)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    labels = record_labels()
    return [{"event": ev, "who": who,
             "about": labels.get(ev.record_type) if ev.record_type != record.__tablename__ else None}
            for ev, who in db.session.execute(stmt)]
