"""Phrase lexicons (cue phrases, vague phrases) matched on characters with Aho–Corasick.

Lexicons are data files under corpus/lexicons/ with a comment header; they are read once per
process. Matching is on characters, not tokens, so "合同管理" is found however jieba splits it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import ahocorasick

LEXICON_DIR = Path(__file__).resolve().parent.parent / "corpus" / "lexicons"

CUE_CATEGORIES = (
    "measure_open", "measure_done", "cause_open", "restate",
    "concrete_cause", "concrete_measure", "null", "praise", "measure_lead",
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


def read_cues(path: Path | None = None) -> list[tuple[str, str]]:
    path = path or LEXICON_DIR / "cues.txt"
    cues = []
    for lineno, line in _data_lines(path):
        fields = line.split("\t")
        if len(fields) != 2 or fields[1] not in CUE_CATEGORIES or not fields[0]:
            raise ValueError(f"{path}:{lineno}: expected phrase<TAB>one of {', '.join(CUE_CATEGORIES)}")
        cues.append((fields[0], fields[1]))
    return cues


_new_hit = tuple.__new__      # Hit(...) without the namedtuple's Python-level __new__ (hot path)


def _start_then_longest(h: Hit) -> tuple[int, int]:
    return h[0], h[0] - h[1]


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
        raw: list[Hit] = []
        for end_idx, (phrase, n, kinds) in self._automaton.iter(text):
            end = end_idx + 1
            for kind, entry in kinds:
                raw.append(_new_hit(Hit, (end - n, end, phrase, kind, entry)))
        raw.sort(key=_start_then_longest)
        kept: list[Hit] = []
        last_end: dict[str, int] = {}
        last_vague = -1
        for hit in raw:
            if hit.start < last_end.get(hit.kind, -1):
                if hit.kind == "vague" and hit.end > last_end["vague"]:
                    # overlapping vague phrases ("进一步加强" + "加强沟通协调") read as one span
                    prev = kept[last_vague]
                    kept[last_vague] = Hit(prev.start, hit.end, text[prev.start:hit.end], "vague", prev.entry)
                    last_end["vague"] = hit.end
                continue            # inside a longer hit of the same kind
            if hit.kind == "vague":
                last_vague = len(kept)
            kept.append(hit)
            last_end[hit.kind] = hit.end
        return kept


@lru_cache(maxsize=None)
def default_lexicon() -> Lexicon:
    return Lexicon(read_cues(), read_vague())
