"""docs/reference.md names everything core offers plugins: the names of core.api, core's
endpoints, the blocks of core's layouts, the macros and the template filters."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import core.api
from core.app import create_app

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
TEMPLATES = ROOT / "core" / "templates"
JINJA_BUILTIN_FILTERS = set(__import__("jinja2").defaults.DEFAULT_FILTERS)


def documented(name: str) -> bool:
    return f"`{name}" in REFERENCE


@pytest.fixture(scope="module")
def bare_app():
    return create_app({"GUANXI_PLUGINS": "", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                       "TESTING": True})


def test_every_name_of_the_core_api_is_documented():
    assert [name for name in core.api.__all__ if not documented(name)] == []


def test_every_core_endpoint_is_documented(bare_app):
    assert sorted(r.endpoint for r in bare_app.url_map.iter_rules() if not documented(r.endpoint)) == []


@pytest.mark.parametrize("layout", ["base.html", "print/base.html"])
def test_every_block_of_a_core_layout_is_documented(layout):
    blocks = re.findall(r"{%-?\s*block\s+(\w+)", (TEMPLATES / layout).read_text(encoding="utf-8"))
    assert blocks and [b for b in blocks if not documented(b)] == []


def test_every_macro_is_documented_with_its_signature():
    macros = re.findall(r"{%-?\s*macro\s+(\w+\([^)]*\))", (TEMPLATES / "_macros.html").read_text(encoding="utf-8"))
    assert macros and [m for m in macros if f"`{m}`" not in REFERENCE] == []


def test_every_filter_core_adds_is_documented(bare_app):
    added = set(bare_app.jinja_env.filters) - JINJA_BUILTIN_FILTERS
    assert added and sorted(f for f in added if not documented(f)) == []
