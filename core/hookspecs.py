"""The pluggy contract between core and plugins. Every hook is documented in docs/hooks.md.

Every hook receives ``app``; an implementation may accept only the arguments it needs.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("guanxi")
hookimpl = pluggy.HookimplMarker("guanxi")


# -- registration: called once at start-up, each returns a list ------------------------------

@hookspec
def register_blueprints(app):
    """Return a list of Flask blueprints to register."""


@hookspec
def register_permissions(app):
    """Return a list of ``core.contract.Permission``: the permission strings the plugin checks."""


@hookspec
def register_commands(app):
    """Return a list of click commands or groups added to the ``guanxi`` command."""


@hookspec
def register_documents(app):
    """Return a list of ``core.contract.Document``: printable PDFs served under /print/."""


@hookspec
def register_settings(app):
    """Return a list of ``core.contract.Setting`` keyed ``<plugin>.<name>``; checked at start-up."""


@hookspec
def load_demo_data(app, session, rng):
    """Add demo records to ``session`` (do not commit); ``rng`` is a seeded random.Random."""


# -- page composition: called per request, must be fast and free of N+1 queries ---------------

@hookspec
def menu_items(app, user):
    """Return a list of ``core.contract.MenuItem`` for the navigation of ``user``."""


@hookspec
def customer_panels(app, customer, user):
    """Return a list of ``core.contract.Panel`` shown on the customer page."""


@hookspec
def dashboard_widgets(app, user):
    """Return a list of ``core.contract.Widget`` for the dashboard of ``user``."""


@hookspec
def customer_list_columns(app, user):
    """Return a list of ``core.contract.Column`` added to the customer list."""


# -- data: how plugins learn from each other without importing each other ---------------------

@hookspec
def customer_metrics(app, customer_ids, period):
    """Return ``{customer_id: {metric_name: value}}`` for the given ids and ``core.contract.Period``."""


@hookspec
def customer_tags(app, customer_ids):
    """Return ``{customer_id: [tag, ...]}`` for the given ids."""


# -- events: past-tense facts, fired after the transaction that made them true commits ---------

@hookspec
def customer_created(app, customer):
    """A customer or prospect archive was created."""


@hookspec
def customer_updated(app, customer, changes):
    """A customer archive was edited; ``changes`` maps field to ``[old, new]``."""


@hookspec
def state_changed(app, record, workflow, transition, old_state, new_state, user):
    """A workflow transition was applied to ``record``."""


@hookspec
def order_shipped(app, order):
    """An order left the gate."""


@hookspec
def complaint_closed(app, complaint):
    """A complaint was closed."""


@hookspec
def promotion_approved(app, promotion):
    """A promotion application received its final approval."""


@hookspec
def tier_changed(app, customer, old_tier, new_tier):
    """A customer's grade changed."""
