"""A grading plugin (tiering) extends promotions through its hooks: a target rule offered on the
form, and the grade the control group is matched on."""
import pytest
from sqlalchemy import select, update

from core.db import db
from core.registry.models import Customer
from core.testing import login, post_form
from plugins.promotions.evaluation import control_ids
from plugins.promotions.models import Promotion, PromotionTarget
from tests.plugins.promotions.conftest import application
from tests.plugins.promotions.grader import plugin as grader
from tests.plugins.promotions.grader.plugin import GraderPlugin
from tests.plugins.promotions.test_pages import form

pytestmark = pytest.mark.guanxi_plugins("promotions", "grader", extra={"grader": GraderPlugin})


def test_a_plugins_rule_picks_the_targets(org, customers, client):
    grader.KEY.clear()
    grader.KEY.update({"E-A2", "E-B1", "W-A1"})
    login(client, "rm")
    assert "Key customers of the region" in client.get("/promotions/new").get_data(as_text=True)
    post_form(client, "/promotions/new", form(region_id=str(org["rm"].region_id), target_codes="",
                                              target_rule="grader.key"))
    promotion = db.session.scalar(select(Promotion))
    assert set(db.session.scalars(select(PromotionTarget.customer_id))) == {customers["E-A2"].id,
                                                                           customers["E-B1"].id}
    assert promotion.target_rule == "grader.key"


def test_the_control_group_follows_the_plugins_grade(org, customers):
    db.session.execute(update(Customer).values(business_type="farm"))
    db.session.execute(update(Customer).where(Customer.code == "E-B1").values(business_type="distributor"))
    db.session.commit()
    promotion = application(org, codes="E-A1")
    assert set(db.session.scalars(control_ids(promotion))) == {customers["E-A2"].id, customers["E-A3"].id}
