"""PDFs: Chinese text is embedded with the lean CJK font, extractable and visibly drawn."""
import io
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader

from core.fonts import FONT_NAME, gb2312_text, lean_font_path
from core.testing import login, make_customer, make_test_app, make_user


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_lean_font_covers_gb2312_and_has_no_layout_tables():
    from fontTools.ttLib import TTFont

    font = TTFont(lean_font_path())
    assert font.reader.file.name.endswith(FONT_NAME)
    cmap = font.getBestCmap()
    for char in "河南双力饲料经销部壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整":
        assert ord(char) in cmap, char
    assert not {"GSUB", "GPOS", "GDEF"} & set(font.keys())
    assert len(gb2312_text()) > 7000


def test_archive_card_pdf_holds_the_chinese_text(client, users):
    customer = make_customer("河南双力饲料经销部", users["rep_east"], phone="13800000000", address="郑州市金水路1号")
    login(client, "specialist")
    response = client.get(f"/print/customer_card/{customer.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("客户档案卡", "河南双力饲料经销部", "郑州市金水路1号", "13800000000", customer.code):
        assert expected in text
    fonts = {str(f.get("/BaseFont")) for page in PdfReader(io.BytesIO(response.data)).pages
             for f in page["/Resources"]["/Font"].values()}
    assert any("WenQuanYi" in f or "Guanxi" in f or "Micro" in f for f in fonts), fonts


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is installed by scripts/bootstrap.sh --test")
def test_rendered_page_shows_ink_where_the_title_is(client, users, tmp_path):
    customer = make_customer("河南双力饲料经销部", users["rep_east"])
    login(client, "specialist")
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(client.get(f"/print/customer_card/{customer.id}.pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    width, height = image.size
    title_band = image.crop((0, int(height * 0.04), width, int(height * 0.12)))
    dark = sum(title_band.histogram()[:128])
    assert dark > 200, "the title and company name should be drawn as dark glyphs"


def test_printing_needs_the_permission(client, users):
    customer = make_customer("河南双力饲料经销部", users["rep_east"])
    login(client, "rep_east")
    assert client.get(f"/print/customer_card/{customer.id}.pdf").status_code == 403
    assert client.get("/print/no_such_document/1.pdf").status_code == 404


def test_theme_company_name_is_on_the_printout(tmp_path):
    app = make_test_app("sqlite", tmp_path, GUANXI_THEME="harvest")
    with app.app_context():
        rep = make_user("rep", ("rep",), "east")
        make_user("spec", ("specialist",))
        customer_id = make_customer("周口丰收养殖场", rep).id
    client = app.test_client()
    login(client, "spec")
    assert "丰收饲料有限公司" in pdf_text(client.get(f"/print/customer_card/{customer_id}.pdf").data)
