"""An expense claim: a plugin's own document with an approval chain, used by the tests."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Audited, Money, db, utcnow


class Claim(Audited, db.Model):
    __tablename__ = "expenses_claims"
    __audit_label__ = "Expense claims"
    __audit_fields__ = {"number": "Number", "customer_id": "Customer", "purpose": "Purpose",
                        "amount_cents": Money("Amount"), "applicant_id": "Applicant", "status": "Status"}
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer, default=0)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
