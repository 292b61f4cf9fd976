"""Benchmark data set: a feed company at real scale, seeded and deterministic.

    python -m bench.generate --size 100k --database postgresql+psycopg://postgres@127.0.0.1/guanxi_bench
    python -m bench.generate --size 10k --database sqlite:////tmp/bench.db

The database is emptied and migrated to head first. Rows go in with bulk writes (COPY on
PostgreSQL, executemany on SQLite), ids chosen here, sequences and document counters set after,
then ANALYZE. Sizes: ``10k`` and ``100k`` customers and prospects (or any number); order lines are
ten per customer over three years.

Each component's rows come from a generator registered in ``bench/data`` with ``@generator``:
``core`` first, then one per plugin (run only when the plugin is enabled). A plugin that keeps
tables adds its module there (see bench/README.md).
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

SIZES = {"tiny": 300, "1k": 1_000, "10k": 10_000, "100k": 100_000}
YEARS = 3


@dataclass
class Generator:
    component: str  # "core" or a plugin name
    run: Callable[[Context], None]
    after: tuple[str, ...] = ()


GENERATORS: dict[str, Generator] = {}


def generator(component: str, after: Sequence[str] = ("core",)) -> Callable:
    """Register the rows of ``component`` (``core`` or a plugin's name), run after ``after``."""
    def register(func: Callable[[Context], None]) -> Callable[[Context], None]:
        GENERATORS[component] = Generator(component, func, tuple(a for a in after if a != component))
        return func
    return register


def load_generators() -> None:
    import bench.data

    for module in pkgutil.iter_modules(bench.data.__path__):
        importlib.import_module(f"bench.data.{module.name}")


class Progress:
    """A one-line progress bar on stderr: rows written of the rows expected."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total, self.done, self.quiet, self.start = max(total, 1), 0, quiet, time.perf_counter()
        self.label = ""

    def step(self, rows: int, label: str) -> None:
        self.done += rows
        self.label = label
        if not self.quiet:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            sys.stderr.write(f"\r[{bar:<30}] {share:4.0%} {self.done:>10,} rows {time.perf_counter() - self.start:5.1f} s "
                             f"{label:<28}")
            sys.stderr.flush()

    def finish(self) -> None:
        if not self.quiet:
            sys.stderr.write("\n")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _pg_value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


@dataclass
class Context:
    """What a generator gets: the size, a seeded random source, the clock, the writer and the ids
    other components made (``ids["customers"]`` ...)."""

    customers: int
    rng: random.Random
    now: datetime
    connection: Any  # the DB-API connection
    dialect: str
    progress: Progress
    ids: dict[str, Any] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)  # sequences rows: series -> value
    chunk: int = 20_000

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=365 * YEARS)

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write ``rows`` (tuples in ``columns`` order) into ``table``; returns the row count."""
        cursor = self.connection.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        count = 0
        if self.dialect == "postgresql":
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([_pg_value(v) for v in row])
                    count += 1
                    if count % self.chunk == 0:
                        self.progress.step(self.chunk, table)
        else:
            marks = ", ".join("?" for _ in columns)
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 (our own table names)
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) == self.chunk:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    self.progress.step(len(batch), table)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        self.progress.step(count % self.chunk, table)
        cursor.close()
        return count

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cursor = self.connection.cursor()
        if self.dialect == "postgresql":
            cursor.execute(sql.replace("?", "%s"), params or None)  # no parameters: % is no placeholder
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        cursor.close()
        return rows

    def moment(self, days_back_max: float | None = None) -> datetime:
        """A random time in the three years (or the last ``days_back_max`` days), whole seconds."""
        span = (days_back_max or 365 * YEARS) * 86400
        return self.now - timedelta(seconds=int(self.rng.random() * span))


def order_components(enabled: Iterable[str]) -> list[Generator]:
    wanted = ["core", *enabled]
    done: list[str] = []
    pending = [GENERATORS[name] for name in wanted if name in GENERATORS]
    while pending:
        for gen in pending:
            if all(a in done or a not in wanted for a in gen.after):
                done.append(gen.component)
                pending.remove(gen)
                break
        else:
            raise RuntimeError(f"bench generators wait on each other: {[g.component for g in pending]}")
    return [GENERATORS[name] for name in done]


def expected_rows(customers: int) -> int:
    return customers * 67 // 2  # about: core 13.5 (inbox 5.7), logistics 19, complaints 0.5 per customer


def reset_database(url: str) -> None:
    from sqlalchemy import make_url

    target = make_url(url)
    if target.get_backend_name() == "postgresql":
        from core.testing import reset_postgres_schema

        reset_postgres_schema(url)
    elif target.database:
        for suffix in ("", "-wal", "-shm"):
            Path(target.database + suffix).unlink(missing_ok=True)


def build_app(url: str, plugins: list[str] | None = None) -> Any:
    from core.app import create_app

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}
    if plugins is not None:
        config["GUANXI_PLUGINS"] = plugins
    return create_app(config)


def generate(url: str, customers: int, seed: int = 2026, quiet: bool = False,
             plugins: list[str] | None = None, now: datetime | None = None) -> dict[str, int]:
    """Empty and migrate the database at ``url`` and fill it; returns rows written per component."""
    from core import migrate
    from core.auth.permissions import sync_roles_and_permissions
    from core.db import db, utcnow
    from core.plugins import host
    from core.registry import search_tables

    load_generators()
    reset_database(url)
    app = build_app(url, plugins)
    counts: dict[str, int] = {}
    with app.app_context():
        migrate.upgrade(app)
        sync_roles_and_permissions()
        db.session.commit()
        enabled = [info.name for info in host().enabled]
        with db.engine.begin() as conn:  # SQLite's search triggers: one rebuild after the load is faster
            search_tables.drop(conn)
        raw = db.engine.raw_connection()
        connection = raw.driver_connection
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            connection.execute("PRAGMA synchronous=OFF")
        progress = Progress(expected_rows(customers), quiet)
        ctx = Context(customers=customers, rng=random.Random(seed),
                      now=(now or utcnow()).replace(microsecond=0), connection=connection,
                      dialect=dialect, progress=progress)
        for gen in order_components(enabled):
            before = progress.done
            gen.run(ctx)
            counts[gen.component] = progress.done - before
        _finish(ctx)
        connection.commit()
        progress.finish()
        raw.close()
        with db.engine.begin() as conn:
            search_tables.ensure(conn)
        analyze(db.engine)
        db.engine.dispose()
    return counts


def _finish(ctx: Context) -> None:
    """Document counters past the numbers used; PostgreSQL's id sequences past the ids used."""
    ctx.write("sequences", ("series", "value"), sorted(ctx.counters.items()))
    if ctx.dialect != "postgresql":
        return
    for (table,) in ctx.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
            "AND table_schema = 'public' AND column_default LIKE 'nextval%'"):
        setval = (f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 (catalogue names)
                  f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)")
        ctx.execute(setval)


def analyze(engine: Any) -> None:
    """Planner statistics for the fresh rows (VACUUM ANALYZE on PostgreSQL, ANALYZE on SQLite)."""
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def parse_size(text: str) -> int:
    return SIZES.get(text.lower()) or int(text.lower().replace("k", "000").replace("_", ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="10k", help="10k, 100k or a number of customers")
    parser.add_argument("--database", required=True, help="SQLAlchemy URL (emptied first)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.database, parse_size(args.size), args.seed, args.quiet)
    total = sum(counts.values())
    print(f"{total:,} rows in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{name} {n:,}" for name, n in counts.items()))


if __name__ == "__main__":  # run as bench.generate, so the generators register where they are read
    from bench.generate import main as generate_main

    generate_main()
