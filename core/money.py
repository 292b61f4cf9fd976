"""Money as every plugin prints it: amounts in yuan and in Chinese capital numerals (大写金额).

Money is stored as integer cents; ``money`` and ``capitals`` are Jinja filters on cents, so a
plugin's pages and printed forms show amounts alike without importing another plugin.
Capitals follow 支付结算办法 (RULES.md §4), policy P1: round half up to fen first; 整 only after
元; optional 零s are omitted; 壹 is kept before 拾 (壹拾元整).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import Flask
from flask_babel import format_decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
MAX_INTEGER_DIGITS = 16


def _integer_part(value: int) -> str:
    digits = str(value)
    length = len(digits)
    out: list[str] = []
    zero_pending = False
    group_has_digit = False
    for index, char in enumerate(digits):
        position = length - 1 - index
        digit = int(char)
        if digit:
            if zero_pending and out:
                out.append("零")
            zero_pending = False
            out.append(DIGITS[digit] + SMALL_UNITS[position % 4])
            group_has_digit = True
        else:
            zero_pending = True
        if position % 4 == 0 and position > 0:
            if position == 8 and any(int(c) for c in digits[: index + 1]):
                out.append("亿")
            elif position in (4, 12) and group_has_digit:
                out.append("万")
            group_has_digit = False
            zero_pending = False  # a zero at the end of a group is optional before its 千: omitted
    return "".join(out)


def amount_in_capitals(amount: Decimal | int | str, prefix: str = "人民币") -> str:
    """``Decimal("81500")`` -> ``人民币捌万壹仟伍佰元整``. Floats are refused: pass Decimal or str."""
    if isinstance(amount, float):
        raise TypeError("pass a Decimal or a string, never a float")
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("negative amounts have no capital form on these documents")
    integer = int(value)
    if len(str(integer)) > MAX_INTEGER_DIGITS:
        raise ValueError("at most 16 integer digits")
    cents = int((value - integer) * 100)
    jiao, fen = divmod(cents, 10)
    text = _integer_part(integer) + "元" if integer else ""
    if not jiao and not fen:
        text = (text or "零元") + "整"
    elif jiao:
        text += DIGITS[jiao] + "角" + (DIGITS[fen] + "分" if fen else "")
    else:
        text += ("零" if integer else "") + DIGITS[fen] + "分"
    return prefix + text


def yuan(cents: int) -> Decimal:
    """Integer cents as an exact Decimal amount of yuan: 8150000 -> Decimal("81500.00")."""
    return Decimal(cents).scaleb(-2)


def money(cents: int | None, currency: str = "¥") -> str:
    """Integer cents as a locale-formatted amount with two decimals."""
    if cents is None:
        return ""
    return f"{currency}{format_decimal(yuan(cents), format='#,##0.00')}"


def capitals(cents: int | None, prefix: str = "人民币") -> str:
    """Integer cents in capital numerals, the form printed under a total; "" for None."""
    return "" if cents is None else amount_in_capitals(yuan(cents), prefix)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, capitals=capitals)
