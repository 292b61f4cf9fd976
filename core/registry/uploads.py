"""Uploaded files live in the instance folder under a random name; the original name is kept."""
from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename


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
