from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Audited, db


class SampleNote(Audited, db.Model):
    __tablename__ = "sampleplug_notes"
    __audit_label__ = "Sample note"
    __audit_fields__ = {"customer_id": "Customer", "text": "Text"}
    __audit_permission__ = "sampleplug.use"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    text: Mapped[str] = mapped_column(String(100))
