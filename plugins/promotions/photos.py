"""Photos of the execution log: checked by their first bytes (not the name the browser sends) and
their size, stored in the instance folder under a random name, served only to who sees the
promotion."""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from flask import current_app

from core.api import setting
from plugins.promotions.i18n import _
from plugins.promotions.models import ExecutionEntry, ExecutionPhoto

KINDS = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))
MAX_PHOTOS = 6


class PhotoRefused(Exception):
    """A photo that is not accepted; ``str()`` says why."""


def photo_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads" / "promotions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def kind_of(head: bytes) -> tuple[str, str] | None:
    """(content type, suffix) of a JPEG, PNG or WebP file by its first bytes, else None."""
    for magic, content_type, suffix in KINDS:
        if head.startswith(magic):
            return content_type, suffix
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def check_photo(upload: Any) -> tuple[str, str, int]:
    """The photo's content type, suffix and size, or ``PhotoRefused``."""
    stream = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    limit = int(setting("promotions.photo_max_kb")) * 1024
    name = Path(upload.filename or "photo").name
    if size > limit:
        raise PhotoRefused(_("%(name)s is too large: at most %(size)d KB.", name=name, size=limit // 1024))
    found = kind_of(stream.read(16))
    stream.seek(0)
    if found is None or size == 0:
        raise PhotoRefused(_("%(name)s is not a JPEG, PNG or WebP photo.", name=name))
    return found[0], found[1], size


def store_photo(entry: ExecutionEntry, upload: Any) -> ExecutionPhoto:
    content_type, suffix, size = check_photo(upload)
    stored = f"{uuid.uuid4().hex}{suffix}"
    upload.save(photo_dir() / stored)
    return ExecutionPhoto(entry_id=entry.id, original_name=Path(upload.filename or "photo").name[:200],
                          stored_name=stored, content_type=content_type, size=size)
