"""The printed forms match the manual's field lists (DOMAIN.md "Forms"), carry the company's name
and the names of the people who did each step, and fit one page of A5 or A4 with a long product
name. Each page is kept as a PNG in test-artifacts/forms/ to be looked at."""
import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader
from sqlalchemy import select

from core.clock import local_now, to_local
from core.db import db
from core.settings import save_company_setting
from core.testing import login, post_form
from plugins.logistics.flows import ORDER_FLOW
from plugins.logistics.models import Product
from plugins.logistics.services import (
    LineInput,
    create_order,
    issue_pass,
    load,
    record_payment,
    take_gross,
    take_tare,
    use_pass,
)
from tests.plugins.logistics.test_order_flow import new_order, ready_to_load

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "forms"
LONG_NAME = "高档育肥猪全价颗粒配合饲料加强型二号"  # 20 characters
COMPANY = "河南丰收饲料有限公司"
MM = 72 / 25.4
MARGIN = 12 * MM  # the page margin of core.printing


def flat(text: str) -> str:
    """Extracted text without the line breaks a wrapped cell adds."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def two_product_trip(world, shipped=True, third=False):
    """An order of the 20-character product and the usual feed (and a third, for the layout), paid,
    invoiced, all on one truck with their batches; weighed by the weigher, loaded by the keeper,
    let out at the gate."""
    world["coordinator"].display_name, world["weigher"].display_name = "吴协调", "郑师傅"
    world["keeper"].display_name = "冯库管"
    long_feed = Product(code="P990", name=LONG_NAME, bag_weight_kg=40, pellet_size="3.5mm",
                        price_cents_per_tonne=412000)
    piglet = Product(code="P120", name="乳猪教槽颗粒料（膨化）", bag_weight_kg=20, pellet_size="2mm",
                     price_cents_per_tonne=685000)
    db.session.add_all([long_feed, piglet])
    db.session.flush()
    lines = [LineInput(long_feed, tonnes="8"), LineInput(world["feed"], tonnes="2")]
    if third:
        lines.append(LineInput(piglet, tonnes="1"))
    order = create_order(world["customer"], lines, world["coordinator"], ordered_by="王老板", transport="pickup",
                         remarks="上午装车", delivery_on=local_now().date() + timedelta(days=1))
    ORDER_FLOW.apply(order, "confirm_data", world["coordinator"])
    ORDER_FLOW.apply(order, "schedule", world["coordinator"])
    record_payment(order, order.amount_cents, "transfer", world["coordinator"])
    ORDER_FLOW.apply(order, "confirm_products", world["keeper"])
    order.invoice_number = "FP-2026-0815"
    ORDER_FLOW.apply(order, "invoice", world["coordinator"])
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    load(trip, {line.id: line.bags for line in order.lines}, world["keeper"],
         batches={line.id: f"B20261206-0{index}" for index, line in enumerate(order.lines, 1)})
    take_gross(trip, 15200 + trip.loaded_kg + 150, world["weigher"])
    issue_pass(trip, world["coordinator"])
    if shipped:
        use_pass(trip.pass_token, world["weigher"])
    db.session.commit()
    return order, trip


def set_company(company=COMPANY, paper="A5"):
    save_company_setting("core.company_name", company)
    save_company_setting("logistics.form_paper", paper)
    db.session.commit()


def fetch_all(app, order, trip):
    """Every form of the order as the office prints it: the originals of the ticket and the pass
    by their POST, the order's forms by a GET."""
    office = app.test_client()
    login(office, "coordinator")
    weigher = app.test_client()
    login(weigher, "weigher")
    ticket = post_form(weigher, f"/logistics/trips/{trip.id}/original/weigh_ticket", {}, page="/logistics/station")
    gate = post_form(office, f"/logistics/trips/{trip.id}/original/gate_pass", {}, page=f"/logistics/orders/{order.id}")
    return {
        "phone_order": office.get(f"/print/phone_order/{order.id}.pdf").data,
        "pickup_slip": office.get(f"/print/pickup_slip/{order.id}.pdf").data,
        "weigh_ticket": ticket.data,
        "gate_pass": gate.data,
    }


def assert_all(text: str, expected: list[str]) -> None:
    missing = [item for item in expected if flat(item) not in flat(text)]
    assert not missing, f"missing {missing} in:\n{text}"


def test_each_form_carries_the_manual_fields_and_values(app, world):
    order, trip = two_product_trip(world)
    set_company()
    forms = {name: pdf_text(data) for name, data in fetch_all(app, order, trip).items()}
    first, second = order.lines

    phone = forms["phone_order"]
    assert_all(phone, ["电话订货记录", "编号", "DD-QR-YXB-24", order.number, "客户姓名", "河南双力饲料经销部",
                       "详细地址", "郑州市金水路1号", "订货时间", "订货人", "王老板", "内容", LONG_NAME,
                       "8.000吨/200袋", "育肥猪配合饲料", "发货时间", f"要求{order.delivery_on.isoformat()}", "出厂", "豫A·12345", "运输方式",
                       "货款情况", "已付清", "其它", "上午装车"])

    slip = forms["pickup_slip"]
    assert_all(slip, ["饲料提货单", "购货单位", "河南双力饲料经销部", "销售票号", "FP-2026-0815", "品名",
                      "包重规格", "粒径规格", "数量（吨）", "袋数", "单价", "金额", "备注", "合计", "大写金额",
                      LONG_NAME, "3.5mm", "8.000", "200", "¥32,960.00", "¥6,520.00", "¥39,480.00",
                      "批号B20261206-01", "人民币叁万玖仟肆佰捌拾元整", "制单：吴协调", "协调员", "成品库管",
                      "提货人签字"])

    ticket = forms["weigh_ticket"]
    assert_all(ticket, ["过磅单", "客户名称", "河南双力饲料经销部", "NO:", trip.number, "车号", "豫A·12345", "品名",
                        LONG_NAME, "育肥猪配合饲料", "实车重", "25350", "空车重", "15200", "净重", "10150",
                        "件数", "进厂时间", "离厂时间", "合计", "250", "验货员：冯库管", "过磅员：郑师傅"])
    assert "副本" not in ticket and "重车" not in ticket  # the manual's label is 实车重

    gate = forms["gate_pass"]
    assert_all(gate, ["出门证", "编号", trip.pass_number, "提货单位", "出门日期", "品名", "规格", "单位", "数量", "件数",
                      "备注", LONG_NAME, "40公斤/袋", "公斤", "8000", "200", "2000", "50", "10000", "250",
                      "批号B20261206-01", "车号", "提货人", "协调员：吴协调"])
    stub = gate.split("存根（一联存根）")[1]
    assert_all(stub, [trip.pass_number, "河南双力饲料经销部", LONG_NAME, "8000", "200", "育肥猪配合饲料", "2000",
                      "50", "出门日期", "提货人", "协调员", "门卫"])
    assert (first.bags, second.bags) == (200, 50)

    office = app.test_client()
    login(office, "coordinator")
    day = to_local(order.ordered_at).strftime("%Y%m%d")
    forms["production_schedule"] = pdf_text(office.get(f"/print/production_schedule/{day}.pdf").data)
    for name, text in forms.items():
        assert COMPANY in text, name
        assert "关系客户管理" not in text and "Guanxi" not in text, name


def test_without_a_company_setting_the_forms_never_print_the_product_name(app, world):
    order = new_order(world)
    client = app.test_client()
    login(client, "coordinator")
    text = pdf_text(client.get(f"/print/pickup_slip/{order.id}.pdf").data)
    assert "饲料提货单" in text and "关系客户管理" not in text and "Guanxi" not in text


def test_the_form_number_and_the_paper_are_settings(app, world):
    order = new_order(world)
    save_company_setting("logistics.phone_order_form_number", "QR-XS-07")
    set_company(paper="A4")
    client = app.test_client()
    login(client, "coordinator")
    data = client.get(f"/print/phone_order/{order.id}.pdf").data
    assert "QR-XS-07" in pdf_text(data)
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    set_company(paper="A5")
    box = PdfReader(io.BytesIO(client.get(f"/print/phone_order/{order.id}.pdf").data)).pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 148)


def test_before_the_gate_the_pass_dates_the_day_of_issue_and_the_record_has_no_exit_time(app, world):
    order, trip = two_product_trip(world, shipped=False)
    set_company()
    client = app.test_client()
    login(client, "coordinator")
    record = pdf_text(client.get(f"/print/phone_order/{order.id}.pdf").data)
    assert "发货时间" in record and "出厂" not in record


def words(pdf: Path) -> tuple[float, float, list[tuple[str, float, float, float, float]]]:
    """The page size and every word's box (points), as poppler lays them out."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    found = [(text, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in re.findall(
        r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>', html)]
    return float(page.group(1)), float(page.group(2)), found


def black_under(png: Path, box, dpi=110) -> int:
    """Black pixels (the QR's, text's) inside a word's box on the rendered page; the copy mark is red."""
    scale = dpi / 72
    image = Image.open(png).convert("RGB")
    red, green, blue = image.crop(tuple(round(v * scale) for v in (box[1] - 2, box[2] - 2, box[3] + 2,
                                                                    box[4] + 2))).split()
    brightest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return sum(brightest.histogram()[:90])


def overlap(a, b) -> bool:
    slack = 0.5
    return (min(a[3], b[3]) - max(a[1], b[1]) > slack) and (min(a[4], b[4]) - max(a[2], b[2]) > slack)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is installed by scripts/bootstrap.sh --test")
@pytest.mark.parametrize("paper", ["A5", "A4"])
@pytest.mark.parametrize(("print_", "language"), [("original", "zh_CN"), ("copy", "zh_CN"), ("preview", "zh_CN"),
                                                 ("original", "en")], ids=["original", "copy", "preview", "english"])
def test_every_form_fits_one_page_with_a_long_product_name(app, world, paper, print_, language):
    order, trip = two_product_trip(world, third=True)
    world["coordinator"].locale = world["weigher"].locale = language
    set_company(paper=paper)
    client = app.test_client()
    login(client, "coordinator")
    tickets = ("weigh_ticket", "gate_pass")
    if print_ == "preview":  # before the originals: 样张
        forms = {name: client.get(f"/print/{name}/{trip.id}.pdf").data for name in tickets}
    else:
        forms = fetch_all(app, order, trip)
    if print_ == "copy":  # the copies: the mark 副本 sits in its own cell, clear of the QR
        forms = {name: client.get(f"/print/{name}/{trip.id}.pdf").data for name in tickets}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, data in forms.items():
        stem = f"{name}-{paper}" + ("" if print_ == "original" else f"-{print_}") + ("-en" if language == "en" else "")
        pdf = ARTIFACTS / f"{stem}.pdf"
        pdf.write_bytes(data)
        assert len(PdfReader(io.BytesIO(data)).pages) == 1, stem
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf), str(ARTIFACTS / stem)], check=True)
        width, height, boxes = words(pdf)
        assert boxes, stem
        for text, x0, y0, x1, y1 in boxes:  # nothing runs into the margin, let alone off the paper
            assert MARGIN - 1 <= x0 and x1 <= width - MARGIN + 1 and MARGIN - 1 <= y0 and y1 <= height - MARGIN + 1, \
                (stem, text, x0, y0, x1, y1)
        clashes = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlap(a, b)]
        assert not clashes, (stem, clashes)
        if print_ != "original":
            mark = next(box for box in boxes if box[0].startswith(("副本", "样张")))
            assert mark[3] < width / 3, (stem, mark)  # left of the title; the QR is on the right
            assert not black_under(ARTIFACTS / f"{stem}.png", mark), stem  # the red mark alone, no QR under it


def test_a_ticket_printed_after_the_empty_weighing_lists_the_order_and_marks_the_preview(app, world):
    order = new_order(world)
    ready_to_load(world, order)
    trip = take_tare(order, world["truck"], 15200, world["weigher"])
    db.session.commit()
    set_company()
    client = app.test_client()
    login(client, "weigher")
    ticket = pdf_text(client.get(f"/print/weigh_ticket/{trip.id}.pdf").data)
    assert_all(ticket, ["样张", "过磅单", "豫A·12345", "育肥猪配合饲料", "空车重", "15200", "过磅员：Weigher"])
    assert "验货员：Keeper" not in ticket  # nobody has loaded it yet


def test_the_demo_company_heads_the_demo_forms(app):
    from plugins.logistics.models import Order

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    order = db.session.scalars(select(Order).where(Order.invoice_number.is_not(None)).order_by(Order.id)).first()
    client = app.test_client()
    login(client, "coordinator", password="demo1234")
    slip = pdf_text(client.get(f"/print/pickup_slip/{order.id}.pdf").data)
    assert_all(slip, [COMPANY, order.number, order.invoice_number, order.customer.name])
