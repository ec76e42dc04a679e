"""Clause splitting for explanation texts, with character offsets into the original text.

Boundaries: sentence punctuation (。；！？ and their ASCII forms, line breaks) and enumeration
markers (一是/二是…, （1）/(1), （一）, 1. / 1、 at the start of a clause). `split_pieces` further
splits clauses at commas: the unit the role tagger works on.
"""
from __future__ import annotations

import re
from typing import NamedTuple


class Clause(NamedTuple):
    start: int
    end: int
    text: str


_ENUM = (
    r"(?:[一二三四五六七八九十]是)"
    r"|(?:[（(][0-9一二三四五六七八九十]{1,2}[)）])"
    r"|(?:(?<![0-9.])[0-9]{1,2}[.．、](?![0-9]))"
    r"|(?:[一二三四五六七八九十][、．])"
    r"|(?:[①②③④⑤⑥⑦⑧⑨⑩])"
)
_SENTENCE_END = re.compile(r"[。；;！!？?\n]+")
_ENUM_START = re.compile(_ENUM)
_COMMA = re.compile(r"[，,：:]")
_STRIP = " \t\u3000，,、：:"


def _trimmed(text: str, start: int, end: int) -> Clause | None:
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return Clause(start, end, text[start:end]) if end > start else None


def split_clauses(text: str) -> list[Clause]:
    """Split at sentence punctuation, then before each enumeration marker."""
    cuts = {0, len(text)}
    for m in _SENTENCE_END.finditer(text):
        cuts.add(m.end())
    for m in _ENUM_START.finditer(text):
        cuts.add(m.start())
    bounds = sorted(cuts)
    clauses = []
    for a, b in zip(bounds, bounds[1:]):
        seg_end = b
        m = _SENTENCE_END.search(text, a, b)
        if m and m.end() == b:
            seg_end = m.start()
        clause = _trimmed(text, a, seg_end)
        if clause and not _is_only_marker(clause.text):
            clauses.append(clause)
    return clauses


def _is_only_marker(s: str) -> bool:
    m = _ENUM_START.fullmatch(s)
    return m is not None


def split_pieces(text: str) -> list[tuple[Clause, int]]:
    """Comma-level pieces, each with the index of the clause it belongs to."""
    pieces = []
    for ci, clause in enumerate(split_clauses(text)):
        a = clause.start
        for m in _COMMA.finditer(text, clause.start, clause.end):
            piece = _trimmed(text, a, m.start())
            if piece:
                pieces.append((piece, ci))
            a = m.end()
        piece = _trimmed(text, a, clause.end)
        if piece:
            pieces.append((piece, ci))
    return pieces
