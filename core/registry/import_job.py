"""The customer import as a background job, for files too large to import while the user waits.

The web page and ``guanxi customers import`` start it for files of more rows than the company
setting ``core.import_background_rows``; smaller files are imported at once, as before. The job
checks the whole file again (the registry may have changed since the dry run) and writes it in one
transaction, all or nothing, reporting its progress row by row.
"""
from __future__ import annotations

from pathlib import Path

from core.audit import record_event
from core.auth.models import User
from core.db import db
from core.events import commit
from core.i18n import N_
from core.jobs import JobFailed, progress
from core.registry import transfer
from core.settings import setting

JOB = "core.import_customers"


def runs_in_background(rows: int) -> bool:
    """Whether a file of this many rows (below the header, not empty) is imported as a background job."""
    return rows > setting("core.import_background_rows")


def import_customers(path: str, user_id: int, file_name: str | None = None, remove_file: bool = False) -> None:
    """Import the customers of the file at ``path`` as user ``user_id`` (owner of new archives)."""
    try:
        user = db.session.get(User, user_id)
        if user is None:
            raise JobFailed(N_("The user who started the import no longer exists."))
        try:
            table = transfer.read_table(Path(path))
        except Exception:  # noqa: BLE001 - a damaged file: tell the user, never a traceback
            raise JobFailed(N_("The file could not be read. Save it again from the template.")) from None
        progress(0, total=transfer.data_rows(table), message=N_("Checking the rows"))
        report = transfer.validate(table, user, progress=lambda done: progress(done))
        if not report.ok:
            raise JobFailed(N_("The file has errors; nothing was imported. Upload it again to see them."))
        progress(0, total=len(report.rows), message=N_("Saving the archives"))
        created, updated = transfer.apply(report, user, progress=lambda done: progress(done))
        changes = {"created": created, "updated": updated, "rows": len(report.rows)}
        record_event("customers", None, "import", {**changes, "file": file_name} if file_name else changes)
        commit()
        progress(len(report.rows), message=N_("Imported: %(created)d new, %(updated)d updated."),
                 created=created, updated=updated)
    finally:
        if remove_file:
            Path(path).unlink(missing_ok=True)
