"""The interpreter's vocabulary (vocabulary.toml), loaded once and matched on normalised text."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

# Bracketed letters, units and weights in headers and labels: （A）, (B/A), （%）, （元）, （50分）.
_BRACKETS = re.compile(r"[（(][^）)]{0,12}[）)]")
_NOISE = re.compile(r"[\s★☆*:：]+")
_INDEX_PREFIX = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．])")


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """Normalised form of a header or label cell for vocabulary look-up."""
    return _NOISE.sub("", _BRACKETS.sub("", text or ""))


@dataclass(frozen=True)
class Vocabulary:
    indicator_headers: dict[str, str]   # normalised header → field
    funds_headers: dict[str, str]
    funds_rows: dict[str, str]
    fields: dict[str, str]
    form_texts: dict[str, str]
    total_labels: frozenset[str]
    grades: frozenset[str]
    level1: dict[str, str]             # normalised label → canonical level-1 name
    level2: dict[str, str]             # normalised label (and stem) → canonical level-2 name
    level2_parent: dict[str, str]      # canonical level-2 → canonical level-1
    hints: dict[str, tuple[str, ...]]  # canonical level-2 → words in indicator names
    section_labels: frozenset[str]
    covers: dict[str, frozenset[str]]  # written level-1 label → canonical level-1 groups it holds

    def indicator_field(self, cell: str) -> str | None:
        return self.indicator_headers.get(key(cell))

    def funds_field(self, cell: str) -> str | None:
        return self.funds_headers.get(key(cell))

    def funds_row(self, cell: str) -> str | None:
        return self.funds_rows.get(key(cell))

    def field_label(self, cell: str) -> str | None:
        return self.fields.get(key(cell))

    def form_text(self, cell: str) -> str | None:
        return self.form_texts.get(key(_INDEX_PREFIX.sub("", cell.strip())))

    def is_total(self, cell: str) -> bool:
        return key(cell) in self.total_labels

    def level1_of(self, cell: str) -> str | None:
        return self.level1.get(key(cell))

    def level2_of(self, cell: str) -> str | None:
        return self.level2.get(key(cell))

    def is_section_label(self, cell: str) -> bool:
        return key(cell) in self.section_labels

    def hinted_level2(self, name: str) -> set[str]:
        return {lv for lv, words in self.hints.items() if any(w in name for w in words)}


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads((Path(__file__).with_name("vocabulary.toml")).read_text(encoding="utf-8"))

    def invert(table: dict[str, list[str]]) -> dict[str, str]:
        return {key(s): field for field, synonyms in table.items() for s in synonyms}

    level1 = invert(data["levels"]["level1"])
    level2: dict[str, str] = {}
    for name in data["levels"]["level2"]:
        level2[key(name)] = name
        level2[key(name.removesuffix("指标"))] = name
    return Vocabulary(
        indicator_headers=invert(data["indicator_headers"]),
        funds_headers=invert(data["funds_headers"]),
        funds_rows=invert(data["funds_rows"]),
        fields=invert(data["fields"]),
        form_texts=invert(data["form_texts"]),
        total_labels=frozenset(key(s) for s in data["totals"]["labels"]),
        grades=frozenset(data["totals"]["grades"]),
        level1=level1,
        level2=level2,
        level2_parent=dict(data["levels"]["level2"]),
        hints={k: tuple(v) for k, v in data["levels"]["hints"].items()},
        section_labels=frozenset(key(s) for s in data["section_labels"]["exact"]),
        covers={key(k): frozenset(v) for k, v in data["levels"]["covers"].items()},
    )
