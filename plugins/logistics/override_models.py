"""The capture an override request is about: kept while the holders of ``logistics.override``
decide, so the weight the indicator gave is never lost and the weigher's reason survives a
refusal. One row per round of the ticket's override review (core's approval chain decides; the
outcome columns are written by its callbacks, for the station page to read in one query)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Audited, AuditField, Choice, Weight, db, utcnow
from plugins.logistics.i18n import _l

OUTCOMES = {"approved": _l("Approved"), "rejected": _l("Refused"), "withdrawn": _l("Withdrawn")}


def _findings(findings: object) -> str:
    from plugins.logistics.services import describe

    return "; ".join(describe(f) for f in findings) if isinstance(findings, list) else str(findings)


class WeightOverride(Audited, db.Model):
    __tablename__ = "logistics_weight_overrides"
    __audit_label__ = _l("Weighbridge overrides")
    __audit_permission__ = "logistics.view"
    id: Mapped[int] = mapped_column(primary_key=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("logistics_trips.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("approval_requests.id"), unique=True)
    weight_kg: Mapped[int] = mapped_column(Integer)  # the gross captured
    captured_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))  # None while under review
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)

    __audit_fields__ = {
        "trip_id": _l("Weighbridge ticket"), "request_id": _l("Approval round"),
        "weight_kg": Weight(_l("Gross captured")), "captured_at": _l("Captured at"),
        "manual": _l("Gross typed in"), "findings": AuditField(_l("Check findings"), format=_findings),
        "reason": _l("Reason for an override"), "requested_by_id": _l("Requested by"),
        "outcome": Choice(_l("Decision"), OUTCOMES), "decided_by_id": _l("Decided by"),
        "decided_at": _l("Decided at"), "decision_comment": _l("Comment of the decision"),
    }
