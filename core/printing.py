"""HTML to PDF with WeasyPrint: one place for the CJK font, page CSS and document lookup."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Response, abort, render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.clock import local_now
from core.contract import Document
from core.db import db
from core.fonts import FAMILY, lean_font_path
from core.plugins import call

PAGE_CSS = """
@font-face {{ font-family: '{family}'; src: url('{url}'); }}
@page {{ size: {size}; margin: 12mm; }}
html {{ font-family: '{family}', sans-serif; font-size: 10.5pt; }}
"""


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


def html_to_pdf(html: str, page_size: str = "A4") -> bytes:
    """Render HTML to PDF bytes with the embedded lean CJK font."""
    font_config = _font_config()
    css = CSS(string=PAGE_CSS.format(family=FAMILY, url=lean_font_path().as_uri(), size=page_size),
              font_config=font_config)
    return HTML(string=html, base_url=".").write_pdf(stylesheets=[css], font_config=font_config)


def render_pdf(template: str, page_size: str = "A4", **context: Any) -> bytes:
    return html_to_pdf(render_template(template, **context), page_size)


def documents() -> dict[str, Document]:
    return {doc.name: doc for doc in call("register_documents")}


def pdf_response(document: Document, record_id: int, user: Any) -> Response:
    """Check the permission, load the record through the document (visibility included), render.

    What the loader wrote (the record of a print) is committed once the PDF exists."""
    if not user.can(document.permission):
        abort(403)
    context = document.load(record_id, user)
    if document.confidential:
        context["confidential"] = {"reader": f"{user.display_name} ({user.username})",
                                   "at": local_now().strftime("%Y-%m-%d %H:%M")}
    size = document.page_size() if callable(document.page_size) else document.page_size
    pdf = render_pdf(document.template, page_size=size, **context)
    db.session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document.name}-{record_id}.pdf"'
    return response
