"""Settings: defaults, instance file, environment, explicit overrides, in that order."""
from core import create_app
from core.config import parse_plugin_list


def test_defaults_use_sqlite_in_the_instance_folder_and_chinese(tmp_path, monkeypatch):
    for name in ("GUANXI_DATABASE_URL", "GUANXI_PLUGINS", "GUANXI_THEME", "GUANXI_LOCALE", "GUANXI_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'guanxi.db'}"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["GUANXI_THEME"] == "default"
    key = app.config["SECRET_KEY"]
    assert len(key) == 64 and create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"] == key


def test_instance_file_then_environment_then_overrides(tmp_path, monkeypatch):
    (tmp_path / "guanxi.cfg").write_text('GUANXI_THEME = "harvest"\nGUANXI_TIMEZONE = "Asia/Urumqi"\n'
                                         'BABEL_DEFAULT_LOCALE = "en"\n')
    monkeypatch.setenv("GUANXI_TIMEZONE", "Asia/Chongqing")
    monkeypatch.setenv("GUANXI_PLUGINS", "tiering, logistics")
    monkeypatch.setenv("GUANXI_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("GUANXI_SECRET_KEY", "from-env")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "BABEL_DEFAULT_LOCALE": "zh_CN"})
    assert app.config["GUANXI_THEME"] == "harvest"  # instance file
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Chongqing"  # environment beats the file
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"  # explicit config beats both
    assert app.config["GUANXI_PLUGINS"] == ["tiering", "logistics"]
    assert app.config["SECRET_KEY"] == "from-env"
    assert [p.name for p in app.extensions["guanxi"].enabled] == ["logistics", "tiering"]


def test_plugin_list_parsing():
    assert parse_plugin_list(None) is None
    assert parse_plugin_list("") == []
    assert parse_plugin_list(" a, b ,") == ["a", "b"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from sqlalchemy import text

    from core.db import db

    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
