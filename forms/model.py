"""The form model: one 财政项目支出绩效自评表, whatever file or template it came from.

Readers produce cells, `forms.interpret` turns cells into these objects, rules and the classifier
read them. JSON field names follow the ground-truth layout (`project, year, department, ...`);
fields may be added, never renamed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from forms.quantity import Quantity, parse_quantity


@dataclass(slots=True)
class Source:
    """Where something came from: file, form number in the file, and the line or sheet row.

    `sheet` is a sheet name, page label or table label where the file has such units; `line` is
    1-based (a text line, or a spreadsheet/table row). `cells` maps a field name
    (`score`, `explanation`, ...) to its 0-based column so a report can point at the exact cell.
    """

    file: str
    form: int = 0
    line: int | None = None
    sheet: str | None = None
    cells: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f"[{self.sheet}]"
        if self.line is not None:
            where += f":{self.line}"
        return where

    def to_dict(self) -> dict:
        return {"file": self.file, "form": self.form, "line": self.line, "sheet": self.sheet,
                "cells": dict(self.cells)}


@dataclass(slots=True)
class Indicator:
    """One indicator row (三级指标) of the performance table.

    level1 一级指标, level2 二级指标, indicator 三级指标 name, target 年度指标值, actual 实际完成值,
    weight 分值/权重, score 得分, explanation 偏差原因分析及改进措施. Texts keep what the form says;
    `target_quantity` / `actual_quantity` are parsed views of them. `doubtful` names the fields
    the reader could not read with confidence (damaged or ambiguous text): rules must not raise an
    error on them, because a misread number becomes a false alarm.
    """

    level1: str | None
    level2: str | None
    indicator: str
    target: str = ""
    actual: str = ""
    weight: float | None = None
    score: float | None = None
    explanation: str = ""
    source: Source | None = None
    extra: dict[str, str] = field(default_factory=dict)
    doubtful: frozenset[str] = frozenset()

    @property
    def target_quantity(self) -> Quantity:
        return parse_quantity(self.target)

    @property
    def actual_quantity(self) -> Quantity:
        return parse_quantity(self.actual)

    @property
    def lost_points(self) -> float:
        """Points lost (分值 − 得分), 0 when either is unknown or nothing was lost."""
        if self.weight is None or self.score is None:
            return 0.0
        return max(0.0, round(self.weight - self.score, 6))

    def to_dict(self, with_source: bool = True) -> dict:
        d = {
            "level1": self.level1,
            "level2": self.level2,
            "indicator": self.indicator,
            "target": self.target,
            "actual": self.actual,
            "weight": _num(self.weight),
            "score": _num(self.score),
            "explanation": self.explanation,
        }
        if with_source:
            d["lost_points"] = _num(self.lost_points)
            d["target_parsed"] = self.target_quantity.to_dict()
            d["actual_parsed"] = self.actual_quantity.to_dict()
        if self.extra:
            d["extra"] = dict(self.extra)
        if self.doubtful:
            d["doubtful"] = sorted(self.doubtful)
        if with_source and self.source is not None:
            d["source"] = self.source.to_dict()
        return d


@dataclass(slots=True)
class FundsRow:
    """One row of the funds block (年度资金总额, 当年财政拨款, 上年结转资金, 其他资金)."""

    budget_initial: float | None = None
    budget_full_year: float | None = None
    executed: float | None = None

    def to_dict(self) -> dict:
        return {"budget_initial": self.budget_initial, "budget_full_year": self.budget_full_year,
                "executed": self.executed}


@dataclass(slots=True)
class Funds:
    """The funds block (项目资金): 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分.

    The top-level numbers are the 年度资金总额 row; `parts` holds the 其中 rows by their label.
    `execution_rate` is in percent as written (100.00 means 100%). `doubtful` names the fields
    read without confidence (as on `Indicator`).
    """

    budget_initial: float | None = None
    budget_full_year: float | None = None
    executed: float | None = None
    weight: float | None = None
    execution_rate: float | None = None
    score: float | None = None
    reason: str = ""
    parts: dict[str, FundsRow] = field(default_factory=dict)
    source: Source | None = None
    doubtful: frozenset[str] = frozenset()

    @property
    def execution_rate_percent(self) -> float | None:
        """The stated 执行率 in percent. Forms write 94% as 94, 94.00 or 0.94 (and 100% as 1): a
        value up to 1 is a fraction when the amounts say so, or when there are no amounts."""
        r = self.execution_rate
        if r is None or not 0 < r <= 1.0:
            return r
        if self.budget_full_year and self.executed is not None:
            computed = self.executed / self.budget_full_year * 100
            return r * 100 if abs(r * 100 - computed) < abs(r - computed) else r
        return r * 100

    def to_dict(self) -> dict:
        d = {
            "budget_initial": self.budget_initial,
            "budget_full_year": self.budget_full_year,
            "executed": self.executed,
            "weight": _num(self.weight),
            "execution_rate": self.execution_rate,
            "score": _num(self.score),
        }
        if self.parts:
            d["parts"] = {k: v.to_dict() for k, v in self.parts.items()}
        if self.reason:
            d["reason"] = self.reason
        if self.doubtful:
            d["doubtful"] = sorted(self.doubtful)
        return d


@dataclass(slots=True)
class Total:
    """The 总分 row: total weight, total score, and a grade (优/良/中/差) where written."""

    weight: float | None = None
    score: float | None = None
    grade: str | None = None
    source: Source | None = None
    doubtful: frozenset[str] = frozenset()

    def to_dict(self) -> dict:
        d = {"weight": _num(self.weight), "score": _num(self.score)}
        if self.grade:
            d["grade"] = self.grade
        if self.doubtful:
            d["doubtful"] = sorted(self.doubtful)
        return d


@dataclass(slots=True)
class Unreadable:
    """A row of the table the reader saw but could not read with confidence (无法可靠读取的行).

    It is reported as unreadable rather than guessed: `text` is the row as extracted, `why` a short
    reason in Chinese ("数字缺失", "列错位无法对齐", ...).
    """

    text: str
    why: str
    line: int | None = None

    def to_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "why": self.why}


@dataclass(slots=True)
class Form:
    """One self-evaluation form (自评表).

    project 项目名称, year 年度, department 主管部门, implementer 实施单位, goal 年度总体目标 with
    `goal_target` (预期目标) and `goal_actual` (实际完成情况). `texts` holds form-level explanation
    cells some templates have instead of per-row ones: keys `deviation` (偏差大或目标未完成原因分析),
    `problems` (存在问题), `measures` (改进措施), `conclusion` (评价结论), and `text_sources` where each cell is, so a
finding on it points at its own cell. `unreadable` lists rows seen but not read.
    """

    project: str = ""
    year: int | None = None
    department: str = ""
    implementer: str = ""
    funds: Funds = field(default_factory=Funds)
    goal_target: str = ""
    goal_actual: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    total: Total = field(default_factory=Total)
    texts: dict[str, str] = field(default_factory=dict)
    source: Source | None = None
    text_sources: dict[str, Source] = field(default_factory=dict)
    unreadable: list[Unreadable] = field(default_factory=list)
    has_weights: bool = True
    has_scores: bool = True

    def to_dict(self, with_source: bool = True) -> dict:
        d = {
            "project": self.project,
            "year": self.year,
            "department": self.department,
            "implementer": self.implementer,
            "funds": self.funds.to_dict(),
            "goal_target": self.goal_target,
            "goal_actual": self.goal_actual,
            "indicators": [i.to_dict(with_source) for i in self.indicators],
            "total": self.total.to_dict(),
        }
        if self.texts:
            d["texts"] = dict(self.texts)
        if self.unreadable:
            d["unreadable"] = [u.to_dict() for u in self.unreadable]
        if with_source and self.source is not None:
            d["source"] = self.source.to_dict()
        return d


def _num(x: float | None) -> float | int | None:
    """Whole numbers as int so JSON reads 10, not 10.0, as forms write them."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x
