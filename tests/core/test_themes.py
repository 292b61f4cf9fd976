"""Themes change branding without copying templates; lookup order is theme, plugins, core."""
import pytest

from core.app import create_app
from core.testing import login, make_test_app, make_user
from core.themes import build_loader, load_theme


def test_default_theme_brand(client, users):
    login(client, "rep_east")
    html = client.get("/").get_data(as_text=True)
    assert "关系客户管理" in html and "--brand: #1f5f8b" in html and "logo.svg" in html


def test_harvest_theme_changes_name_colours_logo_and_footer(tmp_path):
    app = make_test_app("sqlite", tmp_path, GUANXI_THEME="harvest")
    with app.app_context():
        make_user("rep", ("rep",), "east")
    client = app.test_client()
    login(client, "rep")
    html = client.get("/").get_data(as_text=True)
    assert "丰收饲料有限公司" in html and "--brand: #3d7a2a" in html
    assert "harvest-logo.svg" in html and "优质饲料，足斤足两" in html
    assert client.get("/static/themes/harvest-logo.svg").status_code == 200
    assert client.get("/static/themes/logo.svg").status_code == 200  # falls back to the default theme
    # the theme extends core's layout: the navigation is still core's
    assert 'href="/customers/"' in html


def test_unknown_theme_fails_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="Unknown theme 'nope'"):
        create_app({"GUANXI_THEME": "nope", "SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})


def test_lookup_order_theme_then_plugin_then_core_with_prefixes(tmp_path):
    theme_dir = tmp_path / "t" / "templates"
    plugin_dir = tmp_path / "p"
    (theme_dir / "x").mkdir(parents=True)
    (plugin_dir / "x").mkdir(parents=True)
    (theme_dir / "x" / "page.html").write_text("theme[{% include 'demo:x/page.html' %}]")
    (plugin_dir / "x" / "page.html").write_text("plugin")
    (plugin_dir / "x" / "only.html").write_text("plugin-only")
    theme = load_theme("default")
    theme.path = tmp_path / "t"
    from jinja2 import Environment

    env = Environment(loader=build_loader([theme], {"demo": plugin_dir}))
    assert env.get_template("x/page.html").render() == "theme[plugin]"
    assert env.get_template("x/only.html").render() == "plugin-only"
    assert "<!doctype html>" in env.loader.get_source(env, "core:base.html")[0]
