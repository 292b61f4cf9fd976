"""Search tokens: every character and every pair of neighbouring characters of the searched text.

``LIKE '%q%'`` over 100,000 archives scans them all, and trigrams cannot serve the two-character
Chinese fragments people type (丰收, 双力). Character unigrams and bigrams, as Lucene's CJK analyzer
indexes Chinese, serve a query of any length: a text containing ``q`` holds every bigram of ``q``
(or, for one character, that character). The tokens only narrow the rows; the caller still applies
the exact ``LIKE`` condition, so results stay exactly those of the plain search.

Tokens are cut from runs of letters and digits (a separator such as ``-`` or a space is never part
of one), lower-cased, distinct, sorted and joined by spaces: the same column serves a GIN index on
PostgreSQL and an FTS5 table on SQLite.
"""
from __future__ import annotations

from collections.abc import Iterable


def _runs(text: str) -> list[str]:
    """Maximal runs of letters and digits of the lower-cased text."""
    runs, current = [], []
    for char in text.lower():
        if char.isalnum():
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def text_grams(texts: Iterable[str | None]) -> str:
    """The token column's value for these texts: their distinct characters and character pairs."""
    tokens: set[str] = set()
    for text in texts:
        for run in _runs(text or ""):
            tokens.update(run)
            tokens.update(run[i:i + 2] for i in range(len(run) - 1))
    return " ".join(sorted(tokens))


def query_grams(query: str) -> list[str]:
    """Tokens every text containing ``query`` holds (empty when the query has no letter or digit):
    the pairs of each run of two or more characters, the character of a run of one."""
    tokens: list[str] = []
    for run in _runs(query):
        grams = [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
        tokens.extend(gram for gram in grams if gram not in tokens)
    return tokens
