"""The printable complaint handling form (客户投诉处理单): every sign-off, the settlement in figures
and in capitals, the general manager's signature block."""
from __future__ import annotations

from typing import Any

from core.api import Document, User, db, get_visible_or_404, record_event, signature_rows
from plugins.complaints.flows import CATEGORIES, CHANNELS, WAYS
from plugins.complaints.i18n import _l
from plugins.complaints.models import Complaint


def _load(record_id: int, user: Any) -> dict[str, Any]:
    complaint = get_visible_or_404(Complaint, record_id, user)
    receiver = db.session.get(User, complaint.first_receiver_id)
    record_event(Complaint.__tablename__, complaint.id, "print", {"document": "handling_form"},
                 customer_id=complaint.customer_id)
    return {"complaint": complaint, "first_receiver": receiver.display_name if receiver else "",
            "sign_offs": signature_rows(complaint, "complaints.sign_off"),
            "signatures": signature_rows(complaint, "complaints.settlement"),
            "categories": CATEGORIES, "channels": CHANNELS, "ways": WAYS}


def documents() -> list[Document]:
    return [Document("complaint_handling_form", _l("Complaint handling form"), "complaints/print/handling_form.html",
                     "complaints.view", _load)]
