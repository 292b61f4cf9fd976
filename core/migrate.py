"""Per-component Alembic migrations: core and each plugin keep their own revisions and version table.

Core owns the one env.py; a component is only its ``versions`` folder. ``upgrade`` migrates core,
then the enabled plugins in dependency order, all in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Table

from core.db import db
from core.registry import search_tables

CORE_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Component:
    name: str
    versions: Path
    package: str

    @property
    def version_table(self) -> str:
        return "alembic_version_core" if self.name == "core" else f"alembic_version_{self.name}"


def components(app: Flask) -> list[Component]:
    comps = [Component("core", CORE_MIGRATIONS / "versions", "core")]
    for info in app.extensions["guanxi"].enabled:
        folder = info.cls.root() / "migrations" / "versions"
        comps.append(Component(info.name, folder, info.cls.package()))
    return comps


def component_tables(app: Flask, component: Component) -> set[str]:
    """Tables owned by ``component``: mapped by its modules, or (unmapped) carrying its prefix."""
    host = app.extensions["guanxi"]
    plugin_names = set(host.installed)
    owned: set[str] = set()
    mapped: set[str] = set()
    for mapper in db.Model.registry.mappers:
        module = mapper.class_.__module__
        for table in mapper.tables:
            mapped.add(table.name)
            if module == component.package or module.startswith(component.package + "."):
                owned.add(table.name)
    for name, table in db.metadata.tables.items():
        if name in mapped or not isinstance(table, Table):
            continue
        prefix_owner = next((p for p in plugin_names if name.startswith(f"{p}_")), "core")
        if prefix_owner == component.name:
            owned.add(name)
    return owned


def alembic_config(app: Flask, component: Component, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    cfg.set_main_option("version_locations", str(component.versions))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes.update(component=component, tables=component_tables(app, component),
                          connection=connection)
    return cfg


def upgrade(app: Flask, only: str | None = None) -> list[str]:
    """Upgrade core and enabled plugins to head; returns the component names migrated."""
    done = []
    with db.engine.begin() as connection:
        for comp in components(app):
            if only and comp.name != only:
                continue
            if not comp.versions.is_dir():
                continue
            command.upgrade(alembic_config(app, comp, connection), "heads")
            done.append(comp.name)
        search_tables.ensure(connection)  # SQLite's search triggers, lost when a table is rebuilt
    return done


def analyze() -> None:
    """Planner statistics on SQLite, which never gathers them by itself (PostgreSQL's autovacuum
    does): without them it picks, e.g., the state index over the month-day index of the dashboard."""
    if db.engine.dialect.name == "sqlite":
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def revision(app: Flask, component_name: str, message: str, autogenerate: bool = True) -> None:
    """Write a new revision for one component (for plugin authors and core developers)."""
    comp = next(c for c in components(app) if c.name == component_name)
    comp.versions.mkdir(parents=True, exist_ok=True)
    with db.engine.begin() as connection:
        cfg = alembic_config(app, comp, connection)
        command.revision(cfg, message=message, autogenerate=autogenerate,
                         branch_label=component_name if not any(comp.versions.glob("*.py")) else None)


def schema_differences(app: Flask) -> list[tuple]:
    """Differences between the migrated database and the models of core and enabled plugins."""
    diffs: list[tuple] = []
    with db.engine.connect() as connection:
        for comp in components(app):
            tables = component_tables(app, comp)
            ctx = MigrationContext.configure(connection, opts={
                "include_object": _only(tables, comp.version_table),
                "compare_type": True,
            })
            diffs += compare_metadata(ctx, db.metadata)
    return diffs


def _only(tables: set[str], version_table: str):
    def include(obj, name, type_, reflected, compare_to):
        table_name = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        if type_ == "table" and reflected and name.startswith("alembic_version"):
            return False
        return table_name in tables if table_name else True

    return include
