"""Plugin discovery, enablement, dependency checks and the admin listing."""
import pytest
from sqlalchemy import inspect

from core.api import Plugin, PluginError, hookimpl
from core.app import create_app
from core.db import db
from core.testing import login, make_test_app, make_user
from tests.sample_plugin.plugin import SamplePlugin

BUILTIN = {"tiering", "complaints", "promotions", "logistics"}


def build(tmp_path, plugins, extra=None):
    return create_app({"TESTING": True, "GUANXI_PLUGINS": plugins, "GUANXI_EXTRA_PLUGINS": extra or {},
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                       "INSTANCE_PATH": str(tmp_path / "instance")})


def test_builtin_plugins_are_found_through_entry_points_and_enabled_by_default(tmp_path):
    host = build(tmp_path, None).extensions["guanxi"]
    assert {n for n, info in host.installed.items() if info.builtin} == BUILTIN
    assert {info.name for info in host.enabled} == BUILTIN
    assert all(info.version == "0.1.0" for info in host.installed.values())


def test_empty_plugin_list_enables_none(tmp_path):
    assert build(tmp_path, "").extensions["guanxi"].enabled == []


def test_unknown_plugin_name_fails_at_start_with_its_name(tmp_path):
    with pytest.raises(PluginError, match="Unknown plugin.*tierring"):
        build(tmp_path, "tierring")


class Needy(Plugin):
    depends = ("logistics",)


class Chicken(Plugin):
    depends = ("egg",)


class Egg(Plugin):
    depends = ("chicken",)


class Misspelled(Plugin):
    @hookimpl
    def menu_itmes(self, app, user):
        return []


def test_missing_dependency_fails_at_start(tmp_path):
    with pytest.raises(PluginError, match="'needy' depends on logistics, which is not enabled"):
        build(tmp_path, "needy", {"needy": Needy})


def test_dependency_is_loaded_before_its_dependant(tmp_path):
    host = build(tmp_path, "needy,logistics", {"needy": Needy}).extensions["guanxi"]
    assert [info.name for info in host.enabled] == ["logistics", "needy"]


def test_dependency_cycle_fails_at_start(tmp_path):
    with pytest.raises(PluginError, match="cycle: (chicken -> egg -> chicken|egg -> chicken -> egg)"):
        build(tmp_path, "chicken,egg", {"chicken": Chicken, "egg": Egg})


def test_hookimpl_without_hookspec_fails_at_start(tmp_path):
    with pytest.raises(PluginError, match="'misspelled'.*menu_itmes"):
        build(tmp_path, "misspelled", {"misspelled": Misspelled})


def test_plugin_tables_must_carry_the_plugin_prefix(tmp_path):
    class Badly(Plugin):
        pass

    Badly.__module__ = "tests.sample_plugin.plugin"  # its models define sampleplug_notes
    with pytest.raises(PluginError, match="must start with 'badly_'"):
        build(tmp_path, "badly", {"badly": Badly})


def tables(app):
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def test_enabled_third_party_plugin_migrates_its_own_table_and_version_table(backend, tmp_path):
    app = make_test_app(backend, tmp_path, plugins=["sampleplug"],
                        GUANXI_EXTRA_PLUGINS={"sampleplug": SamplePlugin})
    assert {"sampleplug_notes", "alembic_version_sampleplug", "alembic_version_core"} <= tables(app)
    client = app.test_client()
    with app.app_context():
        make_user("admin", ("admin",))
    login(client, "admin")
    assert "Sample menu" in client.get("/").get_data(as_text=True)
    assert client.get("/sampleplug/").status_code == 200
    with app.app_context():
        from core.testing import make_customer

        customer = make_customer("面板客户", make_user("rep", ("rep",), "east"))
        code, cid = customer.code, customer.id
    html = client.get(f"/customers/{cid}").get_data(as_text=True)
    assert "Sample panel" in html and f"<p>panel for {code}</p>" in html
    listing = client.get("/customers/").get_data(as_text=True)
    assert "<th>Sample column</th>" in listing and f"<td>S{cid}</td>" in listing


def test_disabled_plugin_has_no_tables_no_menu_and_no_urls(tmp_path):
    app = make_test_app("sqlite", tmp_path, plugins=[])
    assert not any(name.startswith("sampleplug_") for name in tables(app))
    assert "alembic_version_sampleplug" not in tables(app)
    client = app.test_client()
    with app.app_context():
        make_user("admin", ("admin",))
    login(client, "admin")
    page = client.get("/").get_data(as_text=True)
    assert "Sample menu" not in page and "/logistics/" not in page
    assert client.get("/logistics/").status_code == 404
    assert client.get("/sampleplug/").status_code == 404


def test_admin_plugins_page_lists_every_installed_plugin(app, users):
    client = app.test_client()
    login(client, "admin")
    rows = {row["name"]: row for row in client.get("/admin/plugins.json").get_json()}
    assert set(rows) >= BUILTIN
    logistics = rows["logistics"]
    assert logistics["version"] == "0.1.0" and logistics["enabled"] is True
    assert logistics["title"] and "menu_items" in logistics["hooks"]
    html = client.get("/admin/plugins").get_data(as_text=True)
    assert 'data-plugin="tiering"' in html


def test_admin_plugins_page_lists_disabled_plugins_too(tmp_path):
    app = make_test_app("sqlite", tmp_path, plugins=["tiering"])
    client = app.test_client()
    with app.app_context():
        make_user("admin", ("admin",))
    login(client, "admin")
    rows = {row["name"]: row for row in client.get("/admin/plugins.json").get_json()}
    assert rows["tiering"]["enabled"] is True
    assert rows["logistics"]["enabled"] is False


def test_plugins_page_needs_the_permission(app, users):
    client = app.test_client()
    login(client, "rep_east")
    assert client.get("/admin/plugins").status_code == 403


def test_every_hook_is_callable_through_the_plugin_manager(app, users):
    """Each hookspec answers through pluggy with the core implementation registered."""
    from core.contract import Period
    from core.plugins import call, call_merged
    from core.testing import make_customer

    with app.test_request_context():
        from flask_login import login_user

        login_user(users["admin"])
        customer = make_customer("测试客户", users["rep_east"])
        assert call("register_blueprints")
        assert any(p.code == "customers.view" for p in call("register_permissions"))
        assert {c.name for c in call("register_commands")} >= {"db", "demo", "plugins", "users"}
        assert any(d.name == "customer_card" for d in call("register_documents"))
        assert call("menu_items", user=users["admin"])
        from core.contract import Panel

        panels = call("customer_panels", customer=customer, user=users["admin"])
        assert all(isinstance(p, Panel) for p in panels)
        assert isinstance(call("dashboard_widgets", user=users["admin"]), list)
        assert {c.key for c in call("customer_list_columns", user=users["admin"])} == {
            "logistics_last_order", "tiering_grade", "complaints_open"}
        assert {m.name for m in call("register_metrics")} >= {"shipped_kg", "order_count"}
        assert call_merged("customer_metrics", customer_ids=[customer.id], period=Period(None, None),
                           series=None) == {}
        assert {f.key for f in call("customer_list_filters", user=users["admin"])} >= {
            "logistics_ordered_within", "logistics_open_orders", "tiering_grade", "tiering_lifecycle"}
        assert call_merged("customer_tags", customer_ids=[customer.id]) == {}


class OtherAnswers(Plugin):
    @hookimpl
    def register_metrics(self, app):
        from core.contract import Metric

        return [Metric("other_metric", "count", "Other metric")]

    @hookimpl
    def customer_metrics(self, app, customer_ids, period):
        return {cid: {"other_metric": 1} for cid in customer_ids}

    @hookimpl
    def customer_tags(self, app, customer_ids):
        return {customer_ids[0]: ["other"]}


def test_data_hooks_merge_the_answers_of_several_plugins(tmp_path):
    from core.metrics import customer_metrics
    from core.plugins import call_merged

    app = make_test_app("sqlite", tmp_path, plugins=["sampleplug", "other"],
                        GUANXI_EXTRA_PLUGINS={"sampleplug": SamplePlugin, "other": OtherAnswers})
    with app.app_context():
        metrics = customer_metrics([1, 2])
        assert metrics == {1: {"sample_metric": 10, "other_metric": 1}, 2: {"sample_metric": 20, "other_metric": 1}}
        tags = call_merged("customer_tags", customer_ids=[1, 2])
        assert {k: sorted(v) for k, v in tags.items()} == {1: ["other", "sample"], 2: ["sample"]}


def test_plus_and_minus_change_the_default_set_without_listing_the_built_ins(tmp_path):
    host = build(tmp_path, "+sampleplug,-tiering", extra={"sampleplug": SamplePlugin}).extensions["guanxi"]
    assert {info.name for info in host.enabled} == {"complaints", "promotions", "logistics", "sampleplug"}
    with pytest.raises(PluginError, match="mixes names"):
        build(tmp_path / "b", "logistics,+sampleplug", extra={"sampleplug": SamplePlugin})


def test_a_broken_installed_plugin_stops_only_an_app_that_enables_it(tmp_path, monkeypatch, caplog):
    import importlib.metadata

    real = importlib.metadata.entry_points

    def with_ghost(**kwargs):
        found = list(real(**kwargs))
        ghost = importlib.metadata.EntryPoint("ghost", "ghost_missing_pkg.plugin:Ghost", "guanxi.plugins")
        return found + [ghost] if kwargs.get("group") == "guanxi.plugins" else found

    monkeypatch.setattr(importlib.metadata, "entry_points", with_ghost)
    host = build(tmp_path, None).extensions["guanxi"]
    assert {info.name for info in host.enabled} == BUILTIN
    assert "ghost" in caplog.text and "ghost_missing_pkg" in caplog.text
    with pytest.raises(PluginError, match="'ghost' could not be loaded: No module named 'ghost_missing_pkg'"):
        build(tmp_path / "b", "+ghost")
