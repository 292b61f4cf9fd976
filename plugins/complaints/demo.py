"""Demo complaints."""
from __future__ import annotations


def load_demo(session, rng):
    return None
