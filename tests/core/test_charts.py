"""Charts are drawn on the server: their numbers are in the SVG, their bars link to filtered lists, and
nothing in them needs a script or breaks the Content-Security-Policy."""
from __future__ import annotations

import re

from flask import render_template_string

from core.api import ChartPoint, chart


def test_a_bar_chart_carries_its_values_labels_and_links(app):
    with app.test_request_context("/"):
        svg = chart("bar", "Complaints per month", ["2026-10", "2026-11"],
                    {"S1": [ChartPoint(3, href="/complaints/?month=2026-10"), 7]})
    assert svg.startswith("<svg")
    assert "Complaints per month" in svg and "2026-10" in svg and "2026-11" in svg
    assert re.search(r">3<", svg) and re.search(r">7<", svg)
    assert 'href="/complaints/?month=2026-10"' in svg


def test_a_chart_has_no_script_and_its_style_carries_the_responses_nonce(app):
    with app.test_request_context("/"):
        svg = chart("pie", "Grades", [], {"A": [5], "B": [9]})
        nonce = render_template_string("{{ csp_nonce() }}")
    assert "<script" not in svg
    assert ' style="' not in svg
    assert f'<style nonce="{nonce}"' in svg


def test_a_page_with_a_chart_is_served_under_the_policy(app):
    @app.route("/_chart")
    def _chart():
        return render_template_string("<html><body>{{ svg }}</body></html>",
                                      svg=chart("hbar", "t", ["x"], {"n": [1]}))

    response = app.test_client().get("/_chart")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"'.encode() in response.data
    assert b"<script" not in response.data
