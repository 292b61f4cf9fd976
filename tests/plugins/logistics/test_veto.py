"""Another plugin may refuse an order's confirmation (the order_confirming veto), through the page."""
import pytest
from sqlalchemy import select

from core.api import Plugin, hookimpl
from core.audit import AuditEvent
from core.contract import Refusal
from core.db import db
from core.money import money
from core.notifications import Notification, notify
from core.testing import login, make_test_app, post_form
from core.veto import refusals
from tests.plugins.logistics.test_order_flow import new_order

LIMIT_CENTS = 5_000_000  # ¥50,000.00


class CreditLimit(Plugin):
    """Refuses to confirm an order above the customer's credit limit (a test plugin)."""

    @hookimpl(optionalhook=True)
    def order_confirming(self, app, order, user):
        notify("credit check", users=[user.id])  # written in the transaction: must be rolled back
        limit = app.config["CREDIT_LIMIT_CENTS"]
        if order.amount_cents > limit:
            return Refusal(f"Over the credit limit of {money(limit)}")
        return None


class Indifferent(Plugin):
    @hookimpl(optionalhook=True)
    def order_confirming(self, app, order, user):
        return None


@pytest.fixture
def app(backend, tmp_path):
    application = make_test_app(backend, tmp_path, plugins=["logistics", "credit", "indifferent"],
                                GUANXI_EXTRA_PLUGINS={"credit": CreditLimit, "indifferent": Indifferent},
                                CREDIT_LIMIT_CENTS=LIMIT_CENTS)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def confirm(app, order_id):
    """The order review confirms the order: the coordinator submits it, the manager approves."""
    from core.auth.models import User
    from plugins.logistics.models import Order
    from plugins.logistics.review import open_review_task, submit_review

    order = db.session.get(Order, order_id)
    submit_review(order, db.session.get(User, order.created_by))
    db.session.commit()
    task = open_review_task(order)
    client = app.test_client()
    login(client, "manager")
    page = f"/tasks/{task.id}"
    return post_form(client, f"{page}/act", {"decision": "approved", "comment": ""}, page=page,
                     follow_redirects=True)


def test_a_refusal_is_shown_on_the_order_page_and_nothing_changes(app, world):
    order = new_order(world, tonnes="25")  # ¥81,500.00
    response = confirm(app, order.id)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="flash flash-error"' in html and "Over the credit limit of ¥50,000.00" in html
    db.session.expire_all()
    assert db.session.get(type(order), order.id).state == "recorded"
    transitions = select(AuditEvent).where(AuditEvent.record_type == "logistics_orders",
                                           AuditEvent.action == "transition")
    assert db.session.scalars(transitions).all() == []
    assert db.session.get(type(order), order.id).state == "recorded"  # still under review
    assert db.session.scalars(select(Notification).where(Notification.subject == "credit check")).all() == []


def test_an_order_within_the_limit_is_confirmed_through_the_page(app, world):
    order = new_order(world, tonnes="10")  # ¥32,600.00
    html = confirm(app, order.id).get_data(as_text=True)
    assert "flash-error" not in html
    db.session.expire_all()
    assert db.session.get(type(order), order.id).state == "data_confirmed"


def test_refusals_name_the_refusing_plugin_and_ask_every_plugin(app, world):
    order = new_order(world, tonnes="25")
    found = refusals("order_confirming", order=order, user=world["coordinator"])
    assert [(plugin, str(refusal.reason)) for plugin, refusal in found] == [
        ("credit", "Over the credit limit of ¥50,000.00")]
    db.session.rollback()


def test_the_veto_is_asked_only_by_the_review_never_around_it(app, world):
    from core.tasks import TaskRefused, complete_task
    from core.workflow import TransitionRefused
    from plugins.logistics.review import open_review_task, submit_review
    from plugins.logistics.services import take_order_step

    order = new_order(world, tonnes="25")
    with pytest.raises(TransitionRefused):
        take_order_step(order, "confirm_data", world["coordinator"])  # only the review confirms
    submit_review(order, world["coordinator"])
    db.session.commit()
    with pytest.raises(TaskRefused, match="credit limit"):
        complete_task(open_review_task(order), world["manager"], "approved")
    db.session.rollback()


def test_a_veto_answer_that_is_not_a_refusal_is_a_programming_error(tmp_path):
    from types import SimpleNamespace

    from core.app import create_app

    class Confused(Plugin):
        @hookimpl(optionalhook=True)
        def order_confirming(self, app, order, user):
            return "no"

    application = create_app({"TESTING": True, "GUANXI_PLUGINS": "logistics,confused",
                              "GUANXI_EXTRA_PLUGINS": {"confused": Confused},
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                              "INSTANCE_PATH": str(tmp_path / "instance")})
    with application.app_context(), pytest.raises(TypeError, match="'confused' answered order_confirming"):
        refusals("order_confirming", order=SimpleNamespace(), user=None)
