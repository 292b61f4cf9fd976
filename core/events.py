"""Event hooks fire only after the transaction that made the fact true has committed."""
from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import db

PENDING = "guanxi_pending_events"
READY = "guanxi_ready_events"


def fire_after_commit(hook_name: str, **kwargs: Any) -> None:
    """Queue ``hook_name`` to be called once the current transaction commits (never on rollback)."""
    db.session().info.setdefault(PENDING, []).append((hook_name, kwargs))


@event.listens_for(Session, "after_commit")
def _promote(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if pending:
        session.info.setdefault(READY, []).extend(pending)


@event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, previous_transaction: Any) -> None:
    session.info.pop(PENDING, None)


def dispatch_ready() -> None:
    """Call the hooks of committed events; the session is usable again inside them."""
    if not has_app_context():
        return
    session = db.session()
    app = current_app._get_current_object()
    hook = app.extensions["guanxi"].hook
    while session.info.get(READY):
        hook_name, kwargs = session.info[READY].pop(0)
        getattr(hook, hook_name)(app=app, **kwargs)


def commit() -> None:
    """Commit and then deliver the events this transaction fired."""
    db.session.commit()
    dispatch_ready()
