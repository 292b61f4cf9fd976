"""The customer registry: search, filters, archive details, contact log, dates, conversion."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.audit import AuditEvent
from core.db import db
from core.registry.models import (
    ContactLog,
    Contract,
    Customer,
    ImportantDate,
    KeyPerson,
    pinyin_initials,
)
from core.registry.services import record_first_order
from core.registry.widgets import upcoming_dates
from core.testing import QueryCounter, login, make_customer, make_user, post_form


def listed(client, **args):
    html = client.get("/customers/", query_string=args).get_data(as_text=True)
    return html


def test_pinyin_initials():
    assert pinyin_initials("河南双力") == "hnsl"
    assert pinyin_initials("周口丰收养殖场") == "zkfsyzc"


def test_search_by_code_name_phone_person_and_pinyin(client, users):
    shuangli = make_customer("河南双力饲料经销部", users["rep_east"], mobile="13912345678")
    make_customer("周口丰收养殖场", users["rep_east"])
    db.session.add(KeyPerson(customer_id=shuangli.id, name="王建国", phone="13700001111"))
    db.session.commit()
    login(client, "specialist")
    for q in ("hnsl", "HNSL", "双力", shuangli.code, "13912345678", "王建国", "13700001111"):
        html = listed(client, q=q)
        assert "河南双力饲料经销部" in html and "周口丰收养殖场" not in html, q


def test_filters_narrow_the_list(client, users):
    make_customer("甲养殖场", users["rep_east"], business_type="farm", size_class="A", is_prospect=True)
    make_customer("乙经销部", users["rep_west"], business_type="distributor", size_class="B", is_prospect=False)
    login(client, "specialist")
    assert "甲养殖场" in listed(client, business_type="farm") and "乙经销部" not in listed(client, business_type="farm")
    assert "乙经销部" in listed(client, size_class="B") and "甲养殖场" not in listed(client, size_class="B")
    assert "甲养殖场" in listed(client, kind="prospect") and "乙经销部" not in listed(client, kind="prospect")
    assert "乙经销部" in listed(client, kind="customer") and "甲养殖场" not in listed(client, kind="customer")
    west = users["rep_west"].region_id
    assert "乙经销部" in listed(client, region_id=west) and "甲养殖场" not in listed(client, region_id=west)
    owner = users["rep_east"].id
    assert "甲养殖场" in listed(client, owner_id=owner) and "乙经销部" not in listed(client, owner_id=owner)
    assert "甲养殖场" in listed(client, state="draft") and "甲养殖场" not in listed(client, state="filed")


def test_sorting_and_pagination(client, users):
    for n in range(55):
        make_customer(f"客户{n:02d}", users["rep_east"], code=f"K{n:03d}")
    login(client, "specialist")
    first = listed(client, sort="code")
    assert first.index("K000") < first.index("K001") and "K054" not in first
    assert "K054" in listed(client, sort="code", page=2)
    descending = listed(client, sort="code", desc="1")
    assert "K054" in descending and "K000" not in descending
    assert "第 1 页，共 2 页" in first


def test_list_page_queries_do_not_grow_with_rows(app, users):
    counts = []
    for total in (3, 30):
        while db.session.query(Customer).count() < total:
            make_customer(f"客户{db.session.query(Customer).count()}", users["rep_east"])
        client = app.test_client()
        login(client, "specialist")
        with QueryCounter() as queries:
            assert client.get("/customers/").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


def test_old_and_new_customers_by_first_order(app, users):
    customer = make_customer("甲", users["rep_east"], is_prospect=False)
    today = date(2026, 11, 23)
    customer.first_order_date = today - timedelta(days=365)
    assert customer.age_class(today) == "new"
    customer.first_order_date = today - timedelta(days=366)
    assert customer.age_class(today) == "old"
    assert make_customer("乙", users["rep_east"], is_prospect=True).age_class(today) is None


def test_first_order_converts_a_prospect_and_keeps_the_earliest_date(app, users):
    customer = make_customer("甲", users["rep_east"], is_prospect=True)
    record_first_order(customer.id, date(2026, 5, 1))
    record_first_order(customer.id, date(2026, 6, 1))
    db.session.commit()
    assert not customer.is_prospect and customer.first_order_date == date(2026, 5, 1)


def test_explicit_conversion_from_the_page(client, users):
    customer = make_customer("甲", users["rep_east"], is_prospect=True)
    login(client, "rep_east")
    post_form(client, f"/customers/{customer.id}/convert", {}, page=f"/customers/{customer.id}")
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).is_prospect is False


def test_key_person_add_edit_and_confirmed_delete(client, users):
    customer = make_customer("甲", users["rep_east"])
    login(client, "rep_east")
    base = f"/customers/{customer.id}/people"
    post_form(client, f"{base}/new", {"role": "owner", "name": "李老板", "birthday": "1970-05-06",
                                      "interests": "钓鱼"})
    person = db.session.scalar(select(KeyPerson).where(KeyPerson.customer_id == customer.id))
    assert person.name == "李老板" and person.birthday == date(1970, 5, 6)
    assert person.age(date(2026, 5, 5)) == 55 and person.age(date(2026, 5, 6)) == 56
    pid = person.id
    post_form(client, f"{base}/{pid}/edit", {"role": "manager", "name": "李经理"})
    db.session.expire_all()
    assert db.session.get(KeyPerson, pid).role == "manager"
    confirm = client.get(f"{base}/{pid}/delete")
    assert confirm.status_code == 200 and "确定删除" in confirm.get_data(as_text=True)
    assert db.session.get(KeyPerson, pid) is not None
    post_form(client, f"{base}/{pid}/delete", {})
    db.session.expire_all()
    assert db.session.get(KeyPerson, pid) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "customer_people",
                                                      AuditEvent.action == "delete"))


def test_child_records_of_an_invisible_customer_answer_404(client, users):
    customer = make_customer("西区", users["rep_west"])
    person = KeyPerson(customer_id=customer.id, name="王")
    db.session.add(person)
    db.session.commit()
    login(client, "rep_east")
    for url in (f"/customers/{customer.id}/people/new", f"/customers/{customer.id}/people/{person.id}/edit",
                f"/customers/{customer.id}/people/{person.id}/delete"):
        assert client.get(url).status_code == 404, url
    own = make_customer("东区", users["rep_east"])
    assert client.get(f"/customers/{own.id}/people/{person.id}/edit").status_code == 404
    assert client.get(f"/customers/{own.id}/nonsense/new").status_code == 404


def test_visit_with_local_time_and_cost_in_yuan(client, users):
    customer = make_customer("甲", users["rep_east"])
    login(client, "rep_east")
    response = post_form(client, f"/customers/{customer.id}/contacts/new", {
        "kind": "visit", "at": "2026-11-20T08:30", "place": "场部", "cost_cents": "120.50",
        "people_met": "李老板", "content": "了解用料情况", "result": "计划加量", "follow_up_on": "2026-12-01"})
    assert response.status_code == 302
    visit = db.session.scalar(select(ContactLog))
    assert visit.at == datetime(2026, 11, 20, 0, 30)  # stored in UTC
    assert visit.cost_cents == 12050 and visit.user_id == users["rep_east"].id
    html = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "2026-11-20 08:30" in html and "了解用料情况" in html


def test_bad_cost_is_a_form_message(client, users):
    customer = make_customer("甲", users["rep_east"])
    login(client, "rep_east")
    page = post_form(client, f"/customers/{customer.id}/contacts/new", {
        "kind": "visit", "at": "2026-11-20T08:30", "cost_cents": "12.345", "content": "x"})
    assert page.status_code == 200 and "1280.50" in page.get_data(as_text=True)
    assert db.session.query(ContactLog).count() == 0


def test_contract_file_upload_and_download(client, users, tmp_path):
    import io

    customer = make_customer("甲", users["rep_east"])
    login(client, "rep_east")
    token_page = f"/customers/{customer.id}/contracts/new"
    from core.testing import csrf_token

    response = client.post(token_page, data={
        "csrf_token": csrf_token(client, token_page), "number": "HT-2026-01", "signed_on": "2026-01-05",
        "upload": (io.BytesIO(b"%PDF-1.4 contract"), "合同.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    contract = db.session.scalar(select(Contract))
    assert contract.file_name == "合同.pdf"
    download = client.get(f"/customers/{customer.id}/contracts/{contract.id}/file")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 contract"
    other = make_user("rep_east_2", ("rep",), "east")
    assert other
    stranger = client.application.test_client()
    login(stranger, "rep_west")
    assert stranger.get(f"/customers/{customer.id}/contracts/{contract.id}/file").status_code == 404


def test_phone_log_lists_the_months_calls_of_visible_customers(client, users):
    mine = make_customer("东区客户", users["rep_east"])
    theirs = make_customer("西区客户", users["rep_west"])
    for customer, user, at, kind in ((mine, users["rep_east"], datetime(2026, 11, 5, 2), "phone"),
                                     (mine, users["rep_east"], datetime(2026, 10, 5, 2), "phone"),
                                     (mine, users["rep_east"], datetime(2026, 11, 6, 2), "visit"),
                                     (theirs, users["rep_west"], datetime(2026, 11, 5, 2), "phone")):
        db.session.add(ContactLog(customer_id=customer.id, user_id=user.id, at=at, kind=kind,
                                  content=f"{customer.name}-{at.month}-{kind}", result="好"))
    db.session.commit()
    login(client, "rm_east")
    html = client.get("/customers/contact-log?month=2026-11").get_data(as_text=True)
    assert "东区客户-11-phone" in html
    assert "东区客户-10-phone" not in html and "东区客户-11-visit" not in html and "西区客户" not in html
    assert "Rep_East" in html and "2026-11-05 10:00" in html
    assert "东区客户-11-visit" in client.get("/customers/contact-log?month=2026-11&kind=visit").get_data(as_text=True)


def test_upcoming_dates_window_wraps_the_year(app, users):
    customer = make_customer("甲", users["rep_east"])
    for on in (date(1975, 12, 25), date(1980, 1, 5), date(1980, 2, 20), date(1990, 11, 30)):
        db.session.add(ImportantDate(customer_id=customer.id, kind="birthday", on=on, person=str(on)))
    db.session.commit()
    rows = upcoming_dates(users["specialist"], today=date(2026, 12, 20))
    assert [(r["when"], r["in_days"]) for r in rows] == [(date(2026, 12, 25), 5), (date(2027, 1, 5), 16)]
    assert upcoming_dates(users["rep_west"], today=date(2026, 12, 20)) == []


def test_dashboard_lists_upcoming_birthdays(client, users):
    customer = make_customer("双力", users["rep_east"])
    from core.clock import local_now

    with client.application.app_context():
        soon = local_now().date() + timedelta(days=3)  # the company's "today", not UTC's
    db.session.add(ImportantDate(customer_id=customer.id, kind="birthday", on=soon.replace(year=1970), person="李老板"))
    db.session.commit()
    login(client, "rep_east")
    html = client.get("/").get_data(as_text=True)
    assert "未来 30 天的重要日子" in html and "李老板" in html and "3 天后" in html


def test_archive_card_lists_key_people(client, users):
    import io

    from pypdf import PdfReader

    customer = make_customer("河南双力饲料经销部", users["rep_east"])
    db.session.add(KeyPerson(customer_id=customer.id, role="legal_rep", name="赵法人"))
    db.session.commit()
    login(client, "specialist")
    pdf = client.get(f"/print/customer_card/{customer.id}.pdf").data
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "赵法人" in text and "法人代表" in text


def test_demo_data_has_visits_people_and_second_level_customers(app):
    from core.registry.models import SecondaryCustomer

    app.test_cli_runner().invoke(args=["demo"])
    assert db.session.query(ContactLog).count() >= 12
    assert db.session.query(KeyPerson).count() >= 12
    assert db.session.query(SecondaryCustomer).filter_by(is_core=True).count() >= 1
    prospects = db.session.query(Customer).filter_by(is_prospect=True).all()
    assert prospects and all(len([c for c in db.session.query(ContactLog).filter_by(customer_id=p.id)]) >= 3
                             for p in prospects)
    assert db.session.query(Customer).filter_by(state="filed").count() >= 1
