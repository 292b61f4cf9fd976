"""Each plugin translates in its own gettext domain: it never changes a core word, two plugins
may translate one message id differently, a ``zh_CN`` folder works, catalogues are per app and
compiled by the catalogue tool, never by the running application."""
from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from click.testing import CliRunner

from core.cli import main
from core.db import db
from core.testing import login, make_test_app, make_user

PLUGIN_PY = '''
from flask import Blueprint, render_template

from core.api import Plugin, hookimpl
from core.contract import MenuItem
from core.i18n import Domain

_l = Domain("{name}").lazy_gettext
bp = Blueprint("{name}", __name__, url_prefix="/{name}")


@bp.route("/")
def page():
    return render_template("{name}/page.html")


class {cls}(Plugin):
    @hookimpl
    def register_blueprints(self, app):
        return [bp]

    @hookimpl
    def menu_items(self, app, user):
        return [MenuItem(_l("Notes"), "{name}.page", order=99)]
'''
PAGE = ('{% extends "base.html" %}{% block content %}<p id="expr">{{ _("Save") }}</p>'
        '<p id="block">{% trans %}Save{% endtrans %}</p>{% endblock %}')


def write_plugin(root: Path, name: str, folder: str, save: str, notes: str) -> Path:
    """A plugin package whose catalogue translates a core word (Save) and core's Log out."""
    package = root / name
    (package / "templates" / name).mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(PLUGIN_PY.format(name=name, cls=name.title() + "Plugin"))
    (package / "templates" / name / "page.html").write_text(PAGE)
    catalog = Catalog(locale="zh_CN")
    for message, text in (("Save", save), ("Log out", "走人"), ("Notes", notes)):
        catalog.add(message, text)
    po_path = package / "translations" / folder / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True)
    with po_path.open("wb") as handle:
        write_po(handle, catalog)
    return package


def plugin_class(name: str) -> type:
    return getattr(importlib.import_module(f"{name}.plugin"), name.title() + "Plugin")


@pytest.fixture
def outside_plugins(tmp_path, monkeypatch):
    root = tmp_path / "outside"
    monkeypatch.syspath_prepend(str(root))
    folders = {"alpha": write_plugin(root, "alpha", "zh_CN", "阿存", "阿注"),
               "beta": write_plugin(root, "beta", "zh_Hans_CN", "贝存", "贝注")}
    yield folders
    for name in folders:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


def compile_catalogues(*folders: Path) -> None:
    result = CliRunner().invoke(main, ["i18n", "compile", *map(str, folders)])
    assert result.exit_code == 0, result.output


def text_of(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', html).group(1)


def app_with(tmp_path: Path, names: list[str]):
    folder = tmp_path / "-".join(names)
    folder.mkdir()
    return make_test_app("sqlite", folder, plugins=names,
                         GUANXI_EXTRA_PLUGINS={n: plugin_class(n) for n in names})


def logged_in(app) -> object:
    with app.app_context():
        make_user("reader", ("rep",))
    client = app.test_client()
    login(client, "reader")
    return client


def test_two_plugins_translate_one_message_differently_and_core_keeps_its_words(
        tmp_path, outside_plugins):
    compile_catalogues(*outside_plugins.values())
    client = logged_in(app_with(tmp_path, ["alpha", "beta"]))
    alpha = client.get("/alpha/").get_data(as_text=True)
    beta = client.get("/beta/").get_data(as_text=True)
    assert text_of(alpha, "expr") == text_of(alpha, "block") == "阿存"  # a zh_CN folder is read
    assert text_of(beta, "expr") == text_of(beta, "block") == "贝存"  # and a zh_Hans_CN one
    for page in (alpha, beta):
        assert "退出" in page and "走人" not in page  # base.html's words stay core's
        assert "阿注" in page and "贝注" in page  # each menu label in its plugin's domain
    customer_form = client.get("/customers/new").get_data(as_text=True)
    assert "保存" in customer_form and "阿存" not in customer_form and "贝存" not in customer_form


def test_translations_belong_to_the_app_not_the_process(tmp_path, outside_plugins):
    compile_catalogues(*outside_plugins.values())
    only_alpha = logged_in(app_with(tmp_path, ["alpha"]))
    only_beta = logged_in(app_with(tmp_path, ["beta"]))
    assert text_of(only_beta.get("/beta/").get_data(as_text=True), "expr") == "贝存"
    assert text_of(only_alpha.get("/alpha/").get_data(as_text=True), "expr") == "阿存"
    assert only_alpha.get("/beta/").status_code == 404


def test_the_app_never_compiles_catalogues_itself(tmp_path, outside_plugins, caplog):
    mo_files = list(outside_plugins["alpha"].glob("translations/*/LC_MESSAGES/*.mo"))
    assert mo_files == []
    client = logged_in(app_with(tmp_path, ["alpha"]))
    assert text_of(client.get("/alpha/").get_data(as_text=True), "expr") == "保存"  # core's fallback
    assert list(outside_plugins["alpha"].glob("translations/*/LC_MESSAGES/*.mo")) == []
    assert "guanxi i18n compile" in caplog.text


def test_catalogue_tool_extracts_and_checks_a_plugin_outside_the_repository(tmp_path, outside_plugins):
    folder = outside_plugins["beta"]
    shutil.rmtree(folder / "translations")
    runner = CliRunner()
    updated = runner.invoke(main, ["i18n", "update", str(folder)])
    assert updated.exit_code == 0, updated.output
    assert "beta zh_CN: 2 untranslated" in updated.output  # Save and Notes; en repeats the ids
    english = (folder / "translations" / "en" / "LC_MESSAGES" / "messages.po").read_text()
    assert 'msgid "Notes"\nmsgstr "Notes"' in english
    check = runner.invoke(main, ["i18n", "check", str(folder)])
    assert check.exit_code != 0 and "beta zh_CN: Notes" in check.output
    chinese = folder / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    chinese.write_text(chinese.read_text().replace('msgid "Notes"\nmsgstr ""', 'msgid "Notes"\nmsgstr "注"')
                       .replace('msgid "Save"\nmsgstr ""', 'msgid "Save"\nmsgstr "存"'))
    assert runner.invoke(main, ["i18n", "check", str(folder)]).exit_code == 0
    compile_catalogues(folder)
    assert (chinese.with_suffix(".mo")).exists()


def test_a_built_package_ships_compiled_catalogues(tmp_path):
    root = Path(__file__).resolve().parents[2]
    source = tmp_path / "src"
    shutil.copytree(root, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "tests", "*.mo", "__pycache__", "*.egg-info", "build"))
    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path / "lib")],
                   cwd=source, check=True, capture_output=True)
    built = tmp_path / "lib" / "plugins" / "logistics" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
    assert (built / "messages.mo").stat().st_size > 1000
    assert not list((source / "plugins").glob("**/*.mo"))  # compiled into the build, not the source


def test_plugin_notifications_are_translated_in_the_plugin_domain(app):
    from core.notifications import Notification, notify
    from plugins.logistics.i18n import N_

    user = make_user("production1", ("production",))
    notify(N_("Order %(number)s scheduled: %(products)s."), users=[user.id],
           params={"number": "PO-1", "products": "x"})
    db.session.commit()
    note = db.session.query(Notification).one()
    assert note.domain == "logistics"
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("zh_CN"):
            assert note.text() == "订单 PO-1 已排产：x。"
