"""Phrase lexicons (cue phrases, vague phrases) matched on characters with Aho–Corasick.

Lexicons are data files under corpus/lexicons/ with a comment header; they are read once per
process. Matching is on characters, not tokens, so "合同管理" is found however jieba splits it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import ahocorasick

LEXICON_DIR = Path(__file__).resolve().parent.parent / "corpus" / "lexicons"

CUE_CATEGORIES = (
    "measure_open", "measure_done", "cause_open", "restate",
    "concrete_cause", "concrete_measure", "null", "praise", "describe", "measure_lead", "measure_time",
    "heading_cause", "heading_measure", "heading_both", "heading_other",
)


@dataclass(frozen=True)
class VagueEntry:
    phrase: str
    axis: str          # cause | measure
    reason: str
    suggestion: str


class Hit(NamedTuple):
    start: int         # char offset of the first character
    end: int           # char offset one past the last character
    phrase: str
    kind: str          # cue category, or "vague"
    entry: VagueEntry | None = None


def _data_lines(path: Path):
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield lineno, line.rstrip("\n")


def read_vague(path: Path | None = None) -> list[VagueEntry]:
    path = path or LEXICON_DIR / "vague.txt"
    entries = []
    for lineno, line in _data_lines(path):
        fields = line.split("\t")
        if len(fields) != 4 or fields[1] not in ("cause", "measure") or not all(fields):
            raise ValueError(f"{path}:{lineno}: expected phrase<TAB>cause|measure<TAB>reason<TAB>suggestion")
        entries.append(VagueEntry(*fields))
    return entries


def _read_pairs(path: Path, kinds, expected: str) -> list[tuple[str, str]]:
    """phrase<TAB>kind lines, the kind one of `kinds`; a bad line names the file and line."""
    pairs = []
    for lineno, line in _data_lines(path):
        fields = line.split("\t")
        if len(fields) != 2 or fields[1] not in kinds or not fields[0]:
            raise ValueError(f"{path}:{lineno}: expected {expected}")
        pairs.append((fields[0], fields[1]))
    return pairs


def read_cues(path: Path | None = None) -> list[tuple[str, str]]:
    return _read_pairs(path or LEXICON_DIR / "cues.txt", CUE_CATEGORIES,
                       f"phrase<TAB>one of {', '.join(CUE_CATEGORIES)}")


_new_hit = tuple.__new__      # Hit(...) without the namedtuple's Python-level __new__ (hot path)


# sort key of a raw match (start, -end, …): by start, the longest first
_start_then_longest = itemgetter(0, 1)


class Lexicon:
    """One Aho–Corasick automaton over every cue and vague phrase.

    `find(text)` returns hits sorted by start; overlapping hits of the same kind keep the longest
    (so "进一步加强" and "加强" inside it give one vague hit, not two).
    """

    def __init__(self, cues: list[tuple[str, str]], vague: list[VagueEntry]):
        self.cues = cues
        self.vague = vague
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, VagueEntry | None]]] = {}
        for phrase, kind in cues:
            table.setdefault(phrase, []).append((kind, None))
        for entry in vague:
            table.setdefault(entry.phrase, []).append(("vague", entry))
        for phrase, kinds in table.items():
            self._automaton.add_word(phrase, (phrase, len(phrase), tuple(kinds)))
        self._automaton.make_automaton()

    def find(self, text: str) -> list[Hit]:
        raw = []
        for end_idx, (phrase, n, kinds) in self._automaton.iter(text):
            end = end_idx + 1
            start = end - n
            for kind, entry in kinds:
                raw.append((start, -end, phrase, kind, entry))
        raw.sort(key=_start_then_longest)
        kept: list[Hit] = []
        last_end: dict[str, int] = {}
        last_vague = -1
        for start, neg_end, phrase, kind, entry in raw:
            end = -neg_end
            if start < last_end.get(kind, -1):
                if kind == "vague" and end > last_end["vague"]:
                    # overlapping vague phrases ("进一步加强" + "加强沟通协调") read as one span
                    prev = kept[last_vague]
                    kept[last_vague] = _new_hit(Hit, (prev[0], end, text[prev[0]:end], "vague", prev[4]))
                    last_end["vague"] = end
                continue            # inside a longer hit of the same kind
            if kind == "vague":
                last_vague = len(kept)
            kept.append(_new_hit(Hit, (start, end, phrase, kind, entry)))
            last_end[kind] = end
        return kept


@lru_cache(maxsize=None)
def default_lexicon() -> Lexicon:
    return Lexicon(read_cues(), read_vague())


NON_ANSWER_KINDS = ("whole", "lead")
LEAD_TAIL_MAX = 16          # "详见" + at most this many characters is still only a pointer


class NonAnswers:
    """Whole-text non-answers ("无", "详见自评报告"), compared without spaces and punctuation."""

    def __init__(self, entries: list[tuple[str, str]]):
        self.whole = frozenset(p.lower() for p, kind in entries if kind == "whole")
        self.leads = tuple(p for p, kind in entries if kind == "lead")
        # the first character of every entry, either case: a cheap test before match()
        self.first = frozenset(c for p, _ in entries for c in (p[0].lower(), p[0].upper()))

    def match(self, bare: str) -> bool:
        """`bare`: the text without spaces and punctuation."""
        bare = bare.lower()
        return bare in self.whole or (bare.startswith(self.leads) and any(
            bare.startswith(lead) and len(bare) - len(lead) <= LEAD_TAIL_MAX for lead in self.leads))


def read_non_answers(path: Path | None = None) -> list[tuple[str, str]]:
    return _read_pairs(path or LEXICON_DIR / "non_answers.txt", NON_ANSWER_KINDS,
                       "phrase<TAB>whole|lead")


@lru_cache(maxsize=None)
def default_non_answers() -> NonAnswers:
    return NonAnswers(read_non_answers())



def read_ocr_slips(path: Path | None = None) -> list[tuple[str, str]]:
    path = path or LEXICON_DIR / "ocr_slips.txt"
    pairs = []
    for lineno, line in _data_lines(path):
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0] or len(fields[0]) != len(fields[1]):
            raise ValueError(f"{path}:{lineno}: expected extracted<TAB>written, of the same length")
        pairs.append((fields[0], fields[1]))
    return pairs


@lru_cache(maxsize=None)
def default_ocr_slips() -> dict[str, str]:
    return dict(read_ocr_slips())
