"""Core dashboard widgets."""
from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.contract import Widget
from core.db import db
from core.registry.models import Customer
from core.visibility import visible


def awaiting_my_action(user: Any) -> list[Widget]:
    """Archives waiting in a state this user can move on (one grouped query)."""
    waiting_states = {t.source[0]: t for t in Customer.__workflow__.transitions.values()
                      if user.can(t.permission) and t.name != "send_back"}
    if not waiting_states:
        return []
    rows = db.session.execute(
        select(Customer.state, func.count()).where(visible(Customer, user),
                                                    Customer.state.in_(waiting_states))
        .group_by(Customer.state)).all()
    counts = dict(rows)
    items = [(waiting_states[state], counts.get(state, 0)) for state in waiting_states]
    html = render_template("customers/widget_awaiting.html", items=items)
    return [Widget(_l("Archives awaiting you"), html, order=10)]
