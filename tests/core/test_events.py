"""Event hooks fire after commit, never after a rollback."""
from core.api import Plugin, hookimpl
from core.events import commit, fire_after_commit
from core.testing import login, make_test_app, make_user, post_form

SEEN: list = []


class Listener(Plugin):
    @hookimpl
    def customer_created(self, app, customer):
        SEEN.append(("created", customer.name))

    @hookimpl
    def state_changed(self, record, transition, old_state, new_state):
        SEEN.append(("state", transition, old_state, new_state))


def listening_app(tmp_path):
    SEEN.clear()
    return make_test_app("sqlite", tmp_path, plugins=["listener"], GUANXI_EXTRA_PLUGINS={"listener": Listener})


def test_events_fire_after_commit_only(tmp_path):
    app = listening_app(tmp_path)
    from core.db import db

    with app.app_context():
        owner = make_user("rep", ("rep",), "east")
        from core.registry.models import Customer

        customer = Customer(code="X1", name="未提交", owner_id=owner.id)
        db.session.add(customer)
        db.session.flush()
        fire_after_commit("customer_created", customer=customer)
        db.session.rollback()
        commit()
        assert SEEN == []
        customer = Customer(code="X2", name="已提交", owner_id=owner.id)
        db.session.add(customer)
        db.session.flush()
        fire_after_commit("customer_created", customer=customer)
        assert SEEN == []
        commit()
        assert SEEN == [("created", "已提交")]


def test_pages_fire_created_and_state_changed(tmp_path):
    app = listening_app(tmp_path)
    with app.app_context():
        make_user("rep", ("rep",), "east")
    client = app.test_client()
    login(client, "rep")
    response = post_form(client, "/customers/new", {"name": "新客户", "business_type": "farm", "region_id": 1})
    url = response.headers["Location"]
    post_form(client, f"{url}/transition", {"transition": "submit"}, page=url)
    assert SEEN == [("created", "新客户"), ("state", "submit", "draft", "submitted")]


class Exploding(Plugin):
    @hookimpl(tryfirst=True)
    def customer_created(self, customer):
        raise RuntimeError("credit service unreachable")


def test_a_failing_listener_is_reported_and_neither_stops_the_others_nor_the_user(tmp_path, caplog):
    SEEN.clear()
    app = make_test_app("sqlite", tmp_path, plugins=["exploding", "listener"],
                        GUANXI_EXTRA_PLUGINS={"exploding": Exploding, "listener": Listener})
    from core.db import db
    from core.notifications import Notification
    from core.registry.models import Customer

    with app.app_context():
        make_user("rep", ("rep",), "east")
        make_user("boss", ("admin",))
    client = app.test_client()
    login(client, "rep")
    response = post_form(client, "/customers/new", {"name": "照常保存", "business_type": "farm",
                                                    "region_id": 1})
    assert response.status_code == 302
    assert SEEN == [("created", "照常保存")]  # the listener after the failing one still ran
    assert "credit service unreachable" in caplog.text
    with app.app_context():
        assert db.session.query(Customer).filter_by(name="照常保存").count() == 1
        note = db.session.query(Notification).one()
        assert note.role_code == "admin"
    login(admin_client := app.test_client(), "boss")
    inbox = admin_client.get("/notifications").get_data(as_text=True)
    assert "exploding" in inbox and "customer_created" in inbox and "credit service unreachable" in inbox
