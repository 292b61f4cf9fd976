"""Settings: defaults, instance file, environment, explicit overrides, in that order."""
from core.app import create_app
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


def test_instance_folder_from_guanxi_instance_path(tmp_path, monkeypatch):
    for name in ("GUANXI_DATABASE_URL", "GUANXI_SECRET_KEY", "GUANXI_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "srv" / "guanxi"
    folder.mkdir(parents=True)
    (folder / "guanxi.cfg").write_text('GUANXI_TIMEZONE = "Asia/Urumqi"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GUANXI_INSTANCE_PATH", "srv/guanxi")  # relative to the working directory
    app = create_app()
    assert app.instance_path == str(folder)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder / 'guanxi.db'}"
    assert (folder / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Urumqi"  # read from the folder's guanxi.cfg
    # explicit configuration still wins, as it does for every other key
    assert create_app({"INSTANCE_PATH": str(tmp_path / "other")}).instance_path == str(tmp_path / "other")


def test_guanxi_command_does_not_offer_an_app_option_it_would_ignore(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from core.cli import main

    monkeypatch.setenv("GUANXI_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("GUANXI_DATABASE_URL", raising=False)
    runner = CliRunner()
    usage = runner.invoke(main, ["--help"])
    assert usage.exit_code == 0 and "--app" not in usage.output and "--env-file" in usage.output
    assert "plugins" in usage.output  # the app was built: commands are listed
    refused = runner.invoke(main, ["--app", "elsewhere:create_app", "plugins"])
    assert refused.exit_code == 2 and "No such option" in refused.output
    listed = runner.invoke(main, ["plugins"])
    assert listed.exit_code == 0 and "logistics" in listed.output
    assert (tmp_path / "secret_key").exists()  # the instance folder came from GUANXI_INSTANCE_PATH
