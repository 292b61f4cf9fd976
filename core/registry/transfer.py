"""Customer import and export: one column list for the template, the importer and the exporter.

An import is validated completely first (a dry run that writes nothing); it is applied only when
every row is valid, in one transaction, updating archives whose code exists.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import select

from core.auth.models import Region, User
from core.auth.service import canonical_username
from core.db import db
from core.forms import DATE_WINDOW
from core.inputs import CONTROL_CHARACTERS, has_control_characters, in_date_window
from core.registry.models import SIZE_CLASSES, Customer
from core.registry.services import (
    assignable_owner_ids,
    create_customer,
    is_series_code,
    region_choices,
    update_customer,
)
from core.visibility import visible

PHONE_CHARS = set("0123456789+-() ")
# A cell starting with one of these is read as a formula by Excel, WPS and LibreOffice (OWASP CSV
# injection); a line feed too, because an .xlsx file stores a carriage return as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class ImportColumn:
    key: str
    zh: str
    en: str


COLUMNS = (
    ImportColumn("code", "编号", "Code"),
    ImportColumn("name", "名称", "Name"),
    ImportColumn("business_type", "客户类型", "Business type"),
    ImportColumn("size_class", "规模等级", "Size class"),
    ImportColumn("phone", "电话", "Phone"),
    ImportColumn("mobile", "手机", "Mobile"),
    ImportColumn("address", "地址", "Address"),
    ImportColumn("region", "区域", "Region"),
    ImportColumn("owner", "业务代表", "Owner"),
    ImportColumn("is_prospect", "潜在客户", "Prospect"),
    ImportColumn("founding_date", "成立日期", "Founded on"),
    ImportColumn("organisation_form", "组织形式", "Organisation form"),
    ImportColumn("industry", "行业", "Industry"),
    ImportColumn("notes", "备注", "Notes"),
)
TYPE_WORDS = {
    "distributor": "distributor", "经销商": "distributor",
    "farm": "farm", "直销用户": "farm", "养殖场": "farm", "直销用户（养殖场）": "farm", "direct user (farm)": "farm",
    "feed_mill": "feed_mill", "feed mill": "feed_mill", "饲料厂": "feed_mill",
}
# The longest text each column may hold: the archive's column lengths, the form's limit for notes.
MAX_LENGTHS = {key: Customer.__table__.c[key].type.length or 5000
               for key in ("code", "name", "phone", "mobile", "address", "organisation_form", "industry", "notes")}
YES = {"是", "yes", "y", "1", "true", "潜在", "prospect"}
NO = {"否", "no", "n", "0", "false", "客户", "customer", ""}


@dataclass
class ImportRow:
    line: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    existing: Customer | None = None

    @property
    def action(self) -> str:
        return "update" if self.existing else "create"


@dataclass
class ImportReport:
    rows: list[ImportRow]
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def header_map(headers: Iterable[Any]) -> dict[int, str]:
    """Column index -> key, accepting zh-CN and English headers."""
    names = {alias.lower(): c.key for c in COLUMNS for alias in (c.zh, c.en, c.key)}
    return {i: names[str(h).strip().lower()] for i, h in enumerate(headers)
            if h is not None and str(h).strip().lower() in names}


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as it may be written to a spreadsheet: text that a spreadsheet would run as a formula
    gets a leading single quote (the OWASP rule). Every writer goes through here.

    Leading quotes already there count as part of the prefix, so that ``restore_cell`` can tell a
    quote we added from one the user typed: "'=x" is written "''=x" and read back as "'=x".
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore_cell(value: Any) -> Any:
    """Undo ``spreadsheet_cell`` on a value read from an uploaded file: the quote is dropped only
    where ``spreadsheet_cell`` would have added it, so an exported file imports unchanged."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value


def read_table(path: Path) -> list[list[Any]]:
    """All rows of the first sheet of an .xlsx, or of a CSV in UTF-8 or GB18030, with the quotes
    that neutralise formulas removed again."""
    return [[restore_cell(value) for value in row] for row in _read_rows(path)]


def _read_rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() == ".xlsx":
        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        return rows
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("The file is neither UTF-8 nor GB18030 text."))
    return [row for row in csv.reader(io.StringIO(text))]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class Lookups:
    """Regions and users by code/name, and those the importer may use, loaded once per import
    (no query per row)."""

    def __init__(self, importer: Any) -> None:
        self.regions: dict[str, int] = {}
        for region in db.session.scalars(select(Region)):
            self.regions[region.code.lower()] = self.regions[region.name] = region.id
        self.users: dict[str, int] = {}
        for user in db.session.scalars(select(User)):
            self.users[canonical_username(user.username)] = self.users[user.display_name] = user.id
        self.allowed_regions = {region_id for region_id, _name in region_choices(importer)}
        self.allowed_owners = assignable_owner_ids(importer)


def validate(table: list[list[Any]], user: Any,
             progress: Callable[[int], None] | None = None) -> ImportReport:
    """Check every row; nothing is written."""
    if not table:
        return ImportReport([], [_("The file is empty.")])
    columns = header_map(table[0])
    if "name" not in columns.values():
        return ImportReport([], [_("The first row must hold the column names of the template (名称 / Name).")])
    lookups = Lookups(user)
    rows = [ImportRow(line=n, raw={key: row[i] if i < len(row) else None for i, key in columns.items()})
            for n, row in enumerate(table[1:], start=2) if any(_text(v) for v in row)]
    storable = [r for r in rows if _storable(r)]  # only text the database can compare is looked up
    codes = [_text(r.raw.get("code")) for r in storable if _text(r.raw.get("code"))]
    existing = {c.code: c for c in db.session.scalars(select(Customer).where(Customer.code.in_(codes)))} if codes else {}
    visible_ids = set(db.session.scalars(select(Customer.id).where(
        Customer.code.in_(codes), visible(Customer, user)))) if codes else set()
    seen: dict[str, int] = {}
    uncoded = [_text(r.raw.get("name")) for r in storable
               if not _text(r.raw.get("code")) and _text(r.raw.get("name"))]
    same_name = {name: code for name, code in db.session.execute(
        select(Customer.name, Customer.code).where(Customer.name.in_(uncoded), visible(Customer, user)))
    } if uncoded else {}
    for done, row in enumerate(rows, start=1):
        if not row.errors:
            _check_row(row, lookups, existing, visible_ids, seen)
        name = _text(row.raw.get("name"))
        if not row.values.get("code") and name in same_name:
            row.errors.append(_("A customer named “%(name)s” exists already (code %(code)s). "
                                "Put its code in the row to update it.", name=name, code=same_name[name]))
        if progress:
            progress(done)
    return ImportReport(rows)


def _label(key: str) -> str:
    column = next(c for c in COLUMNS if c.key == key)
    return column.en if get_locale().language == "en" else column.zh


def _storable(row: ImportRow) -> bool:
    """Every cell can be stored as typed: no control characters, no text longer than its column.
    A row that fails here is checked no further."""
    for key, value in row.raw.items():
        text = _text(value)
        if has_control_characters(text):
            row.errors.append(_("%(column)s holds control characters (such as a NUL byte); remove them.",
                                column=_label(key)))
        elif key in MAX_LENGTHS and len(text) > MAX_LENGTHS[key]:
            row.errors.append(_("%(column)s is longer than %(max)d characters.", column=_label(key),
                                max=MAX_LENGTHS[key]))
    return not row.errors


def _check_row(row: ImportRow, lookups: Lookups, existing: dict[str, Customer], visible_ids: set[int],
               seen: dict[str, int]) -> None:
    raw, values, errors = row.raw, row.values, row.errors
    code = _text(raw.get("code"))
    if code:
        if code in seen:
            errors.append(_("Duplicate code %(code)s (also on line %(line)d).", code=code, line=seen[code]))
        seen.setdefault(code, row.line)
        if code in existing:
            if existing[code].id in visible_ids:
                row.existing = existing[code]
            else:  # worded as for a free code of the series: the preview tells nothing about it
                errors.append(_refused_code(code))
        elif is_series_code(code):
            errors.append(_refused_code(code))
        values["code"] = code
    name = _text(raw.get("name"))
    if not name and not row.existing:
        errors.append(_("The name is missing."))
    if name:
        values["name"] = name
    kind = _text(raw.get("business_type"))
    if kind:
        if kind.lower() not in TYPE_WORDS and kind not in TYPE_WORDS:
            errors.append(_("Unknown business type “%(value)s”.", value=kind))
        else:
            values["business_type"] = TYPE_WORDS.get(kind.lower(), TYPE_WORDS.get(kind))
    size = _text(raw.get("size_class")).upper()
    if size:
        if size not in SIZE_CLASSES:
            errors.append(_("Size class must be A, B or C."))
        values["size_class"] = size
    for key in ("phone", "mobile"):
        phone = _text(raw.get(key))
        if phone:
            if len(phone) < 5 or not set(phone) <= PHONE_CHARS:
                errors.append(_("Bad phone number “%(value)s”.", value=phone))
            values[key] = phone
    region = _text(raw.get("region"))
    if region:
        region_id = lookups.regions.get(region.lower(), lookups.regions.get(region))
        if region_id is None:
            errors.append(_("Unknown region “%(value)s”.", value=region))
        elif region_id not in lookups.allowed_regions and not _unchanged(row, "region_id", region_id):
            errors.append(_("You may not put archives in region “%(value)s”.", value=region))
        values["region_id"] = region_id
    owner = _text(raw.get("owner"))
    if owner:
        owner_id = lookups.users.get(canonical_username(owner), lookups.users.get(owner))
        if owner_id not in lookups.allowed_owners and not _unchanged(row, "owner_id", owner_id):
            errors.append(_("“%(value)s” is not a representative you may assign archives to.", value=owner))
        values["owner_id"] = owner_id
    prospect = _text(raw.get("is_prospect")).lower()
    if prospect in YES:
        values["is_prospect"] = True
    elif prospect in NO:
        if prospect:
            values["is_prospect"] = False
    else:
        errors.append(_("Prospect must be 是/否 or yes/no."))
    try:
        founded = _date(raw.get("founding_date"))
        if founded and not in_date_window(founded):
            errors.append(str(DATE_WINDOW))
        elif founded:
            values["founding_date"] = founded
    except ValueError:
        errors.append(_("Bad date “%(value)s”; write 2024-03-01.", value=_text(raw.get("founding_date"))))
    for key in ("address", "organisation_form", "industry", "notes"):
        if _text(raw.get(key)):
            values[key] = _text(raw.get(key))


def _unchanged(row: ImportRow, field: str, value: Any) -> bool:
    """An update that keeps the archive's current value is no assignment, as in the form."""
    return row.existing is not None and getattr(row.existing, field) == value


def _refused_code(code: str) -> str:
    return _("Code %(code)s cannot be given to a new archive: leave the code empty and the system "
             "numbers it.", code=code)


def apply(report: ImportReport, user: Any,
          progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Write a fully valid import in the current transaction; returns (created, updated).

    ``progress(rows_done)`` is called after each row."""
    if not report.ok:
        raise ValueError("only a valid import can be applied")
    created = updated = 0
    for done, row in enumerate(report.rows, start=1):
        values = {key: value for key, value in row.values.items() if key != "code"}
        if row.existing is None:
            create_customer({"owner_id": user.id, "region_id": user.region_id, **values},
                            code=row.values.get("code"))
            created += 1
        else:
            update_customer(row.existing, values)
            updated += 1
        if progress:
            progress(done)
    return created, updated


def data_rows(table: list[list[Any]]) -> int:
    """The rows of a table below its header that hold anything: what an import would check."""
    return sum(1 for row in table[1:] if any(_text(v) for v in row))


def header_labels(language: str) -> list[str]:
    return [c.zh if language == "zh" else c.en for c in COLUMNS]


def export_rows(customers: Iterable[Customer], language: str,
                sizes: dict[int, str | None] | None = None) -> Iterator[list[Any]]:
    """``sizes``: the size class per customer where a plugin computes it (core.registry.size_class)."""
    yes, no = ("是", "否") if language == "zh" else ("yes", "no")
    for c in customers:
        size = sizes.get(c.id) if sizes is not None else c.size_class
        yield [c.code, c.name, c.business_type, size or "", c.phone or "", c.mobile or "",
               c.address or "", c.region.code if c.region else "", c.owner.username if c.owner else "",
               yes if c.is_prospect else no, c.founding_date.isoformat() if c.founding_date else "",
               c.organisation_form or "", c.industry or "", c.notes or ""]


def write_xlsx(header: list[str], rows: Iterable[list[Any]], extra: list[str] | None = None,
               title: str = "customers") -> bytes:
    """Text cells are typed as text: openpyxl would otherwise store any string starting with "=" as
    a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for row in chain([header + (extra or [])], rows):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in chain([header], rows):
        writer.writerow([spreadsheet_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    value = spreadsheet_cell(value)
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def error_file(report: ImportReport, language: str) -> bytes:
    """The rows that failed, as typed, with an error column to fix and upload again."""
    header = header_labels(language)
    keys = [c.key for c in COLUMNS]
    rows = [[CONTROL_CHARACTERS.sub("", _text(r.raw.get(k))) for k in keys] + ["; ".join(r.errors)]
            for r in report.error_rows]  # a spreadsheet cannot hold control characters
    return write_xlsx(header, rows, extra=["错误" if language == "zh" else "Errors"])
