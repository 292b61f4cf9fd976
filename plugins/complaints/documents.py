"""The printable complaint handling form (客户投诉处理单)."""
from __future__ import annotations


def documents():
    return []
