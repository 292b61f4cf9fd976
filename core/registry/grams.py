"""Search tokens: every character, pair and triple of neighbouring characters of the searched text.

``LIKE '%q%'`` over 100,000 archives scans them all, and trigrams alone cannot serve the
two-character Chinese fragments people type (丰收, 双力). Character unigrams and bigrams, as
Lucene's CJK analyzer indexes Chinese, serve the short queries; trigrams serve the longer ones
selectively (a pair of digits is in every fifth phone number, a triple in one of fifty). A text
containing ``q`` holds every token of ``q``, so the tokens narrow the rows to a superset; the
caller still applies the exact ``LIKE`` condition, and results stay exactly those of the plain search.

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
    """The token column's value for these texts: their distinct characters, pairs and triples."""
    tokens: set[str] = set()
    for text in texts:
        for run in _runs(text or ""):
            for size in (1, 2, 3):
                tokens.update(run[i:i + size] for i in range(len(run) - size + 1))
    return " ".join(sorted(tokens))


def query_grams(query: str) -> list[str]:
    """Tokens every text containing ``query`` holds (empty when the query has no letter or digit):
    the triples of each run of three or more characters, a shorter run itself."""
    tokens: list[str] = []
    for run in _runs(query):
        grams = [run] if len(run) <= 3 else [run[i:i + 3] for i in range(len(run) - 2)]
        tokens.extend(gram for gram in grams if gram not in tokens)
    return tokens
