"""A plugin's mistakes stop the application at start with a message naming the plugin."""
from __future__ import annotations

import importlib
import sys

import pytest
from flask import Blueprint

from core.api import Plugin, PluginError, hookimpl
from core.app import create_app
from core.contract import MenuItem, Permission


def build(tmp_path, **plugins):
    return create_app({"TESTING": True, "GUANXI_PLUGINS": list(plugins), "GUANXI_EXTRA_PLUGINS": plugins,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                       "INSTANCE_PATH": str(tmp_path / "instance")})


def refused(tmp_path, **plugins) -> str:
    with pytest.raises(PluginError) as error:
        build(tmp_path, **plugins)
    return str(error.value)


class MisspelledRole(Plugin):
    @hookimpl
    def register_permissions(self, app):
        return [Permission("credit.approve", "Approve credit", ("rep", "sales_manger"))]


class ForeignPermission(Plugin):
    @hookimpl
    def register_permissions(self, app):
        return [Permission("logistics.approve", "Approve", ())]


class TakenPermission(Plugin):
    @hookimpl
    def register_permissions(self, app):
        return [Permission("taken.view", "View", ()), Permission("taken.view", "See", ())]


class MisspelledMenu(Plugin):
    @hookimpl
    def register_blueprints(self, app):
        bp = Blueprint("credit", __name__, url_prefix="/credit")
        bp.add_url_rule("/", "index", lambda: "ok")
        return [bp]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem("Credit", "credit.indx")]


class OldApi(Plugin):
    core_api = 1


def test_unknown_role_code_names_the_plugin_the_permission_and_the_role(tmp_path):
    message = refused(tmp_path, credit=MisspelledRole)
    assert "'credit'" in message and "credit.approve" in message and "sales_manger" in message
    assert "sales_manager" in message  # the known roles are listed to pick from


def test_permission_codes_carry_the_plugin_prefix_and_are_declared_once(tmp_path):
    assert "must start with 'credit.'" in refused(tmp_path, credit=ForeignPermission)
    message = refused(tmp_path / "b", taken=TakenPermission)
    assert "taken.view" in message and "declares already" in message


def test_menu_endpoint_that_does_not_exist_names_the_plugin(tmp_path):
    message = refused(tmp_path, credit=MisspelledMenu)
    assert "'credit'" in message and "credit.indx" in message


def test_core_api_the_plugin_was_not_written_for(tmp_path):
    message = refused(tmp_path, old=OldApi)
    assert "'old'" in message and "core API 1" in message


def write_package(root, name: str, template: str):
    package = root / name
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text("from core.api import Plugin\n\n\nclass P(Plugin):\n    pass\n")
    target = package / "templates" / template
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("{% extends 'base.html' %}")
    return importlib.import_module(f"{name}.plugin").P


@pytest.fixture
def outside(tmp_path, monkeypatch):
    root = tmp_path / "outside"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    yield root
    for module in [m for m in sys.modules if m.split(".")[0] in {"shadow", "stray", "credit_module"}]:
        del sys.modules[module]


def test_template_overriding_core_without_the_prefix(tmp_path, outside):
    message = refused(tmp_path, shadow=write_package(outside, "shadow", "customers/detail.html"))
    assert "'shadow'" in message and "customers/detail.html" in message
    assert "overrides core's template" in message and "templates/shadow/" in message
    message = refused(tmp_path / "b", stray=write_package(outside, "stray", "page.html"))
    assert "'stray'" in message and "page.html" in message and "overrides" not in message


def test_a_plugin_in_a_plain_module_is_refused_with_a_sentence(tmp_path, outside):
    (outside / "credit_module.py").write_text("from core.api import Plugin\n\n\nclass Credit(Plugin):\n    pass\n")
    cls = importlib.import_module("credit_module").Credit
    message = refused(tmp_path, credit=cls)
    assert "'credit'" in message and "credit_module.py" in message and "must be a package" in message


def test_correct_plugins_pass_every_check(tmp_path):
    from tests.sample_plugin.plugin import SamplePlugin

    enabled = build(tmp_path, sampleplug=SamplePlugin).extensions["guanxi"].enabled
    assert [info.name for info in enabled] == ["sampleplug"]
