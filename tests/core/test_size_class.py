"""The size class is typed on the archive unless a plugin computes it (``customer_size_class``):
then the computed value is the one listed, filtered, sorted, exported and shown, and the form
leaves the field out."""
from __future__ import annotations

import pytest
from sqlalchemy import case

from core.api import Customer, Plugin, hookimpl
from core.testing import login, make_customer, make_user


class BySuffix(Plugin):
    """Computes A for customers whose name ends in 大, C for the rest."""

    @hookimpl
    def customer_size_class(self, app):
        return case((Customer.name.like("%大"), "A"), else_="C")


@pytest.mark.guanxi_plugins()
def test_without_a_plugin_the_typed_size_class_is_used(app, users, client):
    make_customer("河南双力", users["rep_east"], size_class="B")
    make_user("boss", ("cm_manager",))
    login(client, "boss")
    assert "河南双力" in client.get("/customers/?size_class=B").get_data(as_text=True)
    assert 'name="size_class"' in client.get("/customers/new").get_data(as_text=True)


@pytest.mark.guanxi_plugins("bysuffix", extra={"bysuffix": BySuffix})
def test_a_plugins_computed_size_class_replaces_the_typed_one(app, users, client):
    big = make_customer("周口大", users["rep_east"], size_class="C")
    make_customer("商丘小", users["rep_east"], size_class="A")
    make_user("boss", ("cm_manager",))
    login(client, "boss")
    listed = client.get("/customers/?size_class=A").get_data(as_text=True)
    assert "周口大" in listed and "商丘小" not in listed
    exported = client.get("/customers/export.csv?size_class=C").get_data(as_text=True)
    assert "商丘小" in exported and "周口大" not in exported
    assert ",C," in exported.splitlines()[1]
    page = client.get(f"/customers/{big.id}").get_data(as_text=True)
    assert "<dd>A</dd>" in page
    assert 'name="size_class"' not in client.get(f"/customers/{big.id}/edit").get_data(as_text=True)
    ordered = client.get("/customers/?sort=size").get_data(as_text=True)
    assert ordered.index("周口大") < ordered.index("商丘小")


@pytest.mark.guanxi_plugins()
def test_the_rep_sets_the_growth_potential_flag_on_the_archive(app, users, client):
    from core.db import db
    from core.testing import post_form

    customer = make_customer("河南双力", users["rep_east"], is_prospect=False)
    login(client, "rep_east")
    form = client.get(f"/customers/{customer.id}/edit").get_data(as_text=True)
    assert 'name="growth_potential"' in form
    version = form.split('name="version_id" type="hidden" value="')[1].split('"')[0]
    post_form(client, f"/customers/{customer.id}/edit",
              {"name": "河南双力", "business_type": "distributor", "region_id": str(customer.region_id),
               "growth_potential": "y", "version_id": version})
    db.session.refresh(customer)
    assert customer.growth_potential is True
    assert '<dd id="growth-potential">是</dd>' in client.get(f"/customers/{customer.id}").get_data(as_text=True)
