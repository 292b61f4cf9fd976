"""Plugin filters on the customer list: every kind validated, clashing keys refused."""
import re

import pytest

from core.api import Plugin, hookimpl
from core.contract import ListFilter
from core.db import db
from core.registry.models import Customer
from core.registry.search import customer_list_options
from core.testing import login, make_customer, make_test_app, make_user

CLASSES = (("A", "Large"), ("B", "Medium"))


class Grading(Plugin):
    """A select and a text filter (the logistics tests cover number and check)."""

    @hookimpl
    def customer_list_filters(self, app, user):
        return [ListFilter("grading_class", "Class", lambda value: Customer.size_class == value, choices=CLASSES),
                ListFilter("grading_note", "Note says", lambda text: Customer.notes.contains(text), kind="text")]


class Clashing(Plugin):
    keys: tuple = ()

    @hookimpl
    def customer_list_filters(self, app, user):
        return [ListFilter(key, key, lambda value: None, kind=kind, **bounds) for key, kind, bounds in self.keys]


@pytest.fixture
def client(backend, tmp_path):
    app = make_test_app(backend, tmp_path, plugins=["grading"], GUANXI_EXTRA_PLUGINS={"grading": Grading})
    with app.app_context():
        rep = make_user("rep", ("rep",), "east")
        make_customer("甲", rep, code="A1", size_class="A", notes="喜欢颗粒料")
        make_customer("乙", rep, code="B1", size_class="B", notes="粉料")
        make_customer("丙", make_user("other", ("rep",), "west"), code="A2", size_class="A")
        db.session.remove()
    client = app.test_client()
    login(client, "rep")
    yield client
    with app.app_context():
        db.engine.dispose()


def codes(client, **args):
    response = client.get("/customers/", query_string=args)
    assert response.status_code == 200
    return re.findall(r"<tr><td>([A-Z]\d+)</td>", response.get_data(as_text=True))


def test_select_and_text_filters_narrow_the_visible_customers(client):
    assert codes(client) == ["A1", "B1"]
    assert codes(client, grading_class="A") == ["A1"]  # A2 is another rep's
    assert codes(client, grading_note="颗粒") == ["A1"]
    html = client.get("/customers/", query_string={"grading_class": "B"}).get_data(as_text=True)
    assert '<option value="B" selected>Medium</option>' in html


def test_an_unknown_choice_is_ignored_with_a_message(client):
    assert codes(client, grading_class="Z") == ["A1", "B1"]
    html = client.get("/customers/", query_string={"grading_class": "Z"}).get_data(as_text=True)
    assert "“Class”已忽略：请从列出的选项中选择。" in html


@pytest.mark.parametrize(("keys", "problem"), [
    ((("q", "text", {}),), "key 'q' is taken"),
    ((("x_a", "text", {}), ("x_a", "check", {})), "key 'x_a' is taken"),
    ((("x_days", "number", {"minimum": 1}),), "needs minimum and maximum"),
    ((("x_when", "date", {}),), "kind must be one of"),
])
def test_a_filter_that_clashes_or_is_unbounded_is_a_plugin_bug(tmp_path, keys, problem):
    Clashing.keys = keys
    app = make_test_app("sqlite", tmp_path, plugins=["clashing"], GUANXI_EXTRA_PLUGINS={"clashing": Clashing})
    with app.app_context(), pytest.raises(ValueError, match=problem):
        customer_list_options(make_user("admin", ("admin",)))
