"""Fuzz: no hostile value in a URL, a query string or any form field gives a 500.

One test per GET endpoint of core and every built-in plugin (walked from ``app.url_map``):
its path arguments get hostile values, its page gets hostile query arguments, and every POST
form found on the page (as an administrator and as a representative) is sent once per field and
hostile value, the other fields holding what the page offered. Each endpoint starts from a fresh
database with one record of every kind, so a form that changes state cannot starve another.
"""
from __future__ import annotations

import io
import itertools
import re
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from core.app import create_app
from core.db import db
from core.inputs import IdConverter
from core.registry.children import CHILD_KINDS
from core.registry.transfer import header_labels
from core.testing import login, make_customer, make_user

HOSTILE = ("\x00", "x" * 10_000, "NaN", "1e400", "-1", str(2**40), "9999-12-31", "0001-01-01",
           "9999-12-31T23:59", "0001-01-01T00:00")
HOSTILE_PATH = ("0", "-1", str(2**31), str(2**63), "%00", "x" * 10_000)
QUERY_ARGS = ("q", "page", "month", "day", "state", "kind", "sort", "desc", "region_id", "owner_id",
              "customer_id", "business_type", "size_class", "overdue", "lang", "next")
SKIPPED = {"static", "theme_static"}
REAL_ARGS = {"kind_key": tuple(CHILD_KINDS), "fmt": ("xlsx", "csv"), "token": ("no-such-import",)}
REAL_BY_ENDPOINT = {("logistics.station_reading", "name"): ("main",),
                    ("logistics.order", "order_id"): tuple("123456"),
                    ("logistics.trip_correct", "trip_id"): ("1", "2", "3")}
QUERIES = {"logistics.new_order": ("", "?customer_id=1")}
UPLOAD_ROW = ("", "新客户", "经销商", "A", "0371-1234567", "", "郑州", "", "", "是", "2015-03-01", "", "", "")
PLAUSIBLE = {"number": "1", "date": "2026-01-15", "datetime-local": "2026-01-15T09:00",
             "password": "secret-pass-123", "search": "双力"}


def _rules() -> list[Rule]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "fuzz", "TESTING": True,
                      "INSTANCE_PATH": tempfile.mkdtemp(prefix="guanxi-fuzz-")})
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint not in SKIPPED]


RULES = {rule.rule: rule for rule in _rules()}


def test_every_id_in_a_url_uses_the_bounded_id_converter():
    plain_ints = [f"{rule.rule} <{name}>" for rule in RULES.values()
                  for name, converter in rule._converters.items()
                  if isinstance(converter, IntegerConverter) and not isinstance(converter, IdConverter)]
    assert not plain_ints, "use <id:...> for record ids: " + ", ".join(plain_ints)


# --- the world every endpoint is fuzzed in ---------------------------------------------------

ORDER_STEPS = ("confirm_data", "schedule", "confirm_payment", "confirm_products", "invoice")


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """One record of every kind (each the first of its table, so id 1 names it), and an order and
    a weighbridge ticket in every state that has a form of its own."""
    import datetime as dt

    from core.i18n import N_
    from core.notifications import notify
    from core.registry import models
    from plugins.logistics.flows import ORDER_FLOW
    from plugins.logistics.models import Product, Vehicle
    from plugins.logistics.services import LineInput, create_order, load, take_gross, take_tare

    admin = make_user("admin", ("admin",))
    rep = make_user("rep", ("rep",), "east")
    customer = make_customer("河南双力饲料经销部", rep, address="郑州市金水路1号", phone="0371-6543210")
    db.session.add_all([
        models.KeyPerson(customer_id=customer.id, name="王老板", phone="13800000000"),
        models.ContactLog(customer_id=customer.id, kind="phone", at=dt.datetime(2026, 1, 5, 2), content="通话"),
        models.ImportantDate(customer_id=customer.id, kind="birthday", on=dt.date(1970, 3, 1)),
        models.Contract(customer_id=customer.id, number="HT-1"),
        models.MarketingPlan(customer_id=customer.id, title="春季"),
        models.Evaluation(customer_id=customer.id, evaluated_on=dt.date(2026, 1, 1), summary="好"),
        models.SecondaryCustomer(customer_id=customer.id, name="二级")])
    feed = Product(code="P551", name="育肥猪配合饲料", bag_weight_kg=40, price_cents_per_tonne=326000)
    trucks = [Vehicle(plate=f"豫A·1234{n}", capacity_kg=30000, last_tare_kg=15200) for n in range(3)]
    db.session.add_all([feed, *trucks])
    db.session.commit()

    def order(steps: int) -> Any:
        record = create_order(customer, [LineInput(feed, tonnes="25")], admin)
        record.payment_cents = record.amount_cents
        for step in ORDER_STEPS[:steps]:
            record.invoice_number = "FP-1" if step == "invoice" else None
            ORDER_FLOW.apply(record, step, admin)
        return record

    invoiced = [order(5) for _ in range(4)]  # orders 1-4: trucks tare weighed, loaded, gross weighed; one waiting
    order(2).payment_cents = None  # order 5 waits for its payment
    order(4)  # order 6 for its invoice
    trips = [take_tare(record, truck, 15200, admin, manual=True) for record, truck in zip(invoiced, trucks, strict=False)]
    load(trips[1], 625, admin)
    load(trips[2], 625, admin)
    take_gross(trips[2], 40540, admin, manual=True)
    notify(N_("Archive %(code)s %(name)s has waited over a month for verification."), roles=["admin", "rep"],
           params={"code": customer.code, "name": customer.name})
    db.session.commit()
    return {"admin": admin, "rep": rep}


# --- finding forms on a page -----------------------------------------------------------------

@dataclass
class Form:
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, input type, value)
    files: list[str] = field(default_factory=list)

    def baseline(self) -> dict[str, list[str]]:
        """What a browser sends untouched; empty text fields hold something plausible."""
        values: dict[str, list[str]] = {}
        for name, kind, value in self.fields:
            values.setdefault(name, []).append(value or PLAUSIBLE.get(kind, "测试" if kind == "text" else value))
        return values

    def data(self, values: dict[str, list[str]]) -> dict[str, Any]:
        return {**values, **{name: (io.BytesIO(b"x"), "upload.txt") for name in self.files}}


class FormParser(HTMLParser):
    """The POST forms of a page with the values a browser would send."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page, self.forms = page, []
        self.form: Form | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.form = Form(a.get("action") or self.page)
            self.forms.append(self.form)
        elif self.form is None or ("name" not in a and tag != "option"):
            return
        elif tag == "input" and a.get("type") == "file":
            self.form.files.append(a["name"])
        elif tag == "button" or a.get("type") in ("submit", "button"):
            if a["name"] not in {name for name, _kind, _value in self.form.fields}:  # the first button
                self.form.fields.append((a["name"], "button", a.get("value", "")))
        elif tag == "input":
            kind = a.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in a:
                self.form.fields.append((a["name"], kind, a.get("value", "y" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if self.form is None:
            return
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select:
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options if v][:1]
            self.form.fields += [(self.select, "select", value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.form.fields.append((self.textarea, "textarea", self.text.strip()))
            self.textarea = None


def forms_on(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    return parser.forms


# --- the fuzz --------------------------------------------------------------------------------

def real_arguments(rule: Rule) -> list[dict[str, str]]:
    """Every way to fill the rule's arguments with the world's records (id 1 of each table)."""
    from core.printing import documents

    choices = []
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            choices.append(sorted(converter.items))
        elif (rule.endpoint, name) in REAL_BY_ENDPOINT:
            choices.append(REAL_BY_ENDPOINT[rule.endpoint, name])
        elif isinstance(converter, IntegerConverter):
            choices.append(["1"])
        elif rule.endpoint == "main.print_document":
            choices.append(sorted(documents()))
        else:
            choices.append(REAL_ARGS.get(name, ("x",)))
    names = sorted(rule.arguments)
    choices = [choices[list(rule.arguments).index(name)] for name in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]


def fill(rule: Rule, values: dict[str, str]) -> str:
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[^<>]*:)?{name}>", lambda _match, value=value: value, url)
    return url


class Fuzz:
    """Sends requests and collects every one that fails instead of stopping at the first."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.requests = 0

    def send(self, client: FlaskClient, method: str, url: str, what: str, **kwargs: Any) -> Any:
        self.requests += 1
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as error:  # the test client raises what a server would answer with a 500
            self.failures.append(f"{method} {url[:100]} {what}: {type(error).__name__}: {str(error)[:300]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{method} {url[:100]} {what}: {response.status_code}")
        return response


def fuzz_forms(fuzz: Fuzz, client: FlaskClient, url: str, html: str, username: str) -> None:
    """Each field of each form hostile in turn; each file field an import file with one hostile
    cell in turn, and the forms of the page it leads to (the import's confirmation) sent as they are."""
    for form in forms_on(url, html):
        baseline = form.baseline()
        for name in sorted(baseline.keys() - {"csrf_token"}):
            for value in HOSTILE:
                fuzz.send(client, "POST", form.action, f"{username} {name}={value[:20]!r}",
                          data=form.data({**baseline, name: [value]}))
        for name in form.files:
            for value, column in itertools.product(HOSTILE, range(len(UPLOAD_ROW))):
                row = [value if index == column else cell for index, cell in enumerate(UPLOAD_ROW)]
                upload = "\n".join(",".join(f'"{cell}"' for cell in cells) for cells in (header_labels("zh"), row))
                what = f"{username} file {name} column {column}={value[:20]!r}"
                after = fuzz.send(client, "POST", form.action, what, follow_redirects=True,
                                  data={**baseline, name: (io.BytesIO(upload.encode()), "upload.csv")})
                if after is None or after.mimetype != "text/html":
                    continue
                for follow_up in forms_on(after.request.path, after.get_data(as_text=True)):
                    if follow_up.action not in ("/language", "/logout"):  # the import's confirmation
                        fuzz.send(client, "POST", follow_up.action, f"{what}, then confirmed",
                                  data=follow_up.data(follow_up.baseline()))


@pytest.mark.parametrize("path", sorted(RULES))
def test_no_hostile_input_gives_a_500(app, world, path):
    rule, fuzz = RULES[path], Fuzz()
    clients = {}
    for username in ("admin", "rep"):
        clients[username] = app.test_client()
        login(clients[username], username)
    admin = clients["admin"]
    combos = real_arguments(rule)

    for name in rule.arguments:  # each path argument hostile, the others naming real records
        for value in HOSTILE_PATH:
            fuzz.send(admin, "GET", fill(rule, {**combos[0], name: value}), f"<{name}>={value[:20]!r}")

    for url in [fill(rule, values) + query for values in combos for query in QUERIES.get(rule.endpoint, ("",))]:
        for value in HOSTILE:  # every query argument a page might read, hostile at once
            fuzz.send(admin, "GET", f"{url}?{urlencode(dict.fromkeys(QUERY_ARGS, value))}", f"query={value[:20]!r}")
        for username, client in clients.items():
            page = fuzz.send(client, "GET", url, username)
            if page is not None and page.status_code == 200 and page.mimetype == "text/html":
                fuzz_forms(fuzz, client, url, page.get_data(as_text=True), username)
    assert not fuzz.failures, f"{len(fuzz.failures)} of {fuzz.requests} requests failed:\n" + "\n".join(fuzz.failures)
