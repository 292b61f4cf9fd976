"""The search tokens' indexes outside the models (table names below are the constants of
``SEARCHED``, never input): the migration fills the token columns, and on
SQLite an FTS5 table per searched table, kept by triggers, serves them (PostgreSQL's GIN indexes
are declared on the models).

SQLite rebuilds a table for most schema changes (Alembic's batch mode), which drops its triggers:
``ensure`` runs after every upgrade and puts back what is missing, re-indexing that table.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text

from core.registry.grams import text_grams

# table -> the columns its tokens are cut from (as the models keep them)
SEARCHED = {
    "customers": ("code", "name", "phone", "mobile", "name_initials"),
    "customer_people": ("name", "phone"),
}
BATCH = 5000


def fill_grams(connection: Any, table: str) -> None:
    """Compute the token column of every row of ``table`` (the migration's backfill)."""
    columns = SEARCHED[table]
    last = 0
    while True:
        query = f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"  # noqa: S608
        rows = connection.execute(text(query), {"last": last}).all()
        if not rows:
            return
        connection.execute(text(f"UPDATE {table} SET search_grams = :grams WHERE id = :id"),  # noqa: S608
                           [{"id": row[0], "grams": text_grams(row[1:])} for row in rows])
        last = rows[-1][0]


def _sqlite_statements(table: str) -> list[str]:
    fts = f"{table}_search"
    delete = f"INSERT INTO {fts}({fts}, rowid, search_grams) VALUES ('delete', old.id, old.search_grams);"  # noqa: S608
    insert = f"INSERT INTO {fts}(rowid, search_grams) VALUES (new.id, new.search_grams);"  # noqa: S608
    return [
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF search_grams ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def ensure(connection: Any) -> None:
    """On SQLite: the FTS5 table of each searched table and its three triggers; a table that lacked
    any is re-indexed from its rows. Nothing to do on PostgreSQL or before the token columns exist."""
    if connection.dialect.name != "sqlite":
        return
    inspector = inspect(connection)
    for table in SEARCHED:
        if table not in inspector.get_table_names() or "search_grams" not in {
                c["name"] for c in inspector.get_columns(table)}:
            continue
        fts = f"{table}_search"
        expected = {f"{fts}_insert", f"{fts}_delete", f"{fts}_update"}
        present = set(connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}).scalars())
        if expected <= present:
            continue
        connection.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
                                f"search_grams, content='{table}', content_rowid='id')"))
        for statement in _sqlite_statements(table):
            connection.execute(text(statement))
        connection.execute(text(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"))  # noqa: S608


def drop(connection: Any) -> None:
    """Undo ``ensure`` (the migration's downgrade)."""
    if connection.dialect.name != "sqlite":
        return
    for table in SEARCHED:
        fts = f"{table}_search"
        for suffix in ("insert", "delete", "update"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS {fts}_{suffix}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {fts}"))
