"""The customer search through its token index finds exactly what ``LIKE '%q%'`` finds, on both
databases, and the tokens follow every way an archive or a key person changes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.events import commit
from core.registry.grams import query_grams, text_grams
from core.registry.models import Customer, KeyPerson
from core.registry.search import CustomerFilter, customer_query, text_condition
from core.registry.services import update_customer
from core.registry.transfer import write_xlsx
from core.testing import login, make_customer, post_form
from tests.core.test_import_export import ZH, row, upload

QUERIES = [
    "丰收", "丰", "收养", "养殖场", "周口丰收养殖场", "双力", "力饲", "饲料", "河", "hn", "HN", "Hnsl", "zkfs",
    "abc", "ABC", "Abc饲", "c0", "C00000", "1", "13", "138", "0012", "13800000012", "0371-", "-12", "0371-123",
    "王", "王小", "小二", "13912", "东区", "（东", "（", " ", "%", "_", "丰%收", "a_c", "x", "不存在", "9999999",
]


@pytest.fixture
def archives(app, users):
    owner = users["rep_east"]
    found = [
        make_customer("周口丰收养殖场", owner, phone="0371-1234567", mobile="13800000012"),
        make_customer("河南双力饲料", owner, mobile="13912345678"),
        make_customer("ABC饲料", owner, code="abc-01"),
        make_customer("郑州丰收（东区）", owner, phone="0371 8888"),
        make_customer("收获农场", owner, mobile="15000001300"),
        make_customer("Xinxiang Feed", owner),
    ]
    db.session.add_all([KeyPerson(customer_id=found[1].id, name="王小二", phone="13912000000"),
                        KeyPerson(customer_id=found[4].id, name="李丰", phone="0371-5550012")])
    db.session.commit()
    return found


def _search(q, user):
    return set(db.session.scalars(customer_query(CustomerFilter(q=q), user).with_only_columns(Customer.id)))


def _plain(q, people):
    return set(db.session.scalars(select(Customer.id).where(text_condition(q, people))))


@pytest.mark.parametrize("who, people", [("specialist", True), ("rep_east", False)])
def test_search_finds_exactly_what_like_finds(archives, users, who, people):
    user = users[who]
    assert user.can("customers.view_archive") is people or who == "rep_east"
    people = user.can("customers.view_archive")
    for q in QUERIES:
        assert _search(q, user) == _plain(q, people), q


def test_two_character_fragments_and_people_are_found(archives, users):
    specialist = users["specialist"]
    assert _search("丰收", specialist) == {archives[0].id, archives[3].id}
    assert _search("王小", specialist) == {archives[1].id}  # a key person's name
    assert _search("hnsl", specialist) == {archives[1].id}  # pinyin initials
    assert _search("HNSL", specialist) == {archives[1].id}
    assert _search("0012", specialist) == {archives[0].id, archives[4].id}  # a mobile, a person's phone


def test_tokens_follow_edits_people_and_imports(client, archives, users):
    customer = archives[1]
    update_customer(customer, {"name": "新乡大地饲料", "phone": "0373-7654321"})
    commit()
    specialist = users["specialist"]
    assert _search("双力", specialist) == set()
    assert _search("大地", specialist) == _search("xxdd", specialist) == {customer.id}
    assert _search("7654", specialist) == {customer.id}

    login(client, "specialist")
    post_form(client, f"/customers/{archives[5].id}/people/new", {"role": "owner", "name": "赵大海", "phone": "0374-9990001"})
    assert _search("大海", specialist) == _search("99900", specialist) == {archives[5].id}
    person = db.session.scalar(select(KeyPerson).where(KeyPerson.name == "赵大海"))
    post_form(client, f"/customers/{archives[5].id}/people/{person.id}/edit", {"role": "owner", "name": "赵小河"})
    assert _search("大海", specialist) == set() and _search("小河", specialist) == {archives[5].id}
    post_form(client, f"/customers/{archives[5].id}/people/{person.id}/delete", {})
    assert _search("小河", specialist) == set()

    data = write_xlsx(ZH, [row(code="N001", name="漯河金穗饲料", phone="0395-2223334")])
    preview = client.get(upload(client, data).headers["Location"])
    post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path)
    imported = db.session.scalar(select(Customer.id).where(Customer.code == "N001"))
    assert _search("金穗", specialist) == _search("2223", specialist) == {imported}
    for q in QUERIES + ["金穗", "大地", "n00"]:
        assert _search(q, specialist) == _plain(q, True), q


def test_the_list_page_searches_with_tokens(client, archives):
    login(client, "specialist")
    html = client.get("/customers/?q=丰收").get_data(as_text=True)
    assert "周口丰收养殖场" in html and "郑州丰收（东区）" in html and "河南双力饲料" not in html


def test_tokens_are_characters_and_pairs_of_letter_and_digit_runs():
    assert text_grams(["丰收饲 A-1"]) == "1 a 丰 丰收 丰收饲 收 收饲 饲"
    assert query_grams("丰收") == ["丰收"] and query_grams("丰收饲料") == ["丰收饲", "收饲料"]
    assert query_grams("A-1") == ["a", "1"] and query_grams("%") == []
