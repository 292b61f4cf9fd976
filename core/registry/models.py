"""Customer archive (客户档案) and what hangs off it: people, contracts, plans, evaluations,
second-level customers, the contact log and important dates."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.audit import Audited, Choice, Money
from core.auth.models import Region, User
from core.db import db, utcnow
from core.registry.archive_flow import ARCHIVE_FLOW
from core.registry.child_forms import CONTACT_KINDS, DATE_KINDS, PERSON_ROLES, SECONDARY_TYPES
from core.registry.forms import BUSINESS_TYPE_LABELS
from core.registry.grams import text_grams
from core.workflow import guard_state

SIZE_CLASSES = ("A", "B", "C")
OLD_CUSTOMER_DAYS = 365


# Place and company names read these characters otherwise than the dictionary's first reading
# (长江, 长治, 重庆, 厦门, 蚌埠).
NAME_READINGS = {"长": "c", "重": "c", "厦": "x", "蚌": "b"}


FIRST_CJK, LAST_CJK = 0x3400, 0x9FFF  # CJK extension A and the unified ideographs


@cache
def _char_initials() -> tuple[str, dict[int, str]]:
    """First letter of each character's first reading: one string for the common block (a space
    where a code has no reading) and a small dict for the rest. Read from pypinyin's table file
    without importing pypinyin, whose phrase dictionary (~190,000 objects) would stay in memory."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    block = [" "] * (LAST_CJK - FIRST_CJK + 1)
    rest = {}
    for key, readings in json.loads(path.read_text(encoding="utf-8")).items():
        code = int(key)
        letter = unicodedata.normalize("NFD", readings[0])[0].lower()
        if FIRST_CJK <= code <= LAST_CJK:
            block[code - FIRST_CJK] = letter
        else:
            rest[code] = letter
    return "".join(block), rest


def _initial(char: str) -> str | None:
    if char in NAME_READINGS:
        return NAME_READINGS[char]
    block, rest = _char_initials()
    code = ord(char)
    if FIRST_CJK <= code <= LAST_CJK:
        letter = block[code - FIRST_CJK]
        return None if letter == " " else letter
    return rest.get(code)


def pinyin_initials(text: str) -> str:
    """Lower-case initials of a Chinese name: 河南双力 -> hnsl; a run of other characters counts as
    one word and gives its first character (ABC饲料 -> asl)."""
    letters: list[str] = []
    in_word = False
    for char in text or "":
        letter = _initial(char)
        if letter:
            letters.append(letter)
            in_word = False
        elif not in_word:
            letters.append(char.lower())
            in_word = True
    return "".join(letters)


def search_index(table: str) -> Index:
    """PostgreSQL's GIN index over a table's search tokens as an array (SQLite: an FTS5 table kept
    by triggers, made by the migration). The separator is a literal so the index serves the query."""
    return Index(f"ix_{table}_search_grams", func.string_to_array(literal_column("search_grams"),
                                                                  literal_column("' '")),
                 postgresql_using="gin").ddl_if(dialect="postgresql")


# searched by the customer list (core.registry.search); name_initials follows name
SEARCHED_CUSTOMER_FIELDS = ("code", "name", "phone", "mobile", "name_initials")
SEARCHED_PERSON_FIELDS = ("name", "phone")


class Customer(Audited, db.Model):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_initials: Mapped[str] = mapped_column(String(200), default="", index=True)
    business_type: Mapped[str] = mapped_column(String(20), default="distributor")
    size_class: Mapped[str | None] = mapped_column(String(1))
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(300))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    founding_date: Mapped[date | None] = mapped_column(Date)
    organisation_form: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    assets: Mapped[str | None] = mapped_column(String(200))
    is_prospect: Mapped[bool] = mapped_column(Boolean, default=True)
    intends_to_order: Mapped[bool] = mapped_column(Boolean, default=False)
    # the rep's judgement that the customer can grow (tiering's fast-growing focus, the nine-grid)
    growth_potential: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    first_order_date: Mapped[date | None] = mapped_column(Date)
    converted_at: Mapped[datetime | None] = mapped_column(DateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=ARCHIVE_FLOW.initial, index=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    version_id: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # search tokens of code, name, phones and initials (core.registry.grams), kept by the model
    search_grams: Mapped[str] = mapped_column(Text, default="", server_default="")

    region: Mapped[Region | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        # the owner and region sorts and the pages by code walk these in order and read nothing
        # else (the id is in the index), instead of sorting or visiting every archive
        Index("ix_customers_owner_code", "owner_id", "code", "id"),
        Index("ix_customers_region_code", "region_id", "code", "id"),
        Index("ix_customers_code_id", "code", "id"),
        search_index("customers"),
    )
    __audit_exclude__ = frozenset({"version_id", "updated_at", "created_at", "name_initials",
                                   "state_changed_at", "search_grams"})
    __audit_label__ = _l("Customers")
    __audit_fields__ = {
        "code": _l("Code"), "name": _l("Name"), "business_type": Choice(_l("Business type"), BUSINESS_TYPE_LABELS),
        "size_class": _l("Size class"), "phone": _l("Phone"), "mobile": _l("Mobile"), "address": _l("Address"),
        "region_id": _l("Region"), "owner_id": _l("Owner"), "founding_date": _l("Founded on"),
        "organisation_form": _l("Organisation form"), "industry": _l("Industry"), "assets": _l("Assets"),
        "is_prospect": _l("Prospect (no order yet)"), "intends_to_order": _l("Intends to order"),
        "growth_potential": _l("Growth potential"),
        "first_order_date": _l("First order"), "converted_at": _l("Became a customer"), "notes": _l("Notes"),
        "state": _l("Archive state"),
        # not a column: the key person with the role legal_rep, watched by the archive's verification
        "legal_representative": _l("Legal representative"),
    }

    @validates("code", "name", "phone", "mobile")
    def _keep_search_fields(self, key: str, value: str | None) -> str | None:
        if key == "name":
            self.name_initials = pinyin_initials(value)
        fields = {name: getattr(self, name) for name in SEARCHED_CUSTOMER_FIELDS} | {key: value}
        self.search_grams = text_grams(fields.values())
        return value

    def age_class(self, today: date) -> str | None:
        """'old' after more than a year since the first order, else 'new'; None for a prospect."""
        if self.first_order_date is None:
            return None if self.is_prospect else "new"
        return "old" if (today - self.first_order_date).days > OLD_CUSTOMER_DAYS else "new"


guard_state(Customer, ARCHIVE_FLOW)


class CustomerChild(Audited):
    """Columns every record hanging off a customer archive shares."""

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __audit_fields__ = {"customer_id": _l("Customer")}


class KeyPerson(CustomerChild, db.Model):
    __tablename__ = "customer_people"
    __audit_label__ = _l("Key people")
    __audit_fields__ = {
        "role": Choice(_l("Role"), PERSON_ROLES), "name": _l("Full name"), "phone": _l("Phone"),
        "birthday": _l("Birthday"), "education": _l("Education"), "personality": _l("Personality"),
        "interests": _l("Interests"), "family": _l("Family"),
    }
    role: Mapped[str] = mapped_column(String(20), default="owner")
    name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    birthday: Mapped[date | None] = mapped_column(Date)
    education: Mapped[str | None] = mapped_column(String(100))
    personality: Mapped[str | None] = mapped_column(Text)
    interests: Mapped[str | None] = mapped_column(Text)
    family: Mapped[str | None] = mapped_column(Text)
    search_grams: Mapped[str] = mapped_column(Text, default="", server_default="")  # name and phone

    __table_args__ = (search_index("customer_people"),)
    __audit_exclude__ = frozenset({"version_id", "updated_at", "created_at", "search_grams"})

    @validates("name", "phone")
    def _keep_search_grams(self, key: str, value: str | None) -> str | None:
        fields = {name: getattr(self, name) for name in SEARCHED_PERSON_FIELDS} | {key: value}
        self.search_grams = text_grams(fields.values())
        return value

    def age(self, today: date) -> int | None:
        if not self.birthday:
            return None
        return today.year - self.birthday.year - ((today.month, today.day) < (self.birthday.month, self.birthday.day))


class Contract(CustomerChild, db.Model):
    __tablename__ = "customer_contracts"
    __audit_label__ = _l("Contracts")
    __audit_fields__ = {
        "number": _l("Contract number"), "signed_on": _l("Signed on"), "valid_from": _l("Valid from"),
        "valid_until": _l("Valid until"), "terms": _l("Terms"), "file_name": _l("Contract file"),
        "stored_file": _l("Stored as"),
    }
    number: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    terms: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(200))
    stored_file: Mapped[str | None] = mapped_column(String(200))


class MarketingPlan(CustomerChild, db.Model):
    __tablename__ = "customer_plans"
    __audit_label__ = _l("Marketing plans")
    __audit_fields__ = {"title": _l("Title"), "period": _l("Period"), "content": _l("Content")}
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[str | None] = mapped_column(Text)


class Evaluation(CustomerChild, db.Model):
    __tablename__ = "customer_evaluations"
    __audit_label__ = _l("Evaluations")
    __audit_fields__ = {"evaluated_on": _l("Date"), "author_id": _l("Evaluated by"), "summary": _l("Evaluation")}
    evaluated_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(Text)


class SecondaryCustomer(CustomerChild, db.Model):
    """A customer of a distributor or feed mill (二级客户); core ones are flagged."""

    __tablename__ = "customer_secondary"
    __audit_label__ = _l("Second-level customers")
    __audit_fields__ = {
        "name": _l("Name"), "business_type": Choice(_l("Business type"), SECONDARY_TYPES), "phone": _l("Phone"),
        "volume": _l("Volume"), "is_core": _l("Core customer"), "notes": _l("Notes"),
    }
    name: Mapped[str] = mapped_column(String(200))
    business_type: Mapped[str] = mapped_column(String(20), default="farm")
    phone: Mapped[str | None] = mapped_column(String(50))
    volume: Mapped[str | None] = mapped_column(String(100))
    is_core: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)


class ContactLog(CustomerChild, db.Model):
    """A visit or phone call (拜访 / 电话记录)."""

    __tablename__ = "customer_contacts"
    __audit_label__ = _l("Visits and calls")
    __audit_fields__ = {
        "kind": Choice(_l("Kind"), CONTACT_KINDS), "at": _l("Time"), "user_id": _l("Handled by"),
        "place": _l("Place"), "method": _l("Method"), "cost_cents": Money(_l("Cost")),
        "people_met": _l("People met"), "content": _l("Content"), "result": _l("Result"),
        "follow_up_on": _l("Follow up on"),
    }
    kind: Mapped[str] = mapped_column(String(10), default="visit", index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    place: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str | None] = mapped_column(String(100))
    cost_cents: Mapped[int | None] = mapped_column(Integer)
    people_met: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)

    user: Mapped[User | None] = relationship(lazy="joined")


class ImportantDate(CustomerChild, db.Model):
    """Birthdays, openings, weddings: recurring each year on the same day."""

    __tablename__ = "customer_dates"
    __audit_label__ = _l("Important dates")
    __audit_fields__ = {"kind": Choice(_l("Kind"), DATE_KINDS), "on": _l("Date"), "person": _l("Person"),
                        "note": _l("Note")}
    kind: Mapped[str] = mapped_column(String(20), default="birthday")
    on: Mapped[date] = mapped_column(Date)
    # month * 100 + day of ``on``: the dashboard finds the next days' dates through this index
    month_day: Mapped[int | None] = mapped_column(Integer, index=True)
    person: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(300))

    __audit_exclude__ = frozenset({"version_id", "updated_at", "created_at", "month_day"})

    @validates("on")
    def _keep_month_day(self, key: str, value: date | None) -> date | None:
        self.month_day = value.month * 100 + value.day if value else None
        return value
