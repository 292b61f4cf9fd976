"""Migrations bring an empty database to a schema identical to the models, per component."""
import os
from itertools import combinations

import pytest
from sqlalchemy import inspect, make_url

from core import migrate
from core.app import create_app
from core.db import db
from core.testing import PG_URL_ENV, login, make_test_app, make_user, reset_postgres_schema
from tests.sample_plugin.plugin import SamplePlugin

BUILTIN = ["complaints", "logistics", "promotions", "tiering"]


def fresh_url(backend, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    url = make_url(os.environ[PG_URL_ENV])
    url = url.set(database=f"{url.database}_schema").render_as_string(hide_password=False)
    reset_postgres_schema(url)
    return url


def test_empty_database_upgrades_to_a_schema_matching_the_models(backend, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_url(backend, tmp_path),
                      "GUANXI_PLUGINS": BUILTIN + ["sampleplug"],
                      "GUANXI_EXTRA_PLUGINS": {"sampleplug": SamplePlugin},
                      "INSTANCE_PATH": str(tmp_path / "i")})
    with app.app_context():
        done = migrate.upgrade(app)
        assert done[0] == "core" and sorted(done[1:]) == sorted([*BUILTIN, "sampleplug"])
        names = set(inspect(db.engine).get_table_names())
        assert {"users", "customers", "audit_events", "sampleplug_notes"} <= names
        assert {"alembic_version_core", "alembic_version_sampleplug"} <= names
        assert migrate.schema_differences(app) == []
        assert migrate.upgrade(app)  # a second run is a no-op, not an error
        assert migrate.schema_differences(app) == []
        db.engine.dispose()


def test_schema_check_notices_a_missing_table(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                      "GUANXI_PLUGINS": ["sampleplug"], "GUANXI_EXTRA_PLUGINS": {"sampleplug": SamplePlugin},
                      "INSTANCE_PATH": str(tmp_path / "i")})
    with app.app_context():
        migrate.upgrade(app, only="core")
        diffs = migrate.schema_differences(app)
        assert any(d[0] == "add_table" and d[1].name == "sampleplug_notes" for d in diffs)


def test_cli_db_upgrade_migrates_core_then_plugins(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}",
                      "GUANXI_PLUGINS": ["tiering"], "INSTANCE_PATH": str(tmp_path / "i")})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "core, tiering" in result.output
    check = app.test_cli_runner().invoke(args=["db", "check"])
    assert check.exit_code == 0 and "matches" in check.output


SUBSETS = [list(c) for n in range(len(BUILTIN) + 1) for c in combinations(BUILTIN, n)]


@pytest.mark.parametrize("subset", SUBSETS, ids=lambda s: "+".join(s) or "none")
def test_plugin_matrix_boots_migrates_and_renders(subset, tmp_path):
    app = make_test_app("sqlite", tmp_path, plugins=subset)
    client = app.test_client()
    with app.app_context():
        make_user("admin", ("admin",))
    login(client, "admin")
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    html = dashboard.get_data(as_text=True)
    for name in BUILTIN:
        page = client.get(f"/{name}/")
        if name in subset:
            assert f'href="/{name}/"' in html, f"menu lacks {name}"
            assert page.status_code == 200
        else:
            assert f'href="/{name}/"' not in html
            assert page.status_code == 404
    assert client.get("/customers/").status_code == 200
    assert client.get("/admin/plugins").status_code == 200
