"""Pytest fixtures for Guanxi and its plugins (installed as the ``guanxi`` pytest plugin).

``app`` runs each test on SQLite, and on PostgreSQL too when GUANXI_TEST_DATABASE_URL is set.
Migrations run once per database and plugin set; each test then starts from empty tables.
"""
from __future__ import annotations

import contextvars
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, select, text

from core.app import create_app

PG_URL_ENV = "GUANXI_TEST_DATABASE_URL"
_sqlite_templates: dict[tuple[str, ...] | None, Path] = {}
_pg_migrated: set[tuple[str, ...] | None] = set()


def database_backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


def ensure_postgres_database(url: str) -> None:
    """Create the test database named in ``url`` if the server does not have it yet."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                              {"name": target.database}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def reset_postgres_schema(url: str) -> None:
    ensure_postgres_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrated(app: Flask) -> None:
    from core import migrate
    from core.auth.permissions import sync_roles_and_permissions

    with app.app_context():
        migrate.upgrade(app)
        sync_roles_and_permissions()


def _empty_tables(app: Flask) -> None:
    """Delete every row except migration versions, then re-seed roles and default grants."""
    from core.auth.permissions import sync_roles_and_permissions
    from core.db import db

    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name in _existing_tables(db)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        sync_roles_and_permissions()


def _existing_tables(db: Any) -> set[str]:
    from sqlalchemy import inspect

    return {name for name in inspect(db.engine).get_table_names() if not name.startswith("alembic_version")}


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server would: the test's own app context
    (and its ``g`` and database session) never leaks into a request."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(backend: str, tmp_path: Path, plugins: list[str] | None = None,
                  **config: Any) -> Flask:
    """A migrated app on an empty database of ``backend`` with the given plugins."""
    key = tuple(plugins) if plugins is not None else None
    base = {"TESTING": True, "SECRET_KEY": "test", "GUANXI_PLUGINS": plugins,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            # a cheap hash keeps the suite fast; production keeps the scrypt default
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # background jobs run at once where they are queued (a test of the worker turns it off)
            "JOBS_IMMEDIATE": True}
    base.update(config)
    app = _build_test_app(backend, tmp_path, key, base, config)
    app.test_client_class = IsolatedClient
    return app


def _build_test_app(backend: str, tmp_path: Path, key: tuple[str, ...] | None, base: dict[str, Any],
                    config: dict[str, Any]) -> Flask:
    if backend == "postgresql":
        base["SQLALCHEMY_DATABASE_URI"] = os.environ[PG_URL_ENV]
        app = create_app(base)
        if key not in _pg_migrated:
            reset_postgres_schema(os.environ[PG_URL_ENV])
            _pg_migrated.clear()
            migrated(app)
            _pg_migrated.add(key)
        _empty_tables(app)
        return app
    if key not in _sqlite_templates or "GUANXI_EXTRA_PLUGINS" in config:
        template = tmp_path.parent / f"template-{abs(hash((key, str(config.get('GUANXI_EXTRA_PLUGINS')))))}.db"
        template.unlink(missing_ok=True)
        app = create_app({**base, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"})
        migrated(app)
        with app.app_context():
            from core.db import db

            db.engine.dispose()
        if "GUANXI_EXTRA_PLUGINS" in config:
            target = tmp_path / "guanxi.db"
            shutil.copy(template, target)
            return create_app({**base, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
        _sqlite_templates[key] = template
    target = tmp_path / "guanxi.db"
    shutil.copy(_sqlite_templates[key], target)
    return create_app({**base, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})


@pytest.fixture(params=database_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@contextmanager
def running(application: Flask) -> Iterator[Flask]:
    """``application`` inside its app context; its database connections are closed afterwards."""
    with application.app_context():
        yield application
        from core.db import db

        db.session.remove()
        db.engine.dispose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "guanxi_plugins(*names, extra=None): the plugins the ``app`` fixture enables "
        "(default: the built-in ones); ``extra`` maps names to plugin classes not installed.")


@pytest.fixture
def app(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A migrated app on an empty database; ``@pytest.mark.guanxi_plugins(...)`` picks plugins."""
    marker = request.node.get_closest_marker("guanxi_plugins")
    plugins = list(marker.args) if marker else None
    extra = marker.kwargs.get("extra") if marker else None
    with running(make_test_app(backend, tmp_path, plugins,
                               **({"GUANXI_EXTRA_PLUGINS": extra} if extra else {}))) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None,
              **kwargs: Any) -> Any:
    """POST like a browser: take the CSRF token from the page the form is on."""
    payload = {"csrf_token": csrf_token(client, page or url), **data}
    return client.post(url, data=payload, **kwargs)


def make_user(username: str, roles: tuple[str, ...] = ("rep",), region: str | None = None,
              password: str = "secret-pass") -> Any:
    from core.auth.models import Region, Role, User
    from core.db import db

    region_row = None
    if region:
        region_row = db.session.scalar(select(Region).where(Region.code == region))
        if region_row is None:
            region_row = Region(code=region, name=region.title())
            db.session.add(region_row)
    user = User(username=username, display_name=username.title(), region=region_row,
                roles=list(db.session.scalars(select(Role).where(Role.code.in_(roles)))))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_customer(name: str, owner: Any, code: str | None = None, **fields: Any) -> Any:
    """An archive created through the registry service, so plugins hear ``customer_created``."""
    from core.events import commit
    from core.registry.services import create_customer

    customer = create_customer({"name": name, "owner_id": owner.id, "region_id": owner.region_id,
                                **fields}, code=code)
    commit()
    return customer


def login(client: FlaskClient, username: str, password: str = "secret-pass") -> Any:
    return post_form(client, "/login", {"username": username, "password": password})


@pytest.fixture
def users(app: Flask) -> dict[str, Any]:
    """A small cast: two reps in two regions, their regional managers, a specialist, an admin."""
    return {
        "rep_east": make_user("rep_east", ("rep",), "east"),
        "rep_west": make_user("rep_west", ("rep",), "west"),
        "rm_east": make_user("rm_east", ("regional_manager",), "east"),
        "specialist": make_user("specialist", ("specialist",)),
        "admin": make_user("admin", ("admin",)),
    }


class QueryCounter:
    """Counts the SQL statements run while active: ``with QueryCounter() as q: ...; q.count``."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> QueryCounter:
        from sqlalchemy import event

        from core.db import db

        self._engine = db.engine
        event.listen(self._engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: Any) -> None:
        from sqlalchemy import event

        event.remove(self._engine, "before_cursor_execute", self._record)
