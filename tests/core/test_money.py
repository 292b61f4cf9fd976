"""Money printed one way for every plugin: 大写金额 against the official examples and the vectors
of RULES.md §4, yuan from cents, and both as Jinja filters."""
from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale

from core.money import amount_in_capitals, capitals, yuan

VECTORS = [
    ("1409.50", "壹仟肆佰零玖元伍角"),  # a zero in the middle
    ("6007.14", "陆仟零柒元壹角肆分"),  # several zeros, one 零
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),  # optional 零 after 元 omitted
    ("107000.53", "壹拾万柒仟元伍角叁分"),  # optional 零 after 万 omitted
    ("325.04", "叁佰贰拾伍元零肆分"),  # 角 is zero: 零 after 元
    ("10", "壹拾元整"),  # 壹 kept before 拾
    ("81500", "捌万壹仟伍佰元整"),
    ("81530.50", "捌万壹仟伍佰叁拾元伍角"),  # no 整 after 角 (policy P1)
    ("80005.07", "捌万零伍元零柒分"),
    ("100200.30", "壹拾万零贰佰元叁角"),
    ("1903971", "壹佰玖拾万叁仟玖佰柒拾壹元整"),
    ("10.05", "壹拾元零伍分"),
    ("0.5", "伍角"),
    ("0", "零元整"),
    ("0.01", "壹分"),
    ("0.05", "伍分"),
    ("3.456", "叁元肆角陆分"),  # rounded half up, not truncated
    ("12.005", "壹拾贰元零壹分"),
    ("100000000", "壹亿元整"),
    ("1000010000", "壹拾亿零壹万元整"),
    ("1000000000000", "壹万亿元整"),
    ("9999999999999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("amount", "expected"), VECTORS)
def test_official_examples(amount, expected):
    assert amount_in_capitals(amount, prefix="") == expected


def test_pick_up_slip_total_with_the_renminbi_prefix():
    total = Decimal("25") * Decimal("3260.00")
    assert amount_in_capitals(total) == "人民币捌万壹仟伍佰元整"


def test_floats_negatives_and_oversized_amounts_are_refused():
    with pytest.raises(TypeError):
        amount_in_capitals(0.1 + 0.2)
    with pytest.raises(ValueError):
        amount_in_capitals("-12.5")
    with pytest.raises(ValueError):
        amount_in_capitals("10000000000000000")


def test_cents_become_exact_yuan():
    assert yuan(8150000) == Decimal("81500.00") and str(yuan(5)) == "0.05" and str(yuan(123456)) == "1234.56"


def test_capitals_from_cents_as_printed_under_a_total():
    assert capitals(8150000) == "人民币捌万壹仟伍佰元整"
    assert capitals(140950, prefix="") == "壹仟肆佰零玖元伍角"
    assert capitals(None) == ""


def test_money_and_capitals_are_jinja_filters_of_every_app(app):
    with app.test_request_context(), force_locale("zh_CN"):
        html = render_template_string("{{ 8150000|money }} {{ 8150000|capitals }} {{ 32504|capitals('') }}")
    assert html == "¥81,500.00 人民币捌万壹仟伍佰元整 叁佰贰拾伍元零肆分"
