"""Record visibility: reps see their own customers, regional managers their region, departments all."""
from sqlalchemy import select

from core.db import db
from core.registry.models import Customer
from core.testing import login, make_customer, make_user
from core.visibility import restrict
from tests.sample_plugin.models import SampleNote


def names_visible_to(user):
    return set(db.session.scalars(restrict(select(Customer.name), Customer, user)))


def cast(users):
    return {
        "east_own": make_customer("东区张家", users["rep_east"]),
        "east_other": make_customer("东区李家", make_user("rep_east2", ("rep",), "east")),
        "west": make_customer("西区王家", users["rep_west"]),
    }


def test_rep_sees_only_own_customers(app, users):
    cast(users)
    assert names_visible_to(users["rep_east"]) == {"东区张家"}


def test_regional_manager_sees_own_region(app, users):
    cast(users)
    assert names_visible_to(users["rm_east"]) == {"东区张家", "东区李家"}


def test_department_roles_see_everyone(app, users):
    cast(users)
    for role in ("specialist", "cm_manager", "marketing_manager", "general_manager", "admin"):
        user = make_user(f"u_{role}", (role,))
        assert names_visible_to(user) == {"东区张家", "东区李家", "西区王家"}, role


def test_customer_linked_records_are_narrowed_through_their_customer(app, users):
    customers = cast(users)
    SampleNote.__table__.create(db.engine, checkfirst=True)  # a plugin-style linked table
    try:
        for c in customers.values():
            db.session.add(SampleNote(customer_id=c.id, text=c.name))
        db.session.commit()
        stmt = restrict(select(SampleNote.text), SampleNote, users["rm_east"])
        assert set(db.session.scalars(stmt)) == {"东区张家", "东区李家"}
    finally:
        db.session.rollback()
        SampleNote.__table__.drop(db.engine)


def test_customer_list_page_shows_only_visible_customers(client, users):
    cast(users)
    login(client, "rep_east")
    html = client.get("/customers/").get_data(as_text=True)
    assert "东区张家" in html and "东区李家" not in html and "西区王家" not in html


def test_guessed_ids_of_invisible_customers_answer_404(client, users):
    customers = cast(users)
    login(client, "rep_east")
    assert client.get(f"/customers/{customers['east_own'].id}").status_code == 200
    for key in ("east_other", "west"):
        cid = customers[key].id
        for url in (f"/customers/{cid}", f"/customers/{cid}/edit", f"/print/customer_card/{cid}.pdf"):
            response = client.get(url)
            assert response.status_code in (403, 404), url
            assert "王家" not in response.get_data(as_text=True) and "李家" not in response.get_data(as_text=True)
        assert client.get(f"/customers/{cid}").status_code == 404
    assert client.get("/customers/999999").status_code == 404


def test_regional_manager_gets_404_for_another_region(client, users):
    customers = cast(users)
    login(client, "rm_east")
    assert client.get(f"/customers/{customers['east_other'].id}").status_code == 200
    assert client.get(f"/customers/{customers['west'].id}").status_code == 404
