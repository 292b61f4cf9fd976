"""Plugins declare hooks of their own; other plugins implement them optionally."""
from types import SimpleNamespace

import pytest

from core.api import Plugin, PluginError, hookimpl
from core.app import create_app

RECEIVED: list = []


def build(tmp_path, plugins, extra=None):
    return create_app({"TESTING": True, "GUANXI_PLUGINS": plugins, "GUANXI_EXTRA_PLUGINS": extra or {},
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                       "INSTANCE_PATH": str(tmp_path / "instance")})


class FollowUp(Plugin):
    """Calls the customer back after a complaint closes, when the complaints plugin is there."""

    @hookimpl(optionalhook=True)
    def complaint_closed(self, app, complaint):
        RECEIVED.append(complaint.id)


class Strict(Plugin):
    @hookimpl
    def complaint_closed(self, app, complaint):
        RECEIVED.append(complaint.id)


class Shipping(Plugin):
    depends = ("logistics",)

    @hookimpl
    def order_shipped(self, app, order):
        RECEIVED.append(order.number)


class Misspelled(Plugin):
    depends = ("logistics",)

    @hookimpl
    def order_shiped(self, app, order):
        pass


class Clash(Plugin):
    hookspecs = "tests.core.clashing_hookspecs"


@pytest.fixture(autouse=True)
def _clear():
    RECEIVED.clear()


def test_plugin_events_are_not_core_hooks():
    from core import hookspecs

    for name in ("order_shipped", "complaint_closed", "promotion_approved", "tier_changed"):
        assert not hasattr(hookspecs, name)


def test_a_plugin_owned_hookspec_is_called_through_the_manager(tmp_path):
    app = build(tmp_path, "logistics,shipping", {"shipping": Shipping})
    hook = app.extensions["guanxi"].hook
    assert hook.order_shipped.has_spec() and hook.order_confirming.has_spec()
    hook.order_shipped(app=app, order=SimpleNamespace(number="DD-2026-00001"))
    assert RECEIVED == ["DD-2026-00001"]


def test_each_plugin_adds_its_own_hookspecs_only_when_enabled(tmp_path):
    hook = build(tmp_path, None).extensions["guanxi"].hook
    for name in ("order_shipped", "order_confirming", "complaint_closed", "promotion_approved", "tier_changed"):
        assert getattr(hook, name).has_spec(), name
    hook = build(tmp_path, "tiering").extensions["guanxi"].hook
    assert hook.tier_changed.has_spec() and not hasattr(hook, "complaint_closed")


def test_an_optional_impl_starts_without_the_declaring_plugin_and_is_never_called(tmp_path):
    app = build(tmp_path, "followup", {"followup": FollowUp})
    host = app.extensions["guanxi"]
    enabled = {info.name for info in host.enabled}
    assert "followup" in enabled and "complaints" not in enabled
    assert not host.hook.complaint_closed.has_spec()


def test_an_optional_impl_receives_the_call_when_the_declaring_plugin_is_enabled(tmp_path):
    app = build(tmp_path, "complaints,followup", {"followup": FollowUp})
    app.extensions["guanxi"].hook.complaint_closed(app=app, complaint=SimpleNamespace(id=7))
    assert RECEIVED == [7]


def test_a_required_impl_of_a_disabled_plugins_hook_fails_at_start_naming_plugin_and_hook(tmp_path):
    with pytest.raises(PluginError, match=r"'strict' implements hook 'complaint_closed' of plugin 'complaints'.*"
                                          r"optionalhook=True"):
        build(tmp_path, "strict", {"strict": Strict})
    host = build(tmp_path, "complaints,strict", {"strict": Strict}).extensions["guanxi"]
    assert "strict" in {info.name for info in host.enabled}


def test_a_misspelled_impl_of_a_plugin_hook_still_fails_at_start(tmp_path):
    with pytest.raises(PluginError, match="'misspelled'.*order_shiped"):
        build(tmp_path, "logistics,misspelled", {"misspelled": Misspelled})


def test_a_plugin_cannot_declare_a_hook_core_declares(tmp_path):
    with pytest.raises(PluginError, match="'clash' declares hook 'customer_created', which core declares"):
        build(tmp_path, "clash", {"clash": Clash})


def test_two_plugins_cannot_declare_the_same_hook(tmp_path):
    class Copycat(Plugin):
        hookspecs = "plugins.tiering.hookspecs"

    with pytest.raises(PluginError, match="'tiering' declares hook 'tier_changed', which plugin 'copycat'"):
        build(tmp_path, "copycat,tiering", {"copycat": Copycat})


def test_admin_plugins_json_names_the_hooks_each_plugin_declares(app, users):
    from core.testing import login

    client = app.test_client()
    login(client, "admin")
    rows = {row["name"]: row for row in client.get("/admin/plugins.json").get_json()}
    assert rows["logistics"]["declares"] == ["order_confirming", "order_shipped"]
    assert rows["tiering"]["declares"] == ["tier_changed"]
