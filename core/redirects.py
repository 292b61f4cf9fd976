"""The one check for where a ``next`` parameter may send the browser: a path on this site only."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect
from werkzeug.wrappers import Response


def safe_target(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback``.

    Refused: absolute and scheme-relative URLs (``https://x``, ``//x``), backslashes (browsers read
    ``/\\x`` as ``//x``), control characters and anything not starting with one slash.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def redirect_back(target: str | None, fallback: str) -> Response:
    """Redirect to ``target`` when it is safe, else to ``fallback``."""
    return redirect(safe_target(target, fallback))
