"""The audit trail records who changed what, append-only, and shows it on the record page."""
import pytest
from sqlalchemy import select

from core.audit import AuditAppendOnly, AuditEvent, acting_as
from core.db import db
from core.history import timeline
from core.testing import login, make_customer, post_form


def events_of(customer):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "customers", AuditEvent.record_id == customer.id).order_by(AuditEvent.id)).all()


def test_create_update_delete_are_recorded_with_old_and_new_values(app, users):
    with acting_as(users["specialist"].id):
        customer = make_customer("甲饲料厂", users["rep_east"], phone="123456")
        customer.phone = "654321"
        customer.name = "甲饲料厂（新）"
        db.session.commit()
        cid = customer.id
        db.session.delete(customer)
        db.session.commit()
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.record_id == cid,
                                                       AuditEvent.record_type == "customers")).all()
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[0].changes["name"] == [None, "甲饲料厂"]
    assert rows[1].changes == {"phone": ["123456", "654321"], "name": ["甲饲料厂", "甲饲料厂（新）"]}
    assert all(r.user_id == users["specialist"].id for r in rows)


def test_saving_without_changes_writes_nothing(app, users):
    customer = make_customer("乙", users["rep_east"])
    customer.name = "乙"
    db.session.commit()
    assert [e.action for e in events_of(customer)] == ["create"]


def test_audit_rows_cannot_be_edited_or_deleted(app, users):
    customer = make_customer("丙", users["rep_east"])
    row = events_of(customer)[0]
    row.comment = "tampered"
    with pytest.raises(AuditAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(events_of(customer)[0])
    with pytest.raises(AuditAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_rolled_back_change_leaves_no_audit_row(app, users):
    customer = make_customer("丁", users["rep_east"])
    customer.name = "戊"
    db.session.flush()
    db.session.rollback()
    assert [e.action for e in events_of(customer)] == ["create"]


def test_edit_through_the_page_is_attributed_to_the_user_and_shown(client, users):
    customer = make_customer("己", users["rep_east"], phone="111111")
    login(client, "rep_east")
    post_form(client, f"/customers/{customer.id}/edit", {
        "name": "己", "business_type": "distributor", "phone": "222222", "region_id": customer.region_id,
        "is_prospect": "y",
        "version_id": customer.version_id}, page=f"/customers/{customer.id}/edit")
    update = events_of(customer)[-1]
    assert update.action == "update" and update.user_id == users["rep_east"].id
    assert update.changes == {"phone": ["111111", "222222"]}
    html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "111111 → 222222" in html and "Rep_East" in html


def test_timeline_is_newest_first(app, users):
    customer = make_customer("庚", users["rep_east"])
    for n in range(3):
        customer.phone = f"88888{n}"
        db.session.commit()
    rows = timeline(customer)
    assert [r.action for r in rows] == ["update", "update", "update", "create"]


def test_customer_timeline_includes_its_records_and_plugin_records(tmp_path):
    from core.registry.models import KeyPerson
    from core.testing import make_test_app, make_user
    from tests.sample_plugin.models import SampleNote
    from tests.sample_plugin.plugin import SamplePlugin

    app = make_test_app("sqlite", tmp_path, plugins=["sampleplug"], GUANXI_EXTRA_PLUGINS={"sampleplug": SamplePlugin})
    with app.app_context():
        rep = make_user("rep", ("rep",), "east")
        customer = make_customer("双力", rep)
        other = make_customer("别家", rep)
        db.session.add_all([KeyPerson(customer_id=customer.id, name="王老板"),
                            SampleNote(customer_id=customer.id, text="插件记录"),
                            KeyPerson(customer_id=other.id, name="别人")])
        db.session.commit()
        cid = customer.id
    client = app.test_client()
    login(client, "rep")
    html = client.get(f"/customers/{cid}").get_data(as_text=True)
    timeline_html = html.split('class="timeline"', 1)[1]
    assert '<span class="tag">关键人物</span>' in timeline_html and "王老板" in timeline_html
    assert '<span class="tag">Sample note</span>' in timeline_html
    assert "别人" not in timeline_html
