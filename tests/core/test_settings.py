"""Declared settings: checked at start, deployment values from configuration, company values edited
on /admin/settings (audited, in effect on the next request), and the types' refusals."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api import Plugin, PluginError, hookimpl
from core.audit import AuditEvent
from core.contract import Setting
from core.db import db
from core.settings import CompanySetting, setting
from core.settings.types import SettingValueError, parse_text
from core.testing import QueryCounter, login, make_test_app, post_form, running
from tests.core.test_plugins import build

PAGE = "/admin/settings"


def declaring(*settings):
    """A plugin class whose register_settings returns ``settings``."""

    class Declaring(Plugin):
        title = "Tuned"
        declared = settings

        @hookimpl
        def register_settings(self, app):
            return list(settings)

    return Declaring


TUNED = declaring(
    Setting("tuned.limit", "int", 10, "Limit", minimum=1, maximum=99),
    Setting("tuned.rate", "decimal", Decimal("0.5"), "Rate", minimum=0, maximum=1),
    Setting("tuned.on", "bool", False, "Switched on"),
    Setting("tuned.mode", "choice", "fast", "Mode", choices=(("fast", "Fast"), ("safe", "Safe"))),
    Setting("tuned.url", "str", "", "Service URL", scope="deployment"),
    Setting("tuned.key", "str", "", "Service key", scope="deployment", secret=True),
)


# -- declarations are checked at start, naming the plugin --------------------------------------

@pytest.mark.parametrize(("settings", "message"), [
    ((Setting("logistics.limit", "int", 1, "x"),), "Plugin 'bad' declares setting 'logistics.limit' outside its namespace"),
    ((Setting("limit", "int", 1, "x"),), "Plugin 'bad' declares setting 'limit' outside its namespace"),
    ((Setting("bad.Limit", "int", 1, "x"),), "outside its namespace"),
    ((Setting("bad.limit", "int", 1, "x"), Setting("bad.limit", "int", 2, "y")),
     "Setting bad.limit is declared twice: by plugin 'bad' and by plugin 'bad'"),
    ((Setting("bad.limit", "float", 1.5, "x"),), "Plugin 'bad' declares setting 'bad.limit' wrongly: type 'float'"),
    ((Setting("bad.limit", "int", 1, "x", scope="tenant"),), "scope 'tenant'"),
    ((Setting("bad.key", "str", "", "x", secret=True),), "only deployment settings may be secret"),
    ((Setting("bad.data", "json", {}, "x"),), "needs a validate function"),
    ((Setting("bad.mode", "choice", "a", "x"),), "needs choices"),
    ((Setting("bad.mode", "choice", 1, "x", choices=((1, "One"),)),), "with text values"),
    ((Setting("bad.name", "str", "", "x", minimum=1),), "only int and decimal"),
    ((Setting("bad.limit", "int", 500, "x", maximum=99),), "Setting bad.limit \\(default\\) is invalid: Enter a value of at most 99"),
    (("bad.limit",), "Plugin 'bad' returned 'bad.limit' from register_settings"),
])
def test_a_misdeclared_setting_stops_the_start_naming_the_plugin(tmp_path, settings, message):
    with pytest.raises(PluginError, match=message):
        build(tmp_path, "bad", {"bad": declaring(*settings)})


def test_two_settings_sharing_an_environment_variable_stop_the_start(tmp_path):
    plugins = {"a": declaring(Setting("a.b_c", "int", 1, "x")), "a_b": declaring(Setting("a_b.c", "int", 1, "x"))}
    with pytest.raises(PluginError, match="GUANXI_A_B_C is declared twice: by plugin 'a' and by plugin 'a_b'"):
        build(tmp_path, "a,a_b", plugins)


# -- deployment settings: explicit configuration, environment, instance file, default ----------

def test_deployment_settings_come_from_the_environment_parsed_by_type(tmp_path, monkeypatch):
    monkeypatch.setenv("GUANXI_TUNED_URL", " https://cloud.example.cn ")
    monkeypatch.setenv("GUANXI_LOGISTICS_STATIONS", '{"gate": {"url": "socket://192.0.2.10:4001"}}')
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "guanxi.cfg").write_text('GUANXI_TUNED_KEY = "from-the-file"\n'
                                                      'GUANXI_TUNED_URL = "https://file.example.cn"\n')
    app = build(tmp_path, "tuned,logistics", {"tuned": TUNED})
    with app.app_context():
        assert setting("tuned.url") == "https://cloud.example.cn"  # the environment beats the file
        assert setting("tuned.key") == "from-the-file"
        stations = setting("logistics.stations")
        assert list(stations) == ["gate"] and stations["gate"].url == "socket://192.0.2.10:4001"
        assert stations["gate"].protocol == "yaohua"
        assert setting("logistics.station_tokens") == {}  # the default


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("GUANXI_LOGISTICS_STATIONS", '{"main": {"url": "http://x"}}',
     "Setting logistics.stations \\(environment variable GUANXI_LOGISTICS_STATIONS\\) is invalid: "
     "Station main: the url must look like"),
    ("GUANXI_LOGISTICS_STATIONS", "{main: 1}", "GUANXI_LOGISTICS_STATIONS.*not valid JSON"),
    ("GUANXI_LOGISTICS_STATION_TOKENS", '{"main": "short"}', "16 to 200 characters"),
    ("GUANXI_TIMEZONE", "Mars/Olympus", "Setting core.timezone.*Unknown time zone Mars/Olympus"),
    ("GUANXI_LOGISTICS_CHECKS", "{}", "logistics.checks is a company setting.*remove GUANXI_LOGISTICS_CHECKS"),
])
def test_a_bad_configured_value_stops_the_start_in_english(tmp_path, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(PluginError, match=message):
        build(tmp_path, "logistics")


def test_a_secret_never_appears_in_a_start_up_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GUANXI_LOGISTICS_STATION_TOKENS", '{"main": "has spaces in the secret"}')
    with pytest.raises(PluginError) as error:
        build(tmp_path, "logistics")
    assert "spaces in the secret" not in str(error.value)


def test_environment_values_are_read_by_type(tmp_path, monkeypatch):
    monkeypatch.setenv("GUANXI_TUNED_URL", "https://x.example.cn")
    monkeypatch.setenv("GUANXI_TUNED_KEY", "k" * 201)
    with pytest.raises(PluginError, match="tuned.key \\(environment variable GUANXI_TUNED_KEY\\).*At most 200"):
        build(tmp_path, "tuned", {"tuned": TUNED})


# -- the types refuse what they must -------------------------------------------------------------

@pytest.mark.parametrize(("setting_", "text", "expected"), [
    (TUNED.declared[0], " 42 ", 42),
    (TUNED.declared[1], "0.25", Decimal("0.25")),
    (TUNED.declared[1], "1", Decimal("1")),
    (TUNED.declared[2], "yes", True),
    (TUNED.declared[2], "FALSE", False),
    (TUNED.declared[3], "safe", "safe"),
])
def test_text_is_parsed_by_type(setting_, text, expected):
    value = parse_text(setting_, text).value
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("index", "text"), [
    (0, "1\x00"), (0, "9" * 5000), (0, "12.5"), (0, "100"), (0, "0"), (0, "1e3"), (0, ""),
    (1, "NaN"), (1, "Infinity"), (1, "1e999999999"), (1, "0.1234567"), (1, "1.5"), (1, "-0.1"), (1, "abc"),
    (2, "maybe"), (3, "slow"), (4, "a\x00b"), (4, "x" * 201), (4, "tab\there"),
])
def test_bad_text_is_refused_with_a_message(index, text):
    with pytest.raises(SettingValueError):
        parse_text(TUNED.declared[index], text)


@pytest.mark.parametrize("text", ['{"net_tolerance": NaN}', "[" * 5000 + "]" * 5000, '{"a": 1e999999999}',
                                  "{" * 30000, '{"net_tolerance": {"level": 3, "value": 1e999999999}}',
                                  '{"net_tolerance": {"level": 3, "value": "0.1234567"}}',
                                  '{"net_tolerance": {"level": 4}}', '{"net_tolerance": {"level": true}}',
                                  '{"weighed_twice": {"level": 1, "value": 5}}', "[]", '"x"', "not json"])
def test_bad_json_is_refused_with_a_message(text):
    from plugins.logistics.settings import declared_settings

    checks = next(s for s in declared_settings() if s.key == "logistics.checks")
    with pytest.raises(SettingValueError):
        parse_text(checks, text)


# -- company settings on the settings page ------------------------------------------------------

def test_the_admin_changes_a_company_setting_and_the_next_request_obeys(app, users):
    admin, rep = app.test_client(), app.test_client()
    login(admin, "admin")
    saved = post_form(admin, f"{PAGE}/core.login_max_failures", {"value": "2"}, page=PAGE)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#setting-core-login_max_failures")
    confirmed = admin.get(saved.headers["Location"]).get_data(as_text=True)
    assert confirmed.count('class="saved"') == 1 and 'value="2"' in confirmed
    login(rep, "rep_east", "wrong")
    locked = login(rep, "rep_east", "wrong").get_data(as_text=True)
    assert "锁定" in locked or "locked" in locked  # after two failures, not five
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "company_settings"))
    assert event.user_id == users["admin"].id and event.changes["value"] == [None, "2"]
    page = admin.get(PAGE).get_data(as_text=True)
    history = page.split('id="history"')[1]
    assert "core.login_max_failures" in history and "Admin" in history


def test_the_company_name_shows_in_the_header_at_once(app, users):
    admin = app.test_client()
    login(admin, "admin")
    post_form(admin, f"{PAGE}/core.company_name", {"value": " 河南丰收饲料有限公司 "}, page=PAGE)
    assert '<span class="company">河南丰收饲料有限公司</span>' in admin.get("/").get_data(as_text=True)


def test_reset_to_default_asks_first_and_is_audited(app, users):
    admin = app.test_client()
    login(admin, "admin")
    post_form(admin, f"{PAGE}/core.login_lock_minutes", {"value": "60"}, page=PAGE)
    assert f'href="{PAGE}/core.login_lock_minutes/reset"' in admin.get(PAGE).get_data(as_text=True)
    confirm = admin.get(f"{PAGE}/core.login_lock_minutes/reset")
    assert confirm.status_code == 200 and "60" in confirm.get_data(as_text=True)
    assert setting("core.login_lock_minutes") == 60
    post_form(admin, f"{PAGE}/core.login_lock_minutes/reset", {}, page=PAGE)
    row = db.session.scalar(select(CompanySetting).where(CompanySetting.key == "core.login_lock_minutes"))
    db.session.refresh(row)
    assert row.value is None
    changes = [e.changes["value"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.record_type == "company_settings").order_by(AuditEvent.id))]
    assert changes == [[None, "60"], ["60", None]]
    assert f"{PAGE}/core.login_lock_minutes/reset" not in admin.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize(("key", "value"), [
    ("core.login_max_failures", "abc"), ("core.login_max_failures", "9" * 5000),
    ("core.login_max_failures", "0"), ("core.login_max_failures", "3\x00"), ("core.login_max_failures", "NaN"),
    ("core.company_name", "x\x00y"), ("core.company_name", "名" * 101),
    ("logistics.checks", "{bad json"), ("logistics.checks", '{"net_tolerance": {"level": 3, "value": NaN}}'),
    ("logistics.checks", '{"no_such_check": {"level": 1}}'),
])
def test_bad_input_shows_a_form_message_and_saves_nothing(app, users, key, value):
    admin = app.test_client()
    login(admin, "admin")
    page = post_form(admin, f"{PAGE}/{key}", {"value": value}, page=PAGE)
    if "\x00" in value:  # control characters are refused for the whole site, before any form
        assert page.status_code == 400 and "控制字符" in page.get_data(as_text=True)
    else:
        assert page.status_code == 200
        assert 'class="error" role="alert"' in page.get_data(as_text=True)
    assert db.session.scalar(select(CompanySetting)) is None


def test_a_missing_value_is_a_form_message_too(app, users):
    admin = app.test_client()
    login(admin, "admin")
    assert post_form(admin, f"{PAGE}/core.login_max_failures", {}, page=PAGE).status_code == 200


def test_only_administrators_see_or_change_settings(app, users):
    specialist = app.test_client()
    login(specialist, "specialist")
    assert specialist.get(PAGE).status_code == 403
    assert post_form(specialist, f"{PAGE}/core.login_max_failures", {"value": "2"}, page="/").status_code == 403
    assert specialist.get(f"{PAGE}/core.login_max_failures/reset").status_code == 403
    assert post_form(specialist, f"{PAGE}/core.login_max_failures/reset", {}, page="/").status_code == 403
    assert f'href="{PAGE}"' not in specialist.get("/").get_data(as_text=True)
    assert app.test_client().get(PAGE).status_code == 302  # anonymous: to the login page
    assert db.session.scalar(select(CompanySetting)) is None


def test_deployment_settings_are_read_only_and_unknown_keys_answer_404(app, users):
    admin = app.test_client()
    login(admin, "admin")
    assert post_form(admin, f"{PAGE}/core.timezone", {"value": "UTC"}, page=PAGE).status_code == 404
    assert admin.get(f"{PAGE}/core.timezone/reset").status_code == 404
    assert post_form(admin, f"{PAGE}/core.nothing", {"value": "1"}, page=PAGE).status_code == 404
    page = admin.get(PAGE).get_data(as_text=True)
    assert "GUANXI_TIMEZONE" in page and "Asia/Shanghai" in page


def test_company_settings_cost_one_query_per_request(app, users):
    client = app.test_client()
    login(client, "admin")
    with QueryCounter() as queries:
        client.get("/")  # the header shows the company name more than once
    assert sum("company_settings" in statement for statement in queries.statements) == 1


def test_every_type_on_the_page_saves_and_secrets_stay_hidden(backend, tmp_path, monkeypatch):
    monkeypatch.setenv("GUANXI_TUNED_KEY", "do-not-show-this-key")
    application = make_test_app(backend, tmp_path, plugins=["tuned"], GUANXI_EXTRA_PLUGINS={"tuned": TUNED})
    with running(application) as app:
        from core.testing import make_user

        make_user("admin", ("admin",))
        admin = app.test_client()
        login(admin, "admin")
        page = admin.get(PAGE).get_data(as_text=True)
        assert "do-not-show-this-key" not in page and "••••••" in page and "GUANXI_TUNED_KEY" in page
        assert page.index("section-core") < page.index("section-tuned")
        for key, text in (("limit", "42"), ("rate", "0.25"), ("on", "true"), ("mode", "safe")):
            assert post_form(admin, f"{PAGE}/tuned.{key}", {"value": text}, page=PAGE).status_code == 302
        assert post_form(admin, f"{PAGE}/tuned.mode", {"value": "slow"}, page=PAGE).status_code == 200
        with app.test_request_context():
            assert [setting(f"tuned.{k}") for k in ("limit", "rate", "on", "mode")] == [42, Decimal("0.25"), True, "safe"]
