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

from forms.align import (DASH, DATE, LEVEL1, LEVEL2, LEVEL12, NUMBER, PERCENT, QUANTITY, SECTION,
                         STEM, TEXT, TEXT_COLUMNS, UNIT, WEIGHT_ONLY, FORMULA, align, classify, is_blank)
from forms.cells import Table
from forms.model import Form, FundsRow, Indicator, Source, Unreadable
from forms.quantity import normalize, parse_number, parse_quantity
from forms.vocabulary import Vocabulary, key, vocabulary

_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_YEAR = re.compile(r"(20\d{2})\s*年度?")
_TITLE_PROJECT = re.compile(r"20\d{2}年度?(.+?)(?:项目)?(?:支出)?绩效(?:目标)?自评(?:价)?表")
# what a title says between its year and 自评表 when it names no project ("2022年度项目支出绩效自评表")
_GENERIC_SUBJECT = re.compile(r"(?:项目|部门|部门整体|单位|财政|市级|县级|省级|区级|专项资金|财政支出|财政项目|财政支出项目"
                              r"|市级财政支出项目)(?:支出)?")
_YEAR_ONLY = re.compile(r"\s*[（(]?\s*(20\d{2})\s*年?度?\s*[)）]?\s*")
_TITLE = re.compile(r"自评(报告)?表|评价表")  # not 绩效自评结论, a row inside the form
_PLACEHOLDER = re.compile(r"^(?:指标\s*\d+\s*[:：]?|[.…。·]+|—+|-+)$")
_NAME_PREFIX = re.compile(r"^指标\s*\d+\s*[:：]\s*")
# "详见说明一" in a row's explanation cell, "说明一：…" below the table
_NOTE_POINTER = re.compile(r"^\s*(?:详见|见|参见)说明\s*([一二三四五六七八九十\d]{1,3})\s*[。.]?\s*$")
_NOTE_ITEM = re.compile(r"^\s*说明\s*([一二三四五六七八九十\d]{1,3})\s*[：:]\s*(.+)$", re.DOTALL)
_REVIEW = re.compile("复核|再评价|复评|评审得分|核定得分")
_SCORE_TEXT = re.compile(r"^(\d+(?:\.\d+)?)\s*分?\s*[，,：:;；（(]?\s*(\D.*)$", re.S)
_GOAL_TARGET = ("预期目标", "预算目标", "年度目标")
_GOAL_ACTUAL = ("实际完成情况", "全年实际完成情况", "实际完成")
_GOAL_LABELS = ("年度总体目标", "总体目标") + _GOAL_TARGET + _GOAL_ACTUAL
_SENTENCE_END = "。！？；.!?;）)”\""
# "label：" at the start of a cell or after a space: 单位名称:某站 填报日期:2023年3月20日
_INLINE_LABEL = re.compile(r"(?:^|\s+)([^\s:：]{2,10})[:：]")
# How indicator names end: a fragment after the last row does not continue such a name (it is the
# start of a row cut off by the excerpt).
_COMPLETE_NAME = re.compile(r"(?:率|度|性|数|量|积|额|值|数量|人次|情况|[)）])$")
_UNSAVED_FORMULA = "公式没有保存计算结果：请在 Excel 中打开、重新计算并保存后再检查"
_NOTE = re.compile(r"^\[[^\]]*\]$")
# A page number or running footer a PDF extraction leaves between two rows ("— 2 —", "第 1 页，共 2
# 页", "Page 3 of 5"): no part of the form, and never the start of the next row's name.
_PAGE_MARK = re.compile(r"^(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页\s*[,，]?\s*(?:共\s*\d{1,4}\s*页)?"
                        r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页|[Pp]age\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$")
# Notes printed under a table explain its columns; they are no flattened header.
_NOTE_PREFIX = re.compile(r"^\s*(?:注|备注|说明|填报说明|附注)\s*[:：]?")
# Column names found inside a line whose cells ran together (f the header is there, flattened).
_HEADER_WORDS = ("一级指标", "二级指标", "三级指标", "指标值", "完成值", "实际值", "分值", "得分",
                 "自评分", "权重", "指标名称")
_VALUE_KINDS = frozenset({NUMBER, PERCENT, QUANTITY, DATE, DASH})
_MONEY = re.compile(r"^((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?:万元|元|万)$")
FUNDS_FIELDS = ("budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score")


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
    doubtful: frozenset[str] = frozenset()   # fields the alignment could not decide


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
    source: Source | None = None
    whole: bool = False   # a full-width row or a numbered name (指标5:): never a wrapped part


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
    unit_name: str = ""        # 单位名称: the implementer where the form names no 实施单位
    titles: tuple[str, ...] = ()     # the title lines that started the form, in order
    notes: dict[str, str] = field(default_factory=dict)   # "说明一：…" below the table, by its number

    @property
    def started(self) -> bool:
        f = self.form
        return bool(f.project or self.items or f.unreadable or f.funds.budget_full_year is not None
                    or f.total.score is not None)


_MONEY_FIELDS = FUNDS_FIELDS[:3]      # the amounts, read with their units (4753.66万元)


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
        self.columns: tuple[str, ...] = ()
        self.header_line: list[str] = []
        self.text_places: tuple[int | None, ...] | None = None
        self.sub_header_open = False
        self.funds_header: dict[str, int] = {}
        self.funds_columns: tuple[str, ...] = ()
        self.funds_positions: tuple[int | None, ...] | None = None
        self.funds_total_seen = False
        self.opening = True             # nothing that starts a form seen yet in this file
        self.orphans: list = []
        self.funds_block = ""
        self.rate_announced = False
        self.goals_header: dict[str, int] = {}
        self.header_top: list[str] | None = None   # a line with header words that was no header alone
        self.label_line: list[tuple[str, str]] | None = None   # field labels awaiting their values line
        self.funds_label: str | None = None     # a funds row label awaiting its values line
        self.funds_after_part = False           # the last funds row read was a 其中 part
        self.funds_total_column = 0             # a funds block by source: where its 合计 column is
        self.total_label = False                # a 总分 label alone, awaiting its number

    # -- the stream ------------------------------------------------------------------------
    def run(self, tables: Iterable[Table]) -> list[Form]:
        for table in tables:
            for cells, line in zip(table.rows, table.lines):
                cells = [clean_cell(c) if c else "" for c in cells]
                if any(cells):
                    self.row(cells, Source(self.file, len(self.forms), line, table.name))
        self.close()
        for number, form in enumerate(self.forms):  # a tail form read late took an earlier place
            for src in [form.source, form.funds.source, form.total.source,
                        *(i.source for i in form.indicators)]:
                if src is not None:
                    src.form = number
        return self.forms

    def new_form(self, source: Source) -> None:
        self.close()
        src = Source(self.file, len(self.forms), source.line, source.sheet)
        self.b = _FormBuilder(Form(source=src))
        self.mode = None
        self.header = {}
        self.funds_total_seen = False

    def close(self) -> None:
        if self.b is not None and self.b.started:
            if not self.b.form.project:
                self.b.form.project = _project_in_title(self.b.titles)
            for item in self.b.items:
                m = _NOTE_POINTER.match(item.explanation) if isinstance(item, _Row) else None
                if m and m.group(1) in self.b.notes:
                    item.explanation = self.b.notes[m.group(1)]
            _resolve(self.b, self.v)
            self.forms.append(self.b.form)
        self.b = None

    def row(self, cells: list[str], src: Source) -> None:
        self.current_cells = cells
        top, self.header_top = self.header_top, None
        filled = [(j, c) for j, c in enumerate(cells) if c]
        first = filled[0][1]
        if len(filled) <= 2 and _TITLE.search(first) and len(first) <= 40:
            if self.b is not None and self.mode == "indicators" and self.b.items and first in self.b.titles:
                # the form's own title again inside its indicator table: a running page header.
                # A new form under the same title names its project, which starts it below.
                return
            titles = self.b.titles if self.b is not None and not self.b.started else ()
            self.opening = False
            self.new_form(src)
            self.b.titles = (*titles, first)       # "附件：…自评表" then "…自评表(2022年度)"
            self.take_year(first)
            return
        if self.b is None:
            self.new_form(src)
        form = self.b.form
        total_label, self.total_label = self.total_label, False
        if total_label and len(filled) <= 2 and all(parse_number(c) is not None for _, c in filled):
            self.total_row(filled, src)
            return
        label_line, self.label_line = self.label_line, None
        if label_line and len(filled) == len(label_line) and not any(self.v.field_label(c) for _, c in filled):
            for (label, written), (_, value) in zip(label_line, filled):
                self.take_field(label, value, written)
            return
        inline = self.split_inline_fields(filled)
        label = next((self.v.field_label(c) for _, c in inline[:2] if self.v.field_label(c)), None)
        if label is not None and not self.v.field_label(inline[0][1]):
            inline = inline[1:]  # a section title before the labels (一、基本情况)
        if label is not None:
            self.opening = False
            if label == "project" and form.project and (form.indicators or self.b.items):
                titles = self.b.titles
                self.new_form(src)
                self.b.titles = titles
                for title in titles:
                    self.take_year(title)
            self.fields_row(inline)
            return
        if self.flattened_header(filled, src):
            return
        if form.year is None and len(filled) <= 2 and _YEAR.search(normalize(first)) and not self.b.items:
            self.take_year(first)
            return
        keys = [key(c) for _, c in filled]
        if len(filled) == 1 and "年" in first and _YEAR_ONLY.fullmatch(first):
            self.take_year(first)
            return      # "（2022年度）" under a title repeated at a page break: no name's tail
        if len(filled) == 1 and (_NOTE.match(first) or _PAGE_MARK.match(first)):
            return  # a note someone added to the text ("[source text below …]"), a page number
        if self.is_indicator_header(cells) or (
                top is not None and self.is_indicator_header(self.two_line_header(top, cells))):
            self.opening = False
            if self.orphans:
                self.read_tail()
            return
        if self.mode != "indicators" and sum(1 for _, c in filled if self.v.indicator_field(c)) >= 2:
            self.header_top = cells     # "一级 | 年度指 | 分值" over "指标 | 标值 | …": may be the top half
        if self.funds_header_row(filled, cells, src) or self.transposed_funds_header(filled, src):
            self.opening = False
            return
        if self.mode == "funds_by_source":
            if self.funds_by_source_row(filled, cells):
                return
            self.mode = None
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
        note = _NOTE_ITEM.match(first) if len(filled) == 1 and "说明" in first[:3] else None
        if note and any(isinstance(i, _Row) and _NOTE_POINTER.match(i.explanation) for i in self.b.items):
            # "说明一：…" below the table, where rows say "详见说明一": the row's explanation
            self.b.notes[note.group(1)] = note.group(2).strip()
            return
        text_key = self.v.form_text(first)
        if self.opening and (text_key or self.mode is None):
            # Rows before anything that starts a form: the tail of a form whose head is not in
            # this file (a page cut from a longer document). Read with the first table's header.
            self.orphans.append((cells, filled, src))
            return
        if text_key:
            body = " ".join(c for _, c in filled[1:])
            if body and body not in form.texts.get(text_key, ""):  # not again from a carried merge
                form.texts[text_key] = (form.texts.get(text_key, "") + body).strip()
                if text_key not in form.text_sources and len(filled) > 1:
                    form.text_sources[text_key] = Source(src.file, len(self.forms), src.line, src.sheet,
                                                         {"explanation": filled[1][0]})
            return
        if any(self.v.is_total(c) for _, c in filled) and (self.mode != "funds" or (
                self.b.items and not any(self.v.funds_row(c) for _, c in filled))):
            # 总分 after a funds block placed below the indicator table is still the form's total
            # (合计 there is the funds block's own total row)
            self.total_row(filled, src)
            return
        if self.mode == "indicators" and any(self.v.is_subtotal(c) for _, c in filled):
            return      # 小计: a level-1 group's sum, no indicator (the 总分 row is checked against the rows)
        if self.mode == "funds":
            self.funds_row(filled, cells, src)
        elif self.mode == "goals":
            self.goals_row(filled)
        elif self.mode == "indicators":
            self.indicator_row(cells, filled, src)

    # -- header fields, year -----------------------------------------------------------------
    def read_tail(self) -> None:
        """The rows kept from before the first form started, read as a form of their own with
        this header (pages cut from one document share a template), placed before this one."""
        orphans, self.orphans = self.orphans, []
        current, mode = self.b, self.mode
        self.b = _FormBuilder(Form(source=Source(self.file, 0, orphans[0][2].line)))
        for cells, filled, src in orphans:
            self.current_cells = cells
            text_key = self.v.form_text(filled[0][1])
            if text_key:
                body = " ".join(c for _, c in filled[1:])
                self.b.form.texts[text_key] = (self.b.form.texts.get(text_key, "") + body).strip()
            elif any(self.v.is_total(c) for _, c in filled):
                self.total_row(filled, src)
            else:
                self.indicator_row(cells, filled, src)
        tail = self.b
        _resolve(tail, self.v)
        if any(i.weight is not None or i.score is not None for i in tail.form.indicators):
            self.forms.append(tail.form)   # lines before the title are no form without scored rows
        self.b, self.mode = current, mode

    def take_year(self, text: str) -> None:
        m = _YEAR.search(normalize(text))
        if m and self.b is not None and self.b.form.year is None:
            self.b.form.year = int(m.group(1))

    def split_inline_fields(self, filled: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """"主管部门：某局" written in one cell becomes a label cell and a value cell; several such
        pairs in one cell ("单位名称:某站 填报日期:2023年3月20日") become several."""
        out = []
        for j, c in filled:
            if ":" not in c and "：" not in c:     # most cells: no label inside
                out.append((j, c))
                continue
            parts = _INLINE_LABEL.split(c)
            if len(parts) >= 3 and not parts[0].strip() and self.v.field_label(parts[1]):
                for k in range(1, len(parts) - 1, 2):
                    out.append((j, parts[k]))
                    if parts[k + 1].strip():
                        out.append((j, parts[k + 1].strip()))
            else:
                out.append((j, c))
        return out

    def fields_row(self, filled: list[tuple[int, str]]) -> None:
        labels = [self.v.field_label(c) for _, c in filled]
        if len(filled) >= 2 and all(labels):
            # "项目名称 | 主管部门 | 实施单位" with the values on the next line (labels and values
            # printed in separate runs): the next line is read against these
            self.label_line = [(label, c) for label, (_, c) in zip(labels, filled)]
            return
        i = 0
        while i < len(filled):
            label = labels[i]
            if label and i + 1 < len(filled) and not labels[i + 1]:
                value = filled[i + 1][1]
                self.take_field(label, value, filled[i][1])
                if label == "unit" and not self.b.unit_name:
                    self.b.unit_name = value
                i += 2
            else:
                if key(filled[i][1]) in ("年度", "评价年度", "自评年度") and i + 1 < len(filled):
                    self.take_year(filled[i + 1][1])
                i += 1

    def take_field(self, label: str, value: str, written: str) -> None:
        """A header field's value, unless the form already gave one; 实施(主管)单位 names both units."""
        form = self.b.form
        if label == "project" and not form.project:
            form.project = value
            if "部门" in written and not form.department:
                form.department = value     # 部门（单位）名称: a 部门整体 form, the department is its subject
        elif label == "department" and not form.department:
            form.department = value
        elif label == "year":
            m = _YEAR_ONLY.fullmatch(value)
            if m and form.year is None:
                form.year = int(m.group(1))
        elif label == "implementer" and not form.implementer:
            form.implementer = value
            if "主管" in written and not form.department:
                form.department = value

    # -- funds ----------------------------------------------------------------------------
    def funds_header_row(self, filled, cells, src: Source) -> bool:
        """The funds block's header: its value columns in order, after the block's own label."""
        fields = [self.v.funds_field(c) for _, c in filled]
        if not ({"budget_full_year", "budget_initial"} & set(fields) and "executed" in fields):
            if "execution_rate" in fields:
                self.rate_announced = True
            return False
        form = self.b.form
        if self.pairs_row(filled):
            return True
        start = 0 if fields[0] else filled[0][0] + 1  # the block label (项目资金（万元）) is no column
        self.funds_block = "" if fields[0] else key(filled[0][1])
        columns = [self.v.funds_field(c) or "spacer" for c in cells[start:]]
        while columns and columns[-1] == "spacer":
            columns.pop()
        self.mode = "funds"
        self.funds_columns = tuple(columns)
        self.funds_positions = None
        self.funds_header = {f: j for j, f in enumerate(columns) if f != "spacer"}
        weight = re.search(r"[（(](\d+(?:\.\d+)?)分[）)]", filled[0][1])
        if weight and form.funds.weight is None:
            form.funds.weight = parse_number(weight.group(1))
        form.funds.source = src
        return True

    def transposed_funds_header(self, filled, src: Source) -> bool:
        """A funds block turned on its side: the sources are its columns (资金来源 | 合计 | 中央资金 |
        省级资金 …) and 年初预算数 / 全年预算数 / 全年执行数 / 执行率 its rows. The 合计 column is read."""
        if self.mode == "indicators" or len(filled) < 4 or not any(
                "合计" in c or "总额" in c or "总计" in c for _, c in filled):
            return False
        total = next((j for j, c in filled if self.v.funds_row(c) == "total"), None)
        parts = sum(1 for _, c in filled if self.v.funds_row(c) not in (None, "total"))
        if total is None or parts < 2 or any(self.v.funds_field(c) for _, c in filled):
            return False
        self.mode, self.funds_total_column = "funds_by_source", total
        funds = self.b.form.funds
        weight = re.search(r"[（(](\d+(?:\.\d+)?)分[）)]", filled[0][1])
        if weight and funds.weight is None:
            funds.weight = parse_number(weight.group(1))
        funds.source = src
        return True

    def funds_by_source_row(self, filled, cells) -> bool:
        """A row of a funds block turned on its side: its label a funds field, its amount under the
        合计 column; "得分 | 9" beside the rate is the block's score. False: the block has ended."""
        field_ = self.v.funds_field(filled[0][1])
        if field_ not in ("budget_initial", "budget_full_year", "executed", "execution_rate"):
            return False
        funds = self.b.form.funds
        j = self.funds_total_column
        value = cells[j] if j < len(cells) else ""
        setattr(funds, field_, _amount(value) if field_ in _MONEY_FIELDS else parse_number(value))
        for (_, label), (_, after) in zip(filled[1:], filled[2:]):
            found = self.v.funds_field(label)
            if found in ("score", "weight") and parse_number(after) is not None:
                setattr(funds, found, parse_number(after))
        return True

    def pairs_row(self, filled) -> bool:
        """Labels and amounts side by side (预算数 | 6.84 | 到位数 | 6.84 | 执行数 | 6.84 | 100.00), the
        layout of Hebei's export: each label takes the number after it; a last number on its own is
        the 执行进度 announced in the line above. The rate, weight and score may come as pairs too, on
        the next line (执行率 | 96% | 分值 | 10 | 得分 | 9.6)."""
        funds = self.b.form.funds
        got: dict[str, float | None] = {}
        # the block's own label first ("项目资金（万元） | 年初预算数 | 50.00 | …") is no pair
        k = 1 if len(filled) > 2 and not self.v.funds_field(filled[0][1]) and self.v.funds_field(filled[1][1]) else 0
        while k + 1 < len(filled) and self.v.funds_field(filled[k][1]) and \
                _amount(filled[k + 1][1]) is not None:
            field_ = self.v.funds_field(filled[k][1])
            value = _amount(filled[k + 1][1]) if field_ in _MONEY_FIELDS else parse_number(filled[k + 1][1])
            got.setdefault(field_, value)
            k += 2
        if len(got) < 2:
            return False
        rest = filled[k:]
        for f in FUNDS_FIELDS:       # amounts, and "执行率 | 96% | 分值 | 10 | 得分 | 9.6" too
            if f in got:
                setattr(funds, f, got[f])
        if len(rest) == 1 and parse_number(rest[0][1]) is not None and self.rate_announced:
            funds.execution_rate = parse_number(rest[0][1])
        self.mode = "funds"
        self.funds_columns = ()
        return True

    def funds_row(self, filled, cells, src: Source) -> None:
        funds = self.b.form.funds
        if self.pairs_row(filled):
            return
        # The block's own vertical label (项目资金, 预算执行情况（20分）) may be carried into its rows, as
        # a merged cell is: skip past it.
        carried = next((j for j, c in filled if self.funds_block and key(c) == self.funds_block), None)
        after = [(j, c) for j, c in filled if carried is None or j > carried] or filled
        label_col, label = next(((j, c) for j, c in after if self.v.funds_row(c)), after[0])
        which = self.v.funds_row(label)
        pending, self.funds_label = self.funds_label, None
        if which is not None and not any(cells[label_col + 1:]):
            self.funds_label = which    # "年度资金总额" alone, its amounts on the next line
            return
        if which is None and _amount(label) is not None and (pending or funds.budget_full_year is None):
            # a one-line funds block, or the values line under a label line: numbers with no row
            # label (after the block's own, if carried)
            which, label_col = pending or "total", (-1 if carried is None else carried)
        after_part, self.funds_after_part = self.funds_after_part, False
        if which is None and after_part and 2 <= len(key(label)) <= 10 \
                and not re.search(r"\d", label) and any(_amount(c) is not None for c in cells[label_col + 1:]):
            which = key(label)      # right after 其中：基本支出, a part with a name of its own (项目支出)
        if which is None:
            if label.startswith("原因") or self.v.funds_field(label) == "reason":
                funds.reason = " ".join(c for _, c in filled[1:])
            return
        rest = cells[label_col + 1:]
        al = align(rest, self.funds_columns, self.funds_positions)
        if self.funds_positions is None and sum(1 for c in rest if c) >= 3:
            # The rows of a funds block share their layout: learn it from the first full row.
            where = {js[0]: f for f, js in al.cells.items()}
            self.funds_positions = tuple(next((j for j, f in where.items() if f == col), None)
                                         for col in self.funds_columns)
        values = {f: "".join(rest[j] for j in js) for f, js in al.cells.items()}
        amounts = {f: _amount(values.get(f)) for f in ("budget_initial", "budget_full_year", "executed")}
        # A value that is there but unreadable ("．32" with its digits lost) is not a number to use.
        damaged = {f for f in ("budget_initial", "budget_full_year", "executed", "weight",
                               "execution_rate", "score")
                   if values.get(f) and _amount(values[f]) is None and not is_blank(values[f])}
        doubtful = (al.doubtful | damaged) & set(FUNDS_FIELDS)
        if any(FORMULA.match(values.get(f, "")) for f in FUNDS_FIELDS):
            self.unreadable(" ".join(v for v in values.values() if FORMULA.match(v)), _UNSAVED_FORMULA, src)
        if which == "total" and not self.funds_total_seen:
            self.funds_total_seen = True
            funds.budget_initial = amounts["budget_initial"]
            funds.budget_full_year = amounts["budget_full_year"]
            funds.executed = amounts["executed"]
            if funds.weight is None:
                funds.weight = parse_number(values.get("weight"))
            funds.score = parse_number(values.get("score"))
            funds.execution_rate = parse_number(values.get("execution_rate"))
            if values.get("reason"):
                funds.reason = values["reason"]
            funds.source = src
            funds.doubtful = frozenset(doubtful)
        elif which != "total":
            if any(n is not None for n in amounts.values()):
                if which in funds.parts:
                    which = key(label)      # 中央/兵团/师市财政资金: parts of one kind, each its own
                funds.parts[which] = FundsRow(**amounts)
                self.funds_after_part = True
            # Rate, weight and score merged over the block's rows land on the first row that has
            # them: take them from a 其中 row when the total row left them out.
            if not funds.parts or len(funds.parts) <= 1:
                for f in ("execution_rate", "weight", "score"):
                    if getattr(funds, f) is None and parse_number(values.get(f)) is not None:
                        setattr(funds, f, parse_number(values.get(f)))

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
    def two_line_header(self, top: list[str], bottom: list[str]) -> list[str]:
        """One header from two lines: header words wrapped over both ("一级 / 指标", "年度指 / 标值"),
        or a group name over its columns ("指标值" over 年度目标值 | 实际完成值, "绩效指标" over
        一级指标 | 二级指标 | 三级指标). A column takes the line whose cell names a field, else both."""
        merged = []
        for j in range(max(len(top), len(bottom))):
            a = top[j] if j < len(top) else ""
            b = bottom[j] if j < len(bottom) else ""
            if b and self.v.indicator_field(b):
                merged.append(b)
            elif a and self.v.indicator_field(a):
                merged.append(a)
            else:
                merged.append(a + b)
        return merged

    def is_indicator_header(self, cells: list[str]) -> bool:
        fields = [self.v.indicator_field(c) if c else None for c in cells]
        if ("indicator" in fields or "level1" in fields or "level2" in fields) \
                and ("target" not in fields or "actual" not in fields) and sum(f is not None for f in fields) >= 2:
            # header words here, but no target or actual: a header cell with its year or an OCR slip
            fields = [f or (self.v.indicator_field_near(c) if c else None) for f, c in zip(fields, cells)]
        if "target" not in fields and not ("score" in fields and "weight" in fields and "indicator" in fields):
            return False  # most rows: no header, decided on one look-up a cell; a template may score without targets
        found: dict[str, int] = {}
        columns: list[str] = []
        for j, (c, f) in enumerate(zip(cells, fields)):
            if f is None and c and ("原因" in c and ("偏差" in c or "未完成" in c)):
                f = "explanation"
            if f and f not in found:
                found[f] = j
            if f is None:
                f = "section" if c and (self.v.level1_of(c) or self.v.is_section_label(c)) else "spacer"
            columns.append(f)
        if not ({"indicator", "level1", "level2"} & found.keys()):
            return False
        if "actual" not in found and "weight" not in found:
            return False
        if "score" not in found and any(_REVIEW.search(c) for c in cells if c):
            # a reviewer's table (财政复核, 再评价) with the form's own columns: its rows are the same
            # indicators, scored by someone else; none of it is the self-evaluation
            self.mode = "review"
            return True
        if "explanation" not in found and "evidence" in found and key(cells[found["evidence"]]) == "备注":
            found["explanation"] = found.pop("evidence")       # 备注 is where this template explains
            columns[found["explanation"]] = "explanation"
        while columns and columns[-1] == "spacer":
            columns.pop()
        self.mode = "indicators"
        self.header = found
        self.columns = tuple(columns)
        self.header_line = cells
        # Text columns side by side (评分标准 | 偏差原因…, 偏差原因… | 佐证材料) are told apart by place
        # only: a text cell under such a header cell belongs to it.
        self.text_places = tuple(j if c in TEXT_COLUMNS else None for j, c in enumerate(columns)) \
            if sum(c in TEXT_COLUMNS for c in columns) >= 2 else None
        self.sub_header_open = True
        form = self.b.form
        form.has_weights = "weight" in found
        form.has_scores = "score" in found
        for j, c in enumerate(cells):  # a vertical level-1 label printed in the header row
            lv = self.v.level1_of(c) if c else None
            if lv and j not in found.values():
                self.b.pending_level1 = (lv, _label_text(c))
        return True

    def flattened_header(self, filled, src: Source) -> bool:
        """A line where the indicator header ran together with other cells (a PDF or web page that
        lost its cell boundaries): its column names are there, in no reliable order. The table's
        columns are taken in the standard order for the names present; the line itself, which may
        hold the form's fields and its first rows, is reported as unreadable, and only its
        "label value" pairs are read."""
        if not (len(filled) <= 2 or max(len(c) for _, c in filled) > 60) or self.mode == "after_total":
            return False
        text = " ".join(c for _, c in filled)
        if _NOTE_PREFIX.match(text):
            return False
        compact = text.replace(" ", "")
        found = {w for w in _HEADER_WORDS if w in compact}
        if len(found) < 3 or not found & {"三级指标", "指标名称"}:
            return False
        columns = ["level1", "level2", "indicator", "target"]
        if found & {"完成值", "实际值"}:
            columns.append("actual")
        if found & {"分值", "权重"}:
            columns.append("weight")
        if found & {"得分", "自评分"}:
            columns.append("score")
        if "原因" in text or "weight" in columns:
            columns.append("explanation")   # templates with a 分值 column all have the 偏差原因 one
        self.mode = "indicators"
        self.columns = tuple(columns)
        self.text_places = None
        self.header = {f: j for j, f in enumerate(columns)}
        self.sub_header_open = False
        form = self.b.form
        form.has_weights, form.has_scores = "weight" in columns, "score" in columns
        self.fields_from_tokens(text.split())
        if form.year is None:
            self.take_year(text)
        self.unreadable(text, "表头与其他单元格挤在同一行（单元格分隔丢失），这一行无法可靠读取", src)
        return True

    def fields_from_tokens(self, tokens: list[str]) -> None:
        """"项目名称 某项目 主管部门 某局" from a line whose cells ran together: a label takes the
        token after it when that token is no label, nor part of one."""
        for k, tok in enumerate(tokens[:-1]):
            label = self.v.field_label(tok)
            value = tokens[k + 1]
            if label is None or self.v.field_label(value) or self.v.label_part(value) or len(value) < 2:
                continue
            self.take_field(label, value, tok)

    def unreadable(self, text: str, why: str, src: Source) -> None:
        shown = text if len(text) <= 60 else text[:60] + "…"
        self.b.form.unreadable.append(Unreadable(shown, why, src.line))

    def flattened_row(self, text: str, src: Source) -> bool:
        """A row whose cells ran together into one (the separators were lost). With spaces left
        between them, rows are rebuilt when the names and the value cells pair up exactly (names
        first then values, or each name followed by its values); otherwise, and for text run
        together without spaces, the row is reported as unreadable."""
        tokens = text.split()
        value_cols = [c for c in self.columns if c in ("target", "actual", "weight", "score")]
        if len(tokens) >= 5 and value_cols:
            merged: list[str] = []
            for tok in tokens:  # "不少于12 种": a unit split from its value rejoins it
                if merged and classify(tok) == UNIT and classify(merged[-1]) in _VALUE_KINDS:
                    merged[-1] += " " + tok
                else:
                    merged.append(tok)
            is_value = [classify(t) in _VALUE_KINDS for t in merged]
            if sum(is_value) >= 4:
                rows = _pair_names_and_values(merged, is_value, len(value_cols))
                if rows:
                    for name, values in rows:
                        self.indicator_row([name, *values], [(0, name)], src, rebuilt=True)
                    return True
                self.unreadable(text, "一行中挤着多行的单元格，无法可靠拆分", src)
                return True
        if " " not in text.strip() and len(text) >= 12:
            labels = [w for w in self.v.level_words if len(w) >= 4 and w.endswith("指标") and w in text]
            if (labels and text.startswith(tuple(labels)) and len(text) > len(labels[0]) + 4) \
                    or len(labels) >= 2:
                self.unreadable(text, "单元格挤在一起（分隔丢失），这一行无法可靠读取", src)
                return True
        return False

    def sub_header(self, filled) -> bool:
        """A second header line under the first (指标性质 | 指标值 | 度量单位 under 年度指标值; 单项指标得分
        | 权重占比 | 折算得分 under 自评得分): each refined column is replaced by its parts."""
        top = self.header_line
        if top and all(j < len(top) and top[j] and self.v.indicator_field(top[j] + c) for j, c in filled):
            return True       # the header's own words wrapped onto a second line ("偏差原因分析 / 及改进措施")
        fields = [self.v.indicator_field(c) for _, c in filled]
        if not fields or None in fields:
            return False
        cols = list(self.columns)
        for parent, parts in self.v.refinements.items():
            present = [f for f in fields if f in parts]
            if not present or parent not in cols:
                continue
            j = cols.index(parent)
            cols[j:j + 1] = list(parts)
        for f in set(fields):  # a field the sub-header supplies again: the first one was a stand-in
            where = [j for j, c in enumerate(cols) if c == f]
            for j in where[:-1]:
                cols[j] = "description"
        self.columns = tuple(cols)
        self.text_places = None         # refined columns no longer stand under their header cells
        for f in fields:
            self.header.setdefault(f, len(self.header))
        form = self.b.form
        form.has_weights = form.has_weights or "weight" in fields
        form.has_scores = form.has_scores or "score" in fields
        return True

    def indicator_row(self, cells: list[str], filled, src: Source, rebuilt: bool = False) -> None:
        if self.sub_header_open and self.sub_header(filled):
            return
        self.sub_header_open = False
        if len(filled) == 1 and not rebuilt and self.flattened_row(filled[0][1], src):
            return
        al = align(cells, self.columns, self.text_places, on_grid=True)
        joined = {f: "".join([cells[j] for j in js]) for f, js in al.cells.items()}

        def got(f: str, sep: str = "") -> str:
            if not sep or len(al.cells.get(f, ())) < 2:
                return joined.get(f, "")
            return sep.join([cells[j] for j in al.cells[f] if cells[j]])

        l1 = l1_text = l2 = l2_text = None
        resets = False
        label_cells = [j for f in ("section", "level1", "level2") for j in al.cells.get(f, ())]
        label_cells += [j for j in al.dropped if classify(cells[j]) in (LEVEL1, LEVEL2, LEVEL12, STEM,
                                                                        SECTION)]
        heading = len(filled) == 1 and not label_cells and "level1" not in self.columns \
            and classify(filled[0][1]) in (LEVEL1, LEVEL2, LEVEL12)
        if heading:     # a flat list's group heading on a line of its own ("一、产出指标（50分）")
            label_cells = [filled[0][0]]
        for j in sorted(label_cells):
            c = cells[j]
            if not c:
                continue
            lv1 = self.v.level1_of(c) or self.v.level1_fuzzy(c) or (c if WEIGHT_ONLY.match(c) else None)
            lv2 = self.v.level2_of(c) or self.v.level2_fuzzy(c)
            if lv1 and lv2:  # 成本指标: level 1 in newer templates, level 2 in older ones
                if j in al.cells.get("level1", ()):
                    lv2 = None
                else:
                    lv1 = None
            if lv1:
                l1, l1_text = lv1, c.strip()
            elif lv2:
                l2, l2_text = lv2, c.strip()
            elif self.v.is_section_label(c):
                resets = resets or j in al.cells.get("level2", ())
        if heading:
            self.b.items.append(_Labels(l1, l1_text, l2, l2_text))
            return
        name_cells = al.cells.get("indicator", ())
        name = got("indicator")
        if not name_cells and "indicator" not in self.columns and "level2" in self.columns and not l2:
            # a two-level template: its 二级指标 column holds the names ("项目验收合格率"), not labels
            name_cells = al.cells.get("level2", ())
            name = got("level2")
        whole_row = len(name_cells) == 2 and cells[name_cells[0]] == cells[name_cells[1]]
        if whole_row:
            # One text in a cell merged across the label and name columns (预算执行率 | 预算执行率):
            # a row of its own, labelled by its name.
            name = cells[name_cells[0]]
            if not (l1 or l2) and "level1" in self.columns:
                l1 = l1_text = name
        explanation = got("explanation")
        weight, score = parse_number(got("weight")), parse_number(got("score"))
        if score is None and got("score"):
            score, spill = _score_with_text(got("score"))
            if spill and spill not in explanation:
                explanation = spill + explanation
        target, actual = got("target", " "), got("actual", " ")
        values_filled = [j for j, c in enumerate(cells) if c and j not in label_cells]
        if not name and len(filled) == 1 and not l1 and self.repeats_level2(filled[0][1]):
            # "改造农村户厕 / 数量": a name's wrapped tail that reads like its own group's label
            self.b.items.append(_NameFragment(filled[0][1].strip(), None, None, None, None))
            return
        if not name:
            if len(values_filled) == 1 and weight is None and score is None:
                self.lone_cell(cells[values_filled[0]], al, values_filled[0], src)
                return
            if not target and not actual and weight is None and score is None:
                if l1 or l2:
                    self.b.items.append(_Labels(l1, l1_text, l2, l2_text))
                return
            if weight is not None and score is not None and not target and not actual:
                if l1 or l2:
                    # a level's own row with its block weight and score (产出指标 | | | 50 | 48.3):
                    # it opens the level; its numbers sum the rows below, no indicator
                    self.b.items.append(_Labels(l1, l1_text, l2, l2_text))
                    return
                # A total row without its label: two numbers and nothing else.
                self.total_row(filled, src)
                return
        elif len(values_filled) == 1 and weight is None and score is None and not (l1 or l2):
            self.lone_cell(name, al, values_filled[0], src)
            return
        if _PLACEHOLDER.match(name) and not (target or actual):
            if l1 or l2:      # an unfilled template row ("指标1：") still opens its level for the rows below
                self.b.items.append(_Labels(l1, l1_text, l2, l2_text))
            return
        if not (target or actual or explanation) and weight is None and score is None and not whole_row:
            row_src = Source(src.file, len(self.forms), src.line, src.sheet,
                             {"indicator": name_cells[0]} if name_cells else {})
            whole = bool(_NAME_PREFIX.match(name)) or len(cells) >= len(self.columns) - 1
            self.b.items.append(_NameFragment(_NAME_PREFIX.sub("", name), l1, l1_text, l2, l2_text,
                                              row_src, whole))
            return
        name = _NAME_PREFIX.sub("", name)
        values = {f: got(f) for f in ("comparator", "unit", "direction", "method", "completion",
                                     "description", "single_score") if got(f)}
        target = _compose(target, values)
        cols = {f: j for f, j in self.header.items()}
        cols.update({f: js[0] for f, js in al.cells.items() if js})
        row_src = Source(src.file, len(self.forms), src.line, src.sheet, cols)
        values.update(target=target, actual=actual)
        doubtful = al.doubtful & {"target", "actual", "weight", "score"}
        unsaved = {f for f in ("target", "actual", "weight", "score") if FORMULA.match(got(f))}
        if unsaved:
            doubtful |= unsaved
            self.unreadable(" ".join(got(f) for f in sorted(unsaved)), _UNSAVED_FORMULA, src)
        self.b.items.append(_Row(name, values, weight, score, explanation, l1, l1_text, l2, l2_text,
                                 resets, row_src, frozenset(doubtful)))

    def repeats_level2(self, cell: str) -> bool:
        """A level-2 stem ("数量") alone on a line under that very level: the wrapped tail of a
        name ("改造农村户厕 / 数量"), not a label opening the level again."""
        if not self.v.level2_is_stem(cell):
            return False
        current = next((i.level2 for i in reversed(self.b.items)
                        if isinstance(i, (_Row, _Labels)) and i.level2), None)
        return current is not None and self.v.level2_of(cell) == current

    def lone_cell(self, text: str, al, j: int, src: Source) -> None:
        """A line with one cell of text: the wrapped part of a name, a value or an explanation."""
        if _PLACEHOLDER.match(text) or classify(text) == DASH:
            return
        where = next((f for f, js in al.cells.items() if j in js), None)
        if where in ("target", "actual") or (where in ("method", "description") and self.text_places):
            # the wrapped tail of the row above's cell in that column (评分标准 "…扣2分", 指标解释 "…时长")
            self.b.items.append(_ValueFragment(where, text))
        elif where in ("explanation", "method", "description") or (
                classify(text) == TEXT and (len(text) >= 16 or text[-1] in _SENTENCE_END)):
            self.b.items.append(_Fragment(text))
        elif parse_number(text) is None and not _PLACEHOLDER.match(text) and (
                not self.v.truncated_label(text) or self.repeats_level2(text)):
            whole = bool(_NAME_PREFIX.match(text)) or len(self.current_cells) >= len(self.columns) - 1
            row_src = Source(src.file, len(self.forms), src.line, src.sheet, {"indicator": j})
            self.b.items.append(_NameFragment(_NAME_PREFIX.sub("", text), None, None, None, None,
                                              row_src, whole))

    def total_row(self, filled, src: Source) -> None:
        """The 总分 row. Two numbers are the total weight and score. One number is the total of the
        column it stands in: the only one of 分值/得分 the form has, the header column at its place,
        or, followed by blank cells in a form with both, the weights (an unfilled form)."""
        total = self.b.form.total
        self.total_label = False
        if self.mode == "after_total" and (total.weight is not None or total.score is not None):
            return      # a later table's 合计 (项目资金构成, a sub-item list): the form's total is read
        start = next((k for k, (_, c) in enumerate(filled) if self.v.is_total(c)), -1) + 1
        found = [(j, parse_number(c)) for j, c in filled[start:] if parse_number(c) is not None]
        if start and not filled[start:]:
            self.total_label = True     # "自评总分(分)" alone: its number is on the next line
            return
        unsaved = [(j, c) for j, c in filled[start:] if FORMULA.match(c)]
        if unsaved:
            # 总分 written as a formula whose value was never saved: what it sums is unknown here.
            for j, _ in unsaved:
                col = self.columns[j] if j < len(self.columns) else "score"
                total.doubtful = total.doubtful | {col if col in ("weight", "score") else "score"}
            self.unreadable(" ".join(c for _, c in unsaved), _UNSAVED_FORMULA, src)
        by_column = {self.columns[j]: v for j, v in found if j < len(self.columns)}
        if len(found) >= 2 and "weight" in by_column and "score" in by_column:
            # the numbers stand under the header's 分值 and 得分 (which may come in either order,
            # with a 扣分 column between them): read them by the header
            total.weight, total.score = by_column["weight"], by_column["score"]
        elif len(found) >= 2:
            total.weight, total.score = found[-2][1], found[-1][1]
        elif found:
            j, value = found[0]
            cols = self.columns
            has_w, has_s = "weight" in cols, "score" in cols
            if has_w and not has_s:
                total.weight = value
            elif has_s and not has_w:
                total.score = value
            elif has_w and j < len(cols) and cols[j] in ("weight", "score"):
                setattr(total, cols[j], value)
            elif has_w and start and len(self.current_cells) - 1 > j:
                total.weight = value
            else:
                total.score = value
        for _, c in filled:
            if c in self.v.grades:
                total.grade = c
        total.source = src
        self.mode = "after_total"

def _score_with_text(cell: str) -> tuple[float | None, str]:
    """A score cell an author wrote the explanation into: "9（两期培训取消）" → (9, "两期培训取消")."""
    m = _SCORE_TEXT.match(normalize(cell))
    if m:
        return parse_number(m.group(1)), m.group(2).strip("）)").strip()
    if len(cell) >= 4 and parse_number(cell) is None:
        return None, cell
    return None, ""


def _label_text(cell: str) -> str:
    return re.sub(r"[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]", "", cell).strip()


def _project_in_title(titles: tuple[str, ...]) -> str:
    """The project a title names when the form has no 项目名称 field: what stands between the
    year and "(项目)(支出)绩效(目标)自评表" ("巴州区2023年度农村危房改造补助资金项目支出绩效自评表").
    Without a year the region cannot be told from the project: nothing."""
    for title in titles:
        m = _TITLE_PROJECT.search(normalize(title).replace(" ", ""))
        if m and len(m.group(1)) >= 2 and not _GENERIC_SUBJECT.fullmatch(m.group(1)):
            return m.group(1)
    return ""


def _compose(target: str, values: dict[str, str]) -> str:
    """Join split target columns (指标性质 | 指标值 | 度量单位) into the text a form would write.

    The actual stays as written; its unit is the row's `unit` (kept in `extra`)."""
    cmp_, unit = values.get("comparator", ""), values.get("unit", "")
    if cmp_ in ("定性", "定量", "正向", "反向"):
        cmp_ = ""
    if (cmp_ or unit) and target and parse_number(target) is not None:
        target = f"{cmp_}{target}{unit}"
    elif unit and target:
        q = parse_quantity(target)        # "≥20000" beside a 计量单位 cell "亩": "≥20000亩"
        if q.value is not None and q.clean and q.comparator and not q.unit:
            target = f"{target}{unit}"
    return target


def _amount(text: str | None) -> float | None:
    """An amount as the funds block writes it: "7,549,020", "4753.66万元", "120元"."""
    if not text:
        return None
    value = parse_number(text)
    if value is None:
        m = _MONEY.match(normalize(text).replace(" ", ""))
        value = parse_number(m.group(1)) if m else None
    return value


def _pair_names_and_values(tokens: list[str], is_value: list[bool],
                           width: int) -> list[tuple[str, list[str]]] | None:
    """Rows from the tokens of run-together rows: each name is its tokens up to the next value
    (a name token that is no template number, 指标N:, continues the name before it), and the value
    tokens are cut into rows of `width`. Only an exact fit counts: as many value groups as names,
    whether the values follow each name or all names come first."""
    names: list[str] = []
    groups: list[list[str]] = []
    layout: list[str] = []              # "n" per name started, "v" per value token
    for tok, value in zip(tokens, is_value):
        if value:
            layout.append("v")
            groups.append([tok]) if not groups or len(groups[-1]) == width else groups[-1].append(tok)
        elif names and layout and layout[-1] == "n" and not _NAME_PREFIX.match(tok):
            names[-1] += " " + tok
        else:
            names.append(tok)
            layout.append("n")
    if not names or len(groups) != len(names) or any(len(g) != width for g in groups):
        return None
    interleaved = "".join("n" if c == "n" else "v" for c in layout) == "".join(
        "n" + "v" * width for _ in names)
    names_first = "".join(layout) == "n" * len(names) + "v" * width * len(names)
    if not (interleaved or names_first):
        return None
    return list(zip(names, groups))


def _join_fragments(items: list) -> None:
    """Put text that wrapped onto lines of its own back into its row.

    An explanation fragment continues the row above when that text was cut mid-sentence; it is
    the first part of the next row's cell when that row has an explanation of its own (a cell
    split by a page break); otherwise it continues the row above. A name fragment before a row
    whose name is a stub ("量") or missing starts that row's name; one with level labels is
    otherwise a row of its own with no values (a blank row of the form); otherwise it ends the
    name above, unless it follows the last row and that name is finished (a row cut off by the
    excerpt).
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
            labelled = bool(item.level1 or item.level2)
            if nxt is not None and not item.whole and (len(nxt.name) <= 3 or (prev is None and not labelled)):
                nxt.name = item.text + nxt.name
                if not (nxt.level1 or nxt.level2):
                    nxt.level1, nxt.level1_text = item.level1, item.level1_text
                    nxt.level2, nxt.level2_text = item.level2, item.level2_text
            elif labelled or item.whole or (prev is None and nxt is not None):
                # A named row with labels and no values (a blank row of the form): a row of its own.
                items[k] = _Row(item.text, {}, None, None, "", item.level1, item.level1_text,
                                item.level2, item.level2_text, False,
                                item.source)
                prev = items[k]
            elif prev is not None and (nxt is not None or not _COMPLETE_NAME.search(prev.name)):
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
    if not b.form.implementer and b.unit_name:
        b.form.implementer = b.unit_name
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
    def parent_of(lv2: str | None) -> str | None:
        if lv2 == "成本指标" and explicit_cost_level1:
            return "成本指标"
        return v.level2_parent.get(lv2) if lv2 else None

    def confirmed(k: int, parent: str, now: str | None) -> bool:
        """A level-1 label printed lower down, before any row of the current group, says the
        group has changed (a vertical label lands mid-group in PDF text); a row that still belongs
        to the current group says the level 2 was misplaced on the form."""
        for item, (lv2, _) in zip(seq[k + 1:], labels[k + 1:]):
            if item.level1:
                return item.level1 == parent
            if parent_of(lv2) == now:
                return False
        return False

    for k, (item, (lv2, lv2_text)) in enumerate(zip(seq, labels)):
        parent = parent_of(lv2)
        if item.level1:
            current = (item.level1, item.level1_text)
        elif parent and parent != current[0] and parent not in v.covers.get(key(current[1] or ""), ()):
            if current[0] is None or confirmed(k, parent, current[0]):
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
                doubtful=item.doubtful,
            ))
