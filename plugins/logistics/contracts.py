"""Order contracts (订货合同): the signed contract an order was placed on, with its number, its date
and optionally the scanned file. Numbers are unique in the company; files are checked by content,
not only by name, and served only to those who may see the order."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship
from werkzeug.datastructures import FileStorage

from core.api import Audited, db, local_now, store_upload, utcnow
from plugins.logistics.i18n import _, _l
from plugins.logistics.models import Order

UPLOAD_KIND = "order_contracts"
NUMBER_LENGTH = 40
# letters, digits and Chinese characters, joined by - _ / . and brackets: 订货合同-2026-015, DH/2026/7
NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff]([0-9A-Za-z\u4e00-\u9fff\-_/.()（）]*[0-9A-Za-z\u4e00-\u9fff)）])?$")
# what the first bytes of each accepted kind of file are: a renamed .exe is not a PDF
SIGNATURES = {".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
              ".jpeg": (b"\xff\xd8\xff",), ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
              ".docx": (b"PK\x03\x04",)}
EXTENSIONS = tuple(suffix.lstrip(".") for suffix in SIGNATURES)


class OrderContract(Audited, db.Model):
    __tablename__ = "logistics_order_contracts"
    __audit_label__ = _l("Order contracts")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("logistics_orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)  # for visibility
    number: Mapped[str] = mapped_column(String(NUMBER_LENGTH), unique=True)
    signed_on: Mapped[date] = mapped_column(Date)
    file_name: Mapped[str | None] = mapped_column(String(200))
    stored_file: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[Order] = relationship(backref=backref("contracts", lazy="select",
                                                        order_by="OrderContract.signed_on"))

    __audit_exclude__ = frozenset({"stored_file", "created_at"})
    __audit_fields__ = {
        "order_id": _l("Order"), "customer_id": _l("Customer"), "number": _l("Contract number"),
        "signed_on": _l("Signed on"), "file_name": _l("Contract file"), "created_by": _l("Recorded by"),
    }


class ContractRefused(Exception):
    """Why a contract cannot be attached: shown next to the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def valid_number(number: str) -> str | None:
    """The message for a contract number that cannot be one, else None."""
    if len(number) > NUMBER_LENGTH:
        return _("At most %(n)s characters.", n=NUMBER_LENGTH)
    if not NUMBER_PATTERN.match(number):
        return _("Letters, digits and Chinese characters, joined by - _ / . or brackets (e.g. DH-2026-015).")
    return None


def file_refusal(upload: FileStorage) -> str | None:
    """The message for a file whose content is not what its name says, else None."""
    name = (upload.filename or "").lower()
    suffix = next((s for s in SIGNATURES if name.endswith(s)), None)
    if suffix is None:
        return _("Upload a PDF, an image or a Word file.")
    head = upload.stream.read(16)
    upload.stream.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES[suffix]):
        return _("The file is not a real %(kind)s file.", kind=suffix.lstrip(".").upper())
    return None


def number_taken(number: str, except_id: int | None = None) -> bool:
    """Numbers are compared without regard to case: DH-1 and dh-1 are one contract."""
    stmt = select(OrderContract.id).where(func.upper(OrderContract.number) == number.upper())
    if except_id is not None:
        stmt = stmt.where(OrderContract.id != except_id)
    return db.session.scalar(stmt.limit(1)) is not None


def attach_contract(order: Order, number: str, signed_on: date, upload: FileStorage | None, user: Any) -> OrderContract:
    """Record the contract an order was placed on; the file is stored only once everything else holds."""
    number = number.strip()
    problem = valid_number(number)
    if problem:
        raise ContractRefused("number", problem)
    if number_taken(number):
        raise ContractRefused("number", _("Contract number %(number)s is already recorded.", number=number))
    if signed_on > local_now().date():
        raise ContractRefused("signed_on", _("A contract cannot be signed after today."))
    has_file = upload is not None and bool(upload.filename)
    if has_file:
        problem = file_refusal(upload)
        if problem:
            raise ContractRefused("upload", problem)
    contract = OrderContract(order_id=order.id, customer_id=order.customer_id, number=number,
                             signed_on=signed_on, created_by=user.id)
    if has_file:
        contract.file_name, contract.stored_file = store_upload(upload, UPLOAD_KIND)
    try:
        with db.session.begin_nested():  # the savepoint first: it flushes what is pending before it
            db.session.add(contract)
    except IntegrityError:  # another office recorded the same number at the same moment
        raise ContractRefused("number", _("Contract number %(number)s is already recorded.", number=number)) from None
    return contract


def remove_contract(contract: OrderContract) -> None:
    """The row goes (the history keeps what it said); the stored file stays for the audit."""
    db.session.delete(contract)
