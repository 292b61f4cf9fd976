"""Event hooks fire only after the transaction that made the fact true has committed.

Listeners are isolated from each other and from the user: one that raises is logged and reported
to the administrators, the others still run, and the request that caused the event succeeds
(its work is committed already).
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import db
from core.i18n import N_
from core.notifications import notify
from core.plugins import implementations

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
    """Call the listeners of committed events; the session is usable again inside them."""
    if not has_app_context():
        return
    session = db.session()
    app = current_app._get_current_object()
    while session.info.get(READY):
        hook_name, kwargs = session.info[READY].pop(0)
        for plugin, listener in implementations(app, hook_name):
            try:
                listener(**kwargs)
            except Exception as error:  # noqa: BLE001 - a plugin's failure must not reach the user
                db.session.rollback()
                report_failure(app, plugin, hook_name, error)


def report_failure(app: Flask, plugin: str, hook_name: str, error: Exception) -> None:
    """Log the traceback and tell the administrators, in a transaction of its own."""
    app.logger.exception("listener %s of plugin %s failed", hook_name, plugin)
    try:
        notify(N_("Plugin %(plugin)s failed while handling %(event)s: %(error)s"), roles=["admin"],
               params={"plugin": plugin, "event": hook_name, "error": str(error)[:300]})
        db.session.commit()
    except Exception:  # noqa: BLE001 - the log above already holds the failure
        db.session.rollback()
        app.logger.exception("could not tell the administrators about the failure above")


def commit() -> None:
    """Commit and then deliver the events this transaction fired."""
    db.session.commit()
    dispatch_ready()
