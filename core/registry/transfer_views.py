"""Customer import (template, dry run, confirm, error file) and export of the filtered list."""
from __future__ import annotations

import uuid
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from core.audit import record_event
from core.auth.permissions import permission_required
from core.db import db
from core.history import kind_timeline
from core.jobs import start_job
from core.registry import transfer
from core.registry.blueprint import bp
from core.registry.import_job import JOB as IMPORT_JOB
from core.registry.import_job import runs_in_background
from core.registry.models import Customer
from core.registry.search import CustomerFilter, customer_query, sorted_query
from core.registry.size_class import computed_size_class, size_classes
from core.registry.uploads import MaxFileSize, remove_stale, upload_dir

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}


class ImportForm(FlaskForm):
    upload = FileField(_l("Excel (.xlsx) or CSV file"), validators=[
        FileRequired(_l("Choose a file.")),
        FileAllowed(["xlsx", "csv"], _l("Upload an .xlsx or .csv file made from the template.")),
        MaxFileSize("IMPORT_MAX_BYTES")])


def _language() -> str:
    return "en" if get_locale().language == "en" else "zh"


def _download(data: bytes, fmt: str, name: str) -> Response:
    response = Response(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/export.<fmt>")
@permission_required("customers.export")
def export(fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    flt = CustomerFilter.from_args(request.args)
    stmt = customer_query(flt, current_user)
    customers = db.session.scalars(sorted_query(stmt, flt)).all()
    language = _language()
    sizes = size_classes(stmt.with_only_columns(Customer.id)) if computed_size_class() is not None else None
    rows = list(transfer.export_rows(customers, language, sizes))
    header = transfer.header_labels(language)
    data = transfer.write_xlsx(header, rows) if fmt == "xlsx" else transfer.write_csv(header, rows)
    record_event("customers", None, "export", {"filter": flt.as_args(), "rows": len(rows), "format": fmt})
    db.session.commit()
    return _download(data, fmt, "customers")


@bp.route("/import/template.<fmt>")
@permission_required("customers.import")
def import_template(fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    language = request.args.get("lang") or _language()
    header = transfer.header_labels(language)
    example = [["", "河南双力饲料经销部", "经销商" if language == "zh" else "distributor", "A", "0371-6543210",
                "13800000000", "郑州市金水路1号", "", "", "是" if language == "zh" else "yes", "2015-03-01",
                "有限公司", "饲料经销", ""]]
    data = transfer.write_xlsx(header, example) if fmt == "xlsx" else transfer.write_csv(header, example)
    return _download(data, fmt, f"customer-import-template-{language}")


def _stored(token: str) -> Path:
    name = session.get("imports", {}).get(token)
    if not name:
        abort(404)
    path = upload_dir("imports") / name
    if not path.exists():
        abort(404)
    return path


def _report(path: Path) -> transfer.ImportReport:
    try:
        table = transfer.read_table(path)
    except Exception:  # a damaged or mislabelled file: tell the user, never a traceback
        return transfer.ImportReport([], [_("The file could not be read. Save it again from the template.")])
    return transfer.validate(table, current_user)


def _in_background(path: Path) -> bool:
    """Whether the file is large enough to be imported as a background job."""
    try:
        return runs_in_background(transfer.data_rows(transfer.read_table(path)))
    except Exception:  # noqa: BLE001 - an unreadable file is reported by _report
        return False


@bp.route("/import", methods=["GET", "POST"])
@permission_required("customers.import")
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        _forget_imports()  # a new import replaces this user's unfinished one
        remove_stale("imports", current_app.config["IMPORT_FILE_MAX_AGE_HOURS"])
        upload = form.upload.data
        suffix = Path(upload.filename).suffix.lower()
        token = uuid.uuid4().hex
        upload.save(upload_dir("imports") / f"{token}{suffix}")
        session["imports"] = {token: f"{token}{suffix}"}
        return redirect(url_for("customers.import_preview", token=token))
    return render_template("customers/import.html", form=form, history=kind_timeline("customers"))


@bp.route("/import/<token>")
@permission_required("customers.import")
def import_preview(token: str):
    report = _report(_stored(token))
    return render_template("customers/import_preview.html", report=report, token=token, form=FlaskForm(),
                           columns=transfer.COLUMNS, background=runs_in_background(len(report.rows)))


@bp.route("/import/<token>/errors.xlsx")
@permission_required("customers.import")
def import_errors(token: str):
    return _download(transfer.error_file(_report(_stored(token)), _language()), "xlsx", "import-errors")


@bp.route("/import/<token>/confirm", methods=["POST"])
@permission_required("customers.import")
def import_confirm(token: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    path = _stored(token)
    if _in_background(path):
        # the job checks the file again and writes it, all or nothing; its page shows the progress;
        # it owns the file now and deletes it when done
        session.pop("imports", None)
        run = start_job(IMPORT_JOB, user=current_user, link=url_for("customers.index"), path=str(path),
                        user_id=current_user.id, remove_file=True)
        return redirect(url_for("jobs.detail", run_id=run.id))
    report = _report(path)  # checked again: the registry may have changed since the dry run
    if not report.ok:
        flash(_("The file has errors; nothing was imported."), "error")
        return redirect(url_for("customers.import_preview", token=token))
    created, updated = transfer.apply(report, current_user)
    record_event("customers", None, "import", {"created": created, "updated": updated, "rows": len(report.rows)})
    db.session.commit()
    _forget_imports()
    flash(_("Imported: %(created)d new, %(updated)d updated.", created=created, updated=updated), "success")
    return redirect(url_for("customers.index"))


@bp.route("/import/<token>/cancel", methods=["POST"])
@permission_required("customers.import")
def import_cancel(token: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    _stored(token)  # 404 for a token this session does not hold
    _forget_imports()
    flash(_("Import cancelled; the uploaded file was deleted."), "info")
    return redirect(url_for("customers.import_upload"))


def _forget_imports() -> None:
    """Delete the files of this session's unfinished imports and forget their tokens."""
    for name in session.pop("imports", {}).values():
        (upload_dir("imports") / name).unlink(missing_ok=True)


