"""Guanxi core. Plugins import what they use from ``core.api``; ``core.app.create_app`` builds the
application (for a WSGI server: ``core.app:create_app()``)."""
