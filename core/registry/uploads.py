"""Uploaded files live in the instance folder under a random name; the original name is kept."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from wtforms.validators import StopValidation


def upload_dir(kind: str) -> Path:
    path = Path(current_app.instance_path) / "uploads" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(upload: FileStorage, kind: str) -> tuple[str, str]:
    """Save the file; return (original name, stored name)."""
    original = Path(upload.filename or "file").name
    suffix = Path(secure_filename(original)).suffix.lower() or ".bin"
    stored = f"{uuid.uuid4().hex}{suffix}"
    upload.save(upload_dir(kind) / stored)
    return original, stored


def remove_stale(kind: str, max_age_hours: float) -> None:
    """Delete stored files of ``kind`` older than ``max_age_hours``: uploads kept only until a step
    is confirmed (imports) must not pile up when nobody confirms."""
    cutoff = time.time() - max_age_hours * 3600
    for path in upload_dir(kind).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def too_large_message(limit: int) -> str:
    return _("The file is too large: at most %(size)s MB.", size=f"{limit / (1024 * 1024):g}")


class MaxFileSize:
    """Form validator: the file may not be larger than the setting ``key`` (bytes), read when the form
    is checked, so a smaller limit per kind than the request limit gives a message next to the field."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, form: Any, field: Any) -> None:
        upload = field.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            return
        upload.stream.seek(0, os.SEEK_END)
        size = upload.stream.tell()
        upload.stream.seek(0)
        limit = current_app.config[self.key]
        if size > limit:
            raise StopValidation(too_large_message(limit))
