"""The yardsticks bench/run measures beside Guanxi, served by the same gunicorn settings:

``/hello``: a bare Flask answer; ``/reference``: a minimal Flask + SQLAlchemy + Jinja page listing
the same 50 customers as page 1 of the customer list (code, name, type, size, region, owner, state).
"""
from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Customers</title></head><body>
<h1>Customers</h1><table><thead><tr><th>Code</th><th>Name</th><th>Type</th><th>Size</th><th>Region</th>
<th>Owner</th><th>State</th></tr></thead><tbody>
{% for c in customers %}<tr><td><a href="/customers/{{ c.id }}">{{ c.code }}</a></td><td>{{ c.name }}</td>
<td>{{ c.business_type }}</td><td>{{ c.size_class or "" }}</td><td>{{ c.region or "" }}</td><td>{{ c.owner or "" }}</td>
<td>{{ c.state }}</td></tr>{% endfor %}</tbody></table></body></html>"""
QUERY = text("SELECT c.id, c.code, c.name, c.business_type, c.size_class, r.name AS region, "
             "u.display_name AS owner, c.state FROM customers c LEFT JOIN regions r ON r.id = c.region_id "
             "LEFT JOIN users u ON u.id = c.owner_id ORDER BY c.code LIMIT 50")

app = Flask(__name__)
engine = create_engine(os.environ.get("BENCH_DATABASE_URL", "sqlite://"))


@app.route("/hello")
def hello() -> str:
    return "Hello"


@app.route("/reference")
def reference() -> str:
    with engine.connect() as conn:
        customers = conn.execute(QUERY).all()
    return render_template_string(PAGE, customers=customers)
