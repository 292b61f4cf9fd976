"""The benchmark tools run to the end at a small size: the generator's rows keep the schema's
constraints and match the models, and bench/run measures every page without an error. No timing
is asserted: the numbers are for docs/performance.md, not for tests."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import create_engine, make_url, select, text

from bench import run
from bench.generate import build_app, generate
from core.registry.grams import text_grams
from core.registry.models import Customer
from core.testing import PG_URL_ENV

SMALL = 60


def bench_urls(tmp_path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'bench.db'}"]
    if os.environ.get(PG_URL_ENV):  # a database of its own beside the tests' one
        target = make_url(os.environ[PG_URL_ENV])
        urls.append(target.set(database=f"{target.database}_bench").render_as_string(hide_password=False))
    return urls


def searched(url: str, q: str) -> tuple[set[str], set[str]]:
    """Codes the customer list's search finds on generated data through its token index, and
    those the plain ``LIKE`` finds."""
    from core.auth.models import User

    app = build_app(url)
    with app.app_context():
        from core.db import db
        from core.registry.search import CustomerFilter, customer_query, text_condition

        gm = db.session.scalar(select(User).where(User.username == "gm"))
        found = set(db.session.scalars(customer_query(CustomerFilter(q=q), gm).with_only_columns(Customer.code)))
        plain = set(db.session.scalars(select(Customer.code).where(text_condition(q, people=True))))
        db.engine.dispose()
    return found, plain


def schema_differences(url: str) -> list:
    from core import migrate

    app = build_app(url)
    with app.app_context():
        from core.db import db

        diffs = migrate.schema_differences(app)
        db.engine.dispose()
    return diffs


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_generated_data_keeps_the_constraints(tmp_path, kind):
    urls = [u for u in bench_urls(tmp_path) if u.startswith(kind)]
    if not urls:
        pytest.skip(f"needs {PG_URL_ENV}")
    url = urls[0]
    counts = generate(url, SMALL, quiet=True)
    assert counts["core"] > SMALL and counts["logistics"] > SMALL and counts["promotions"] > SMALL // 20
    assert schema_differences(url) == []
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM customers")).scalar() == SMALL
        lines = conn.execute(text("SELECT COUNT(*) FROM logistics_order_lines")).scalar()
        assert 6 * SMALL < lines < 14 * SMALL  # about ten order lines per customer
        again = [tuple(r) for r in conn.execute(text("SELECT code, name, phone FROM customers ORDER BY id"))]
        tokens = conn.execute(text("SELECT code, name, phone, mobile, name_initials, search_grams FROM customers")).all()
        assert all(row[5] == text_grams(row[:5]) for row in tokens)  # as the model keeps them
    engine.dispose()
    found, plain = searched(url, tokens[0][1][2:4])  # a two-character fragment of a generated name
    assert found == plain and found
    if kind == "sqlite":
        path = make_url(url).database
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    generate(url, SMALL, quiet=True)  # seeded: the same rows again
    engine = create_engine(url)
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(text("SELECT code, name, phone FROM customers ORDER BY id"))] == again
    engine.dispose()


def test_a_new_order_after_generation_gets_a_fresh_number(tmp_path):
    url = bench_urls(tmp_path)[0]
    generate(url, SMALL, quiet=True)
    app = build_app(url)
    with app.app_context():
        from core.db import db
        from core.registry.services import create_customer

        customer = create_customer({"name": "新客户饲料经销部", "owner_id": 1})
        db.session.commit()
        assert customer.code == f"C{SMALL + 1:06d}"
        db.engine.dispose()


def test_benchmark_runs_to_the_end(tmp_path, capsys):
    url = bench_urls(tmp_path)[0]
    reports = run.main(["--database", url, "--generate", "tiny", "--driver", "python", "--requests", "1",
                        "--connections", "2", "--batch", "2", "--workers", "1", "--duration", "10", "--quiet"])
    results = reports[0]["results"]
    names = {r["name"] for r in results}
    assert {"bare Flask hello", "reference page (50 customers)", "customer list, page 1", "station",
            "ticket PDF", "dashboard (production)", "promotions list", "promotion application",
            "promotion evaluation (2,000 targets)", "tiering overview (charts)", "customer list by grade (key)",
            "contact plan compliance"} <= names
    assert [(r["name"], r["status"], r["error"]) for r in results if r["status"] != 200 or r["error"]] == []
    assert reports[0]["memory_mib"]["guanxi"]
    assert reports[0]["recompute_s"] is not None  # guanxi tiering recompute over the generated company
    out = capsys.readouterr().out
    assert "| customer list, page 1 |" in out and "tiering recompute of every customer:" in out
