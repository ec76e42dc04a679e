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


@lru_cache(maxsize=65536)
def _unnumbered(text: str) -> str:
    """The look-up key of a label numbered as a section ("一、产出指标（50分）" → 产出指标); "" if it
    has no such number."""
    text = text.strip()
    # most cells are values ("13172平方米"): no 、 or . after a first numeral, no look-up
    if text[:1] not in _INDEX_FIRST or not any(c in "、.．" for c in text[1:4]):
        return ""
    stripped = _INDEX_PREFIX.sub("", text)
    return key(stripped) if stripped and stripped != text else ""


_YEAR_PREFIX = re.compile(r"^20\d{2}年度?")


@lru_cache(maxsize=8192)
def _near(k: str, items: tuple[tuple[str, str], ...]) -> str | None:
    headers = dict(items)
    bare = _YEAR_PREFIX.sub("", k)
    if bare != k and bare in headers:
        return headers[bare]
    fields = {f for h, f in items
              if len(h) == len(k) and len(h) >= 4 and sum(a != b for a, b in zip(h, k)) == 1}
    return fields.pop() if len(fields) == 1 else None


_INDEX_FIRST = frozenset("一二三四五六七八九十0123456789")


@dataclass(frozen=True)
class Vocabulary:
    indicator_headers: dict[str, str]   # normalised header → field
    funds_headers: dict[str, str]
    funds_rows: dict[str, str]
    fields: dict[str, str]
    fields_by_head: dict[str, str]     # label without its last character → field
    form_texts: dict[str, str]
    total_labels: frozenset[str]
    subtotal_labels: frozenset[str]
    grades: frozenset[str]
    level1: dict[str, str]             # normalised label → canonical level-1 name
    level2: dict[str, str]             # normalised label (and stem) → canonical level-2 name
    level2_parent: dict[str, str]      # canonical level-2 → canonical level-1
    hints: dict[str, tuple[str, ...]]  # canonical level-2 → words in indicator names
    section_labels: frozenset[str]
    covers: dict[str, frozenset[str]]  # written level-1 label → canonical level-1 groups it holds
    units: frozenset[str]
    fuzzy_level2: dict[str, str | None]   # memo of level2_fuzzy: labels repeat on every form
    refinements: dict[str, tuple[str, ...]]
    funds_row_words: tuple[tuple[str, str], ...]  # (word, row) in order of precedence
    level_words: tuple[str, ...]      # every level label and stem, for cut-off labels
    header_items: tuple[tuple[str, str], ...] = ()   # indicator_headers as items, for near look-ups

    def indicator_field(self, cell: str) -> str | None:
        return self.indicator_headers.get(key(cell))

    def indicator_field_near(self, cell: str) -> str | None:
        """indicator_field, or the field of a header written with its year ("2023年指标值") or
        with one character misread by OCR ("实际完戍值", four characters or more): for a row that
        already holds header words, where exactly one header is that near."""
        k = key(cell)
        found = self.indicator_headers.get(k)
        if found is None and len(k) >= 3:
            found = _near(k, self.header_items)
        return found

    def funds_field(self, cell: str) -> str | None:
        return self.funds_headers.get(key(cell))

    def funds_row(self, cell: str) -> str | None:
        """The funds row a label names: total, current, carryover, other, or the 其中 part's own
        name ("财政专户管理资金"); None when the cell is no funds row label."""
        k = key(cell)
        if k in self.funds_rows:
            return self.funds_rows[k]
        if len(k) > 14 or re.search(r"\d", k):
            return None
        for word, row in self.funds_row_words:
            if word in k:
                return row
        if k.startswith("其中") and len(k) > 2:
            return k[2:]
        if k.endswith("资金") and 2 < len(k) <= 10:
            return k
        return None

    def field_label(self, cell: str) -> str | None:
        """The header field a label cell names; a label of four or more characters with its last
        character garbled by OCR ("主管部n") still counts."""
        k = key(cell)
        found = self.fields.get(k)
        if found is None and len(k) >= 4:
            found = self.fields_by_head.get(k[:-1])
        return found

    def label_part(self, cell: str) -> bool:
        """A fragment of a field label wrapped apart ("项目主管单" of 项目主管单位)."""
        k = key(cell)
        return len(k) >= 2 and any(label.startswith(k) or k.startswith(label) for label in self.fields)

    def level2_is_stem(self, cell: str) -> bool:
        """A level-2 name written without its 指标 suffix ("服务对象满意度"): as often an indicator's
        own name, so weaker evidence of a label."""
        k = key(cell)
        return k in self.level2 and not k.endswith("指标")

    def form_text(self, cell: str) -> str | None:
        return self.form_texts.get(key(_INDEX_PREFIX.sub("", cell.strip())))

    def is_total(self, cell: str) -> bool:
        return key(cell) in self.total_labels

    def is_subtotal(self, cell: str) -> bool:
        return key(cell) in self.subtotal_labels

    def level1_of(self, cell: str) -> str | None:
        found = self.level1.get(key(cell))
        if found is None and cell[:1] in _INDEX_FIRST:
            found = self.level1.get(_unnumbered(cell))
        return found

    def level2_of(self, cell: str) -> str | None:
        found = self.level2.get(key(cell))
        if found is None and cell[:1] in _INDEX_FIRST:
            found = self.level2.get(_unnumbered(cell))
        return found

    def level1_fuzzy(self, cell: str) -> str | None:
        """A level-1 label damaged by extraction ("产 出指标", "产出目标"): ends in 指标 or 目标 and
        holds a known level-1 stem."""
        k = key(cell)
        if 3 <= len(k) <= 8 and k.endswith(("指标", "目标")):
            stem = k[:-2]
            for label, canonical in self.level1.items():
                if label.endswith("指标") and label[:-2] == stem:
                    return canonical
        return None

    def level2_fuzzy(self, cell: str) -> str | None:
        """A level-2 label written loosely ("社会效益效益指标", "经济效益类指标"): a short cell ending in
        指标 that holds exactly one known level-2 stem."""
        k = key(cell)
        if not (4 <= len(k) <= 12 and k.endswith("指标")):
            return None
        if k not in self.fuzzy_level2:
            if len(self.fuzzy_level2) > 4096:
                self.fuzzy_level2.clear()
            self.fuzzy_level2[k] = self._level2_fuzzy(k)
        return self.fuzzy_level2[k]

    def _level2_fuzzy(self, k: str) -> str | None:
        found = {canonical for stem, canonical in self.level2.items()
                 if len(stem) >= 2 and not stem.endswith("指标") and stem in k}
        if len(found) == 1:
            return found.pop()
        # several stems: the longest one decides ("服务对象满意度" over "满意度")
        if found:
            return max(found, key=len)
        return None

    def is_unit(self, cell: str) -> bool:
        c = cell.strip()
        return bool(c) and (c in self.units or c[0] in "%‰" or _BRACKETS.sub("", c) in self.units)

    def is_section_label(self, cell: str) -> bool:
        return key(_INDEX_PREFIX.sub("", cell.strip())) in self.section_labels

    def truncated_label(self, cell: str) -> bool:
        """A level label cut off at the end of an excerpt ("生态" of 生态效益指标)."""
        k = key(cell)
        return len(k) >= 2 and any(w.startswith(k) and w != k for w in self.level_words)

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
    for name, aliases in data["levels"].get("level2_aliases", {}).items():
        for alias in aliases:
            level2.setdefault(key(alias), name)
    return Vocabulary(
        indicator_headers=invert(data["indicator_headers"]),
        funds_headers=invert(data["funds_headers"]),
        funds_rows=invert(data["funds_rows"]),
        fields=invert(data["fields"]),
        fields_by_head={k[:-1]: f for k, f in invert(data["fields"]).items() if len(k) >= 4},
        form_texts=invert(data["form_texts"]),
        total_labels=frozenset(key(s) for s in data["totals"]["labels"]),
        subtotal_labels=frozenset(key(s) for s in data["totals"]["subtotals"]),
        grades=frozenset(data["totals"]["grades"]),
        level1=level1,
        level2=level2,
        level2_parent=dict(data["levels"]["level2"]),
        hints={k: tuple(v) for k, v in data["levels"]["hints"].items()},
        section_labels=frozenset(key(s) for s in data["section_labels"]["exact"]),
        covers={key(k): frozenset(v) for k, v in data["levels"]["covers"].items()},
        units=frozenset(data["units"]["words"]),
        fuzzy_level2={},
        refinements={k: tuple(v) for k, v in data["refinements"].items()},
        funds_row_words=tuple((w, row) for row, words in data["funds_row_words"].items() for w in words),
        level_words=tuple(sorted(set(level1) | set(level2))),
        header_items=tuple(sorted(invert(data["indicator_headers"]).items())),
    )
