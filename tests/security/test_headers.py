"""Content-Security-Policy without inline scripts, HSTS behind TLS, no caching of customer data."""
import re
from pathlib import Path

import pytest

from core.testing import login, make_customer, make_test_app, make_user

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*ROOT.glob("core/templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html"),
                    *ROOT.glob("themes/*/templates/**/*.html")])
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_an_inline_script_or_event_handler(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text) and not EVENT_ATTRIBUTE.search(text)
    assert "javascript:" not in text and "style=" not in text


def test_pages_carry_a_policy_that_forbids_inline_scripts(client, users):
    login(client, "rep_east")
    for url in ("/login", "/", "/customers/", "/customers/contact-log"):
        response = client.get(url)
        csp = policy(response)
        assert csp["script-src"] == "script-src 'self'", url
        assert csp["object-src"] == "object-src 'none'" and csp["frame-ancestors"] == "frame-ancestors 'self'"
        # server-drawn charts (SVG) fit: as <img> files or data: URLs
        assert csp["img-src"] == "img-src 'self' data:"


def test_the_one_inline_style_carries_the_nonce_of_its_response(client):
    response = client.get("/login")
    nonce = re.search(r"'nonce-([^']+)'", policy(response)["style-src"]).group(1)
    assert f'<style nonce="{nonce}">' in response.get_data(as_text=True)
    assert nonce not in client.get("/login").headers["Content-Security-Policy"]  # new for each response


def test_pages_load_their_scripts_from_files(client, users):
    make_user("weigher", ("weigher",))
    login(client, "weigher")
    html = client.get("/logistics/station").get_data(as_text=True)
    assert 'src="/static/guanxi.js"' in html and 'src="/static/plugins/logistics/station.js"' in html
    assert client.get("/static/plugins/logistics/station.js").status_code == 200
    assert 'data-autosubmit' in html  # the language switch, without an onchange attribute


def test_hsts_only_when_cookies_are_secure(client, tmp_path):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    (tmp_path / "secure").mkdir()
    secure = make_test_app("sqlite", tmp_path / "secure", SESSION_COOKIE_SECURE=True)
    response = secure.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_archive_pages_exports_and_pdfs_are_not_stored_by_browsers_or_proxies(app, users):
    customer = make_customer("甲", users["rep_east"])
    make_user("manager", ("cm_manager",))
    client = app.test_client()
    login(client, "manager")
    for url in (f"/customers/{customer.id}", "/customers/", "/customers/export.xlsx", "/customers/export.csv",
                f"/print/customer_card/{customer.id}.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        if url.endswith(".pdf"):  # the browser's own PDF viewer must not be blocked by object-src 'none'
            assert "Content-Security-Policy" not in response.headers
    assert "no-store" not in client.get("/static/guanxi.css").headers.get("Cache-Control", "")
