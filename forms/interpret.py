"""Rows of cells → forms, driven by headers and the indicator vocabulary, not by positions.

Every reader yields `Table`s; this module walks their rows as one stream (a form may span pages or
sheets), recognises the parts of a 自评表 by their labels, and maps each indicator row onto the
columns its header announced. Real extractions shift columns from row to row, drop vertical
labels ("产出指标", "绩效指标") into odd cells or onto the next page, and split an explanation
cell across a page break; the functions below say how each is handled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from forms.cells import Table
from forms.model import Form, Funds, FundsRow, Indicator, Source, Total
from forms.quantity import normalize, parse_number
from forms.vocabulary import Vocabulary, key, vocabulary

_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_YEAR = re.compile(r"(20\d{2})\s*年度?")
_TITLE = re.compile(r"自评(报告)?表|评价表")  # not 绩效自评结论, a row inside the form
_PLACEHOLDER = re.compile(r"^(?:指标\s*\d+\s*[:：]?|[.…。·]+|—+|-+)$")
_NAME_PREFIX = re.compile(r"^指标\s*\d+\s*[:：]\s*")
_SCORE_TEXT = re.compile(r"^(\d+(?:\.\d+)?)\s*分?\s*[，,：:;；（(]?\s*(\D.*)$", re.S)
_GOAL_TARGET = ("预期目标", "预算目标", "年度目标")
_GOAL_ACTUAL = ("实际完成情况", "全年实际完成情况", "实际完成")
_GOAL_LABELS = ("年度总体目标", "总体目标") + _GOAL_TARGET + _GOAL_ACTUAL
_SENTENCE_END = "。！？；.!?;）)”\""
_VALUE_FIELDS = ("target", "actual", "weight", "score", "comparator", "unit", "direction", "method",
                 "completion")


@dataclass
class _Row:
    """One indicator row before its levels are resolved (levels need the rows around it)."""

    name: str
    values: dict[str, str]
    weight: float | None
    score: float | None
    explanation: str
    level1: str | None           # explicit level-1 label found in the row (canonical)
    level1_text: str | None      # … as written
    level2: str | None           # explicit level-2 label (canonical)
    level2_text: str | None      # … as written
    resets_level2: bool          # a section label sat in the level-2 column
    source: Source


@dataclass
class _Fragment:
    """An explanation text on an otherwise empty line (a cell split by a page break)."""

    text: str


@dataclass
class _ValueFragment:
    """The wrapped tail of a long target or actual text, alone on its line."""

    field: str
    text: str


@dataclass
class _NameFragment:
    """Part of an indicator name wrapped onto a line of its own (nothing else on the line)."""

    text: str
    level1: str | None
    level1_text: str | None
    level2: str | None
    level2_text: str | None


@dataclass
class _Labels:
    """A line holding only level labels."""

    level1: str | None
    level1_text: str | None
    level2: str | None
    level2_text: str | None


@dataclass
class _FormBuilder:
    form: Form
    items: list = field(default_factory=list)
    pending_level1: tuple[str, str] | None = None   # (canonical, as written) from the header row

    @property
    def started(self) -> bool:
        f = self.form
        return bool(f.project or self.items or f.funds.budget_full_year is not None
                    or f.total.score is not None)


def clean_cell(text: str | None) -> str:
    """Cell text with HTML tags removed and ends trimmed; inner spaces are kept as written."""
    if not text:
        return ""
    text = _TAGS.sub("", text) if "<" in text else text
    return text.replace("\u3000", " ").replace("\xa0", " ").strip()


def interpret(tables: Iterable[Table], file: str) -> list[Form]:
    """Find every form in the tables of one file, in order."""
    return _Interpreter(file, vocabulary()).run(tables)


class _Interpreter:
    def __init__(self, file: str, vocab: Vocabulary):
        self.file = file
        self.v = vocab
        self.forms: list[Form] = []
        self.b: _FormBuilder | None = None
        self.mode: str | None = None
        self.header: dict[str, int] = {}
        self.funds_header: dict[str, int] = {}
        self.goals_header: dict[str, int] = {}

    # -- the stream ------------------------------------------------------------------------
    def run(self, tables: Iterable[Table]) -> list[Form]:
        for table in tables:
            for cells, line in zip(table.rows, table.lines):
                cells = [clean_cell(c) for c in cells]
                if any(cells):
                    self.row(cells, Source(self.file, len(self.forms), line, table.name))
        self.close()
        return self.forms

    def new_form(self, source: Source) -> None:
        self.close()
        src = Source(self.file, len(self.forms), source.line, source.sheet)
        self.b = _FormBuilder(Form(source=src))
        self.mode = None
        self.header = {}

    def close(self) -> None:
        if self.b is not None and self.b.started:
            _resolve(self.b, self.v)
            self.forms.append(self.b.form)
        self.b = None

    def row(self, cells: list[str], src: Source) -> None:
        filled = [(j, c) for j, c in enumerate(cells) if c]
        first = filled[0][1]
        if len(filled) <= 2 and _TITLE.search(first) and len(first) <= 40:
            self.new_form(src)
            self.take_year(first)
            return
        if self.b is None:
            self.new_form(src)
        form = self.b.form
        inline = self.split_inline_fields(filled)
        label = self.v.field_label(inline[0][1])
        if label is not None:
            if label == "project" and form.project and (form.indicators or self.b.items):
                self.new_form(src)
            self.fields_row(inline)
            return
        if form.year is None and len(filled) <= 2 and _YEAR.search(first) and not self.b.items:
            self.take_year(first)
            return
        keys = [key(c) for _, c in filled]
        if self.is_indicator_header(cells):
            return
        if any(self.v.funds_field(c) in ("budget_full_year", "budget_initial") for _, c in filled) and \
                any(self.v.funds_field(c) == "executed" for _, c in filled):
            self.mode = "funds"
            self.funds_header = {}
            for j, c in filled:
                f = self.v.funds_field(c)
                if f and f not in self.funds_header:
                    self.funds_header[f] = j
            weight = re.search(r"[（(](\d+(?:\.\d+)?)分[）)]", first)
            if weight and form.funds.weight is None:
                form.funds.weight = float(weight.group(1))
            form.funds.source = src
            return
        if "年度总体目标" in keys or "总体目标" in keys or any(k in _GOAL_TARGET for k in keys):
            header = {}
            for j, c in filled:
                k = key(c)
                if k in _GOAL_TARGET:
                    header.setdefault("target", j)
                elif k in _GOAL_ACTUAL:
                    header.setdefault("actual", j)
            rest = [(j, c) for j, c in filled if key(c) not in _GOAL_LABELS]
            if not header and self.mode == "goals" and self.goals_header:
                if rest:
                    self.goals_row(rest)  # the block's label carried down into its text row
            elif header:
                self.mode, self.goals_header = "goals", header
            else:
                self.mode, self.goals_header = "goals", {}
                form.goal_target = " ".join(c for _, c in rest)
            return
        text_key = self.v.form_text(first)
        if text_key:
            body = " ".join(c for _, c in filled[1:])
            if body and body not in form.texts.get(text_key, ""):  # not again from a carried merge
                form.texts[text_key] = (form.texts.get(text_key, "") + body).strip()
            return
        if any(self.v.is_total(c) for _, c in filled) and self.mode != "funds":
            self.total_row(filled, src)
            return
        if self.mode == "funds":
            self.funds_row(filled, cells, src)
        elif self.mode == "goals":
            self.goals_row(filled)
        elif self.mode == "indicators":
            self.indicator_row(cells, filled, src)

    # -- header fields, year -----------------------------------------------------------------
    def take_year(self, text: str) -> None:
        m = _YEAR.search(normalize(text))
        if m and self.b is not None and self.b.form.year is None:
            self.b.form.year = int(m.group(1))

    def split_inline_fields(self, filled: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """"主管部门：某局" written in one cell becomes a label cell and a value cell."""
        out = []
        for j, c in filled:
            head, sep, rest = c.partition("：") if "：" in c else c.partition(":")
            if sep and self.v.field_label(head):
                out += [(j, head), (j, rest.strip())]
            else:
                out.append((j, c))
        return out

    def fields_row(self, filled: list[tuple[int, str]]) -> None:
        form = self.b.form
        i = 0
        while i < len(filled):
            label = self.v.field_label(filled[i][1])
            if label and i + 1 < len(filled) and not self.v.field_label(filled[i + 1][1]):
                value = filled[i + 1][1]
                if label == "project" and not form.project:
                    form.project = value
                elif label == "department" and not form.department:
                    form.department = value
                elif label == "implementer" and not form.implementer:
                    form.implementer = value
                i += 2
            else:
                if key(filled[i][1]) in ("年度", "评价年度", "自评年度") and i + 1 < len(filled):
                    self.take_year(filled[i + 1][1])
                i += 1

    # -- funds ----------------------------------------------------------------------------
    def funds_row(self, filled, cells, src: Source) -> None:
        funds = self.b.form.funds
        # The block's own vertical label (项目资金) may be carried into its rows: skip past it.
        label_col, label = next(((j, c) for j, c in filled if self.v.funds_row(c)), filled[0])
        which = self.v.funds_row(label)
        if which is None and parse_number(label) is not None and funds.budget_full_year is None:
            which, label_col = "total", -1  # a one-line funds block: numbers with no row label
        if which is None:
            if label.startswith("原因") or self.v.funds_field(label) == "reason":
                funds.reason = " ".join(c for _, c in filled[1:])
            return
        values: dict[str, str] = {}
        h = self.funds_header
        first_value_col = min((c for f, c in h.items() if f != "reason"), default=label_col + 1)
        shift = 0
        if label_col >= first_value_col:  # label sits under a value column: the row is shifted
            shift = label_col + 1 - first_value_col
        for f, col in h.items():
            j = col + shift
            if 0 <= j < len(cells) and j > label_col:
                values[f] = cells[j]
        numbers = {f: parse_number(values.get(f)) for f in ("budget_initial", "budget_full_year", "executed")}
        if which == "total":
            funds.budget_initial = numbers["budget_initial"]
            funds.budget_full_year = numbers["budget_full_year"]
            funds.executed = numbers["executed"]
            if funds.weight is None:
                funds.weight = parse_number(values.get("weight"))
            funds.score = parse_number(values.get("score"))
            funds.execution_rate = _rate(values.get("execution_rate"), funds.budget_full_year, funds.executed)
            if values.get("reason"):
                funds.reason = values["reason"]
            funds.source = src
        elif any(n is not None for n in numbers.values()):
            funds.parts[which] = FundsRow(**numbers)

    # -- goals ----------------------------------------------------------------------------
    def goals_row(self, filled) -> None:
        form = self.b.form
        t, a = self.goals_header.get("target"), self.goals_header.get("actual")
        if t is not None and a is not None:
            target = " ".join(c for j, c in filled if t <= j < a)
            actual = " ".join(c for j, c in filled if j >= a)
            if not target and not actual:
                return
        elif len(filled) >= 2:
            target, actual = filled[-2][1], filled[-1][1]
        else:
            target, actual = filled[0][1], ""
        form.goal_target = (form.goal_target + target).strip()
        form.goal_actual = (form.goal_actual + actual).strip()

    # -- indicators -------------------------------------------------------------------------
    def is_indicator_header(self, cells: list[str]) -> bool:
        found: dict[str, int] = {}
        for j, c in enumerate(cells):
            f = self.v.indicator_field(c) if c else None
            if f is None and c and ("原因" in c and ("偏差" in c or "未完成" in c)):
                f = "explanation"
            if f and f not in found:
                found[f] = j
        if "target" not in found or not ({"indicator", "level1", "level2"} & found.keys()):
            return False
        if "actual" not in found and "weight" not in found:
            return False
        self.mode = "indicators"
        self.header = found
        form = self.b.form
        form.has_weights = "weight" in found
        form.has_scores = "score" in found
        for j, c in enumerate(cells):  # a vertical level-1 label printed in the header row
            lv = self.v.level1_of(c) if c else None
            if lv and j not in found.values():
                self.b.pending_level1 = (lv, _label_text(c))
        return True

    def _shift(self, cells: list[str]) -> int:
        """How far this row's cells sit from the header's columns.

        PDF text shifts whole rows left or right; the weight and score are the two cells a row
        always has as plain numbers, so they anchor it.
        """
        anchors = [self.header[f] for f in ("weight", "score") if f in self.header]
        if not anchors:
            return 0

        def num(j: int) -> bool:
            return 0 <= j < len(cells) and parse_number(cells[j]) is not None

        shifts = (0, -1, 1, -2, 2, -3, 3)
        for s in shifts:
            if all(num(c + s) for c in anchors):
                return s
        if any(num(c) for c in anchors):
            return 0  # only one of the two written (a weight merged above, or left blank)
        for s in shifts:
            if num(anchors[0] + s):
                return s
        return 0

    def indicator_row(self, cells: list[str], filled, src: Source) -> None:
        h = self.header
        s = self._shift(cells)

        def at(f: str) -> str:
            j = h.get(f)
            if j is None:
                return ""
            j += s
            return cells[j] if 0 <= j < len(cells) else ""

        value_cols = [h[f] + s for f in _VALUE_FIELDS if f in h]
        first_value = min(value_cols) if value_cols else len(cells)
        expl_col = h["explanation"] + s if "explanation" in h else None
        l1 = l1_text = l2 = l2_text = None
        resets = False
        names: list[tuple[int, str]] = []
        level2_col = h["level2"] + s if "level2" in h else None
        level1_col = h["level1"] + s if "level1" in h else None
        for j, c in filled:
            if j >= first_value:
                break
            if h.get("description") is not None and j == h["description"] + s:
                continue
            lv1, lv2 = self.v.level1_of(c), self.v.level2_of(c)
            if lv1 and lv2:  # 成本指标: level 1 in newer templates, level 2 in older ones
                if j == level1_col:
                    lv2 = None
                else:
                    lv1 = None
            if lv1:
                l1, l1_text = lv1, _label_text(c)
            elif lv2:
                l2, l2_text = lv2, _label_text(c)
            elif self.v.is_section_label(c):
                resets = resets or j == level2_col
            else:
                names.append((j, c))
        explanation = ""
        if expl_col is not None:
            explanation = "".join(c for j, c in filled if j >= expl_col and j not in value_cols)
        weight, score = parse_number(at("weight")), parse_number(at("score"))
        if score is None and at("score"):
            score, spill = _score_with_text(at("score"))
            if spill and spill not in explanation:
                explanation = spill + explanation
        target, actual = at("target"), at("actual")
        name = names[-1][1] if names else ""
        if names and "indicator" in h:
            exact = [c for j, c in names if j == h["indicator"] + s]
            name = exact[0] if exact else name
        if not name:
            only = [(j, c) for j, c in filled if not (self.v.level1_of(c) or self.v.level2_of(c)
                                                       or self.v.is_section_label(c))]
            if weight is None and score is None and len(only) == 1:
                j, text = only[0]
                in_expl = expl_col is not None and j >= expl_col - 1
                value_field = next((f for f in ("target", "actual") if f in h and h[f] + s == j), None)
                if value_field and not in_expl:
                    self.b.items.append(_ValueFragment(value_field, text))
                elif (len(text) >= 4 or in_expl) and parse_number(text) is None:
                    self.b.items.append(_Fragment(text))
                return
            if not target and not actual and weight is None and score is None:
                if l1 or l2:
                    self.b.items.append(_Labels(l1, l1_text, l2, l2_text))
                return
            if weight is not None and score is not None and not target and not actual:
                # A total row without its label: two numbers and nothing else.
                self.total_row(filled, src)
                return
        if _PLACEHOLDER.match(name) and not (target or actual):
            return
        if not (target or actual or explanation) and weight is None and score is None:
            self.b.items.append(_NameFragment(name, l1, l1_text, l2, l2_text))
            return
        name = _NAME_PREFIX.sub("", name)
        values = {f: at(f) for f in ("comparator", "unit", "direction", "method", "completion",
                                     "description") if f in h and at(f)}
        target, actual = _compose(target, actual, values)
        cols = {f: h[f] + s for f in h}
        if names:
            cols["indicator"] = names[-1][0]
        row_src = Source(src.file, len(self.forms), src.line, src.sheet, cols)
        values.update(target=target, actual=actual)
        self.b.items.append(_Row(name, values, weight, score, explanation, l1, l1_text, l2, l2_text,
                                 resets, row_src))

    def total_row(self, filled, src: Source) -> None:
        total = self.b.form.total
        numbers = [parse_number(c) for _, c in filled]
        numbers = [n for n in numbers if n is not None]
        if len(numbers) >= 2:
            total.weight, total.score = numbers[-2], numbers[-1]
        elif numbers:
            total.score = numbers[0]
        for _, c in filled:
            if c in self.v.grades:
                total.grade = c
        total.source = src
        self.mode = "after_total"


def _score_with_text(cell: str) -> tuple[float | None, str]:
    """A score cell an author wrote the explanation into: "9（两期培训取消）" → (9, "两期培训取消")."""
    m = _SCORE_TEXT.match(normalize(cell))
    if m:
        return float(m.group(1)), m.group(2).strip("）)").strip()
    if len(cell) >= 4 and parse_number(cell) is None:
        return None, cell
    return None, ""


def _label_text(cell: str) -> str:
    return re.sub(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]", "", cell).strip()


def _compose(target: str, actual: str, values: dict[str, str]) -> tuple[str, str]:
    """Join split target columns (指标性质 | 指标值 | 度量单位) into the text a form would write."""
    cmp_, unit = values.get("comparator", ""), values.get("unit", "")
    if cmp_ and cmp_ in ("定性", "定量"):
        cmp_ = ""
    if cmp_ or unit:
        if target and parse_number(target) is not None:
            target = f"{cmp_}{target}{unit}"
        if actual and parse_number(actual) is not None and unit:
            actual = f"{actual}{unit}"
    return target, actual


def _rate(text: str | None, budget: float | None, executed: float | None) -> float | None:
    """The execution rate in percent, whether written 94, 94%, 94.00 or 0.94."""
    value = parse_number(text)
    if value is None:
        return None
    if "%" not in (text or "") and 0 < value <= 1.0:
        if budget and executed is not None:
            computed = executed / budget * 100
            if abs(value * 100 - computed) < abs(value - computed):
                return round(value * 100, 4)
        elif value < 1.0:
            return round(value * 100, 4)
    return value


def _join_fragments(items: list) -> None:
    """Put text that wrapped onto lines of its own back into its row.

    An explanation fragment continues the row above when that text was cut mid-sentence; it is
    the first part of the next row's cell when that row has an explanation of its own (a cell
    split by a page break); otherwise it continues the row above. A name fragment with level
    labels, or before a row whose name is a stub ("量"), starts the next row's name; otherwise it
    ends the name above.
    """
    def next_row(k: int) -> _Row | None:
        return next((i for i in items[k + 1:] if isinstance(i, _Row)), None)

    pending = ""
    prev: _Row | None = None
    for k, item in enumerate(items):
        if isinstance(item, _Fragment):
            nxt = next_row(k)
            if prev is not None and prev.explanation and prev.explanation[-1] not in _SENTENCE_END:
                prev.explanation += item.text
            elif nxt is not None and nxt.explanation:
                pending += item.text
            elif prev is not None and prev.explanation:
                prev.explanation += item.text
            else:
                pending += item.text
        elif isinstance(item, _ValueFragment):
            if prev is not None:
                prev.values[item.field] = prev.values.get(item.field, "") + item.text
        elif isinstance(item, _NameFragment):
            nxt = next_row(k)
            if nxt is not None and (prev is None or item.level1 or item.level2 or len(nxt.name) <= 3):
                nxt.name = item.text + nxt.name
                if not (nxt.level1 or nxt.level2):
                    nxt.level1, nxt.level1_text = item.level1, item.level1_text
                    nxt.level2, nxt.level2_text = item.level2, item.level2_text
            elif prev is not None:
                prev.name += item.text
        elif isinstance(item, _Row):
            if pending:
                item.explanation = pending + item.explanation
                pending = ""
            prev = item
    if pending and prev is not None:
        prev.explanation += pending


def _resolve(b: _FormBuilder, v: Vocabulary) -> None:
    """Give every indicator row its levels and explanation, then append it to the form."""
    items = b.items
    _join_fragments(items)
    items = b.items = [i for i in items if isinstance(i, (_Row, _Labels))]

    # Level 2: explicit labels carry down; rows before the first label take it; a section label
    # in the level-2 column means the layout no longer says.
    labels: list[tuple[str | None, str | None, str | None, bool]] = []
    current: tuple[str | None, str | None] | None = None
    seq = [i for i in items if isinstance(i, (_Row, _Labels))]
    for item in seq:
        if item.level2:
            current = (item.level2, item.level2_text)
        elif isinstance(item, _Row) and item.resets_level2:
            current = (None, None)
        labels.append(current)
    first = next((lab for lab in labels if lab is not None), (None, None))
    labels = [lab if lab is not None else first for lab in labels]
    for k, item in enumerate(seq):
        if isinstance(item, _Row) and not item.level2 and k + 1 < len(seq):
            nxt = seq[k + 1]
            if nxt.level2 and labels[k][0] != nxt.level2:
                hinted = v.hinted_level2(item.name)
                if nxt.level2 in hinted and labels[k][0] not in hinted:
                    labels[k] = (nxt.level2, nxt.level2_text)

    # Level 1: a label in the row itself is what the form says; otherwise the parent of a standard
    # level 2 (vertical labels in PDF text land on any row of their group), else carried down.
    first_label = next(((i.level1, i.level1_text) for i in seq if i.level1), None)
    current = b.pending_level1 or first_label or (None, None)
    explicit_cost_level1 = any(i.level1 == "成本指标" for i in seq)
    for item, (lv2, lv2_text) in zip(seq, labels):
        parent = v.level2_parent.get(lv2) if lv2 else None
        if lv2 == "成本指标" and explicit_cost_level1:
            parent = "成本指标"
        if item.level1:
            current = (item.level1, item.level1_text)
        elif parent and parent != current[0] and parent not in v.covers.get(key(current[1] or ""), ()):
            current = (parent, parent)
        if isinstance(item, _Row):
            b.form.indicators.append(Indicator(
                level1=current[1],
                level2=lv2_text,
                indicator=item.name,
                target=item.values.pop("target", ""),
                actual=item.values.pop("actual", ""),
                weight=item.weight,
                score=item.score,
                explanation=item.explanation,
                source=item.source,
                extra=item.values,
            ))
