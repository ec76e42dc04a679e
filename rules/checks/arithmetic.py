"""Arithmetic: totals, budget execution rate and its score, and the funds block adding up.

These rules compare numbers the reader took from different cells, so a misread cell becomes a
false "error". They run only on values read with confidence: a field the reader marked doubtful
(or, for the funds block, a form with rows it could not read) turns a mismatch into info with the
reason; a total over rows whose points were not read, or a reading that a cross-check shows to be
implausible (a budget weight of 100, the rate cell holding the weight, row weights below the
total score), is not reported at all.
"""
from __future__ import annotations

import re

from rules.engine import Rule, register

# A budget-execution weight above this is a misread cell (forms give it 10–20 points of 100).
_MAX_FUNDS_WEIGHT = 30.0
_FIELDS_CN = {"weight": "分值", "score": "得分", "execution_rate": "执行率", "budget_full_year": "全年预算数",
              "budget_initial": "年初预算数", "executed": "全年执行数"}


def _doubtful(obj, fields) -> list[str]:
    return [_FIELDS_CN.get(f, f) for f in fields if f in obj.doubtful]


def _unverified(form, funds_fields=(), total_fields=(), row_fields=()) -> str | None:
    """Why the values a rule compares were not read with confidence, or None."""
    reasons = []
    bad = _doubtful(form.funds, funds_fields) + _doubtful(form.total, total_fields)
    for ind in form.indicators:
        bad += _doubtful(ind, row_fields)
    if bad:
        reasons.append("读取存疑：" + "、".join(sorted(set(bad))))
    if form.unreadable:
        reasons.append(f"表中有 {len(form.unreadable)} 行未能可靠读取")
    return "；".join(reasons) or None


def _budget_read(f) -> bool:
    """Whether anything of the funds block was read."""
    return any(v is not None for v in (f.budget_initial, f.budget_full_year, f.executed, f.weight,
                                       f.execution_rate, f.score))


def _funds_weight_implausible(f) -> bool:
    return f.weight is not None and f.weight > _MAX_FUNDS_WEIGHT


_BUDGET_ROW = re.compile(r"预算执行|资金执行率|^执行率")


_SUB_ITEM = re.compile(r"^\s*(?:\d+\s*[、.．)）]|[（(]\d+[)）]|其中)")


def _parents(rows: list, values: list[float], tolerance: float) -> set[int]:
    """Rows whose value is the sum of the numbered rows right below them (一、示范区建立 15 over
    its 1、 2、 3、 of 5 each): a parent and its children must not both enter a total."""
    parents, i = set(), 0
    while i < len(values):
        running, j = 0.0, i + 1
        while j < len(values) and running < values[i] - tolerance and _SUB_ITEM.match(rows[j].indicator):
            running += values[j]
            j += 1
        if j - i > 2 and abs(running - values[i]) <= tolerance and values[i] > 0 \
                and not _SUB_ITEM.match(rows[i].indicator):
            parents.add(i)
            i = j
        else:
            i += 1
    return parents


def _rounding(form, attr: str) -> float:
    """What display rounding can add up to in a column: half a hundredth per fractional value
    (分值 3.71, 3.74, 3.14 … printed for thirds and sevenths of the points)."""
    values = [getattr(i, attr) for i in form.indicators] + [getattr(form.funds, attr)]
    return 0.005 * sum(1 for v in values if v is not None and not float(v).is_integer())


def _column(form, attr: str, tolerance: float) -> tuple[float, ...] | None:
    """The sum of a column over the rows and the budget line, and the same sum with parent rows
    left out; None when a row that has points lacks this column's value. Where an indicator row
    is itself a budget-execution row (预算执行率 as an indicator) and the funds block has points
    too, the block may or may not count (部门整体 forms score both): the sums without it follow."""
    rows = [i for i in form.indicators if i.weight is not None or i.score is not None]
    values = [getattr(i, attr) for i in rows]
    if not values or any(v is None for v in values):
        return None
    budget_in_rows = any(_BUDGET_ROW.search(i.indicator or "") for i in rows)
    funds_value = getattr(form.funds, attr) or 0.0
    whole = round(sum(values), 6)
    without_parents = round(whole - sum(values[k] for k in _parents(rows, values, tolerance)), 6)
    with_funds = (round(whole + funds_value, 6), round(without_parents + funds_value, 6))
    if not budget_in_rows:
        return with_funds
    return (whole, without_parents) + (with_funds if funds_value else ())


class _TotalRule(Rule):
    """Shared check: the total row against the sum of its rows plus the budget-execution line."""

    options = {"tolerance": float}
    attr: str
    other: str
    label: str
    suggestion: str

    def check(self, form, ctx):
        stated = getattr(form.total, self.attr)
        present = form.has_weights if self.attr == "weight" else form.has_scores
        if stated is None or not present:
            return
        f = form.funds
        if _funds_weight_implausible(f):
            return  # the budget line was misread; its points cannot enter a sum
        if f.weight is not None and getattr(f, self.attr) is None:
            return  # the budget line carries points we did not read: the sum cannot be made
        if form.unreadable or any(i.weight is None and i.score is None for i in form.indicators):
            return  # rows whose points were not read: the sum cannot be made
        tolerance = max(self.settings["tolerance"], _rounding(form, self.attr))
        sums = _column(form, self.attr, tolerance)
        if sums is None or any(abs(stated - s) <= tolerance for s in sums):
            return
        if self.implausible(form, stated, tolerance):
            return
        summed = sums[0]
        doubt = _unverified(form, funds_fields=(self.attr,), total_fields=(self.attr,),
                            row_fields=(self.attr,))  # no unreadable rows here: returned above
        other = _column(form, self.other, tolerance)
        if doubt is None and getattr(form.total, self.other) is None and other is not None \
                and any(abs(stated - s) <= tolerance for s in other):
            # One number on the total row, and it is the sum of the other column: the row may
            # total the 分值, not the 得分 (or the reverse).
            doubt = (f"总分行只有一个数 {stated:g}，恰等于各项{'得分' if self.attr == 'weight' else '分值'}"
                     "之和，可能是另一栏的合计")
        if doubt is None and sums[0] != sums[1]:
            doubt = "表中有父项与子项，合计口径不确定"
        if doubt is None and len(sums) > 2:
            doubt = "预算执行既是指标行又在资金部分计分，合计口径不确定"
        if doubt is None and stated > summed and not _budget_read(f) and \
                not any(_BUDGET_ROW.search(i.indicator or "") for i in form.indicators):
            # The budget-execution line carries points (10 of 100 in most templates); where the
            # file shows no funds block (the tail of a form cut from a longer document), the
            # missing points may be exactly those.
            doubt = "未读到预算执行部分，合计可能含其分值"

        yield self.finding(form, f"各项{self.label}合计 {summed:g}，总分行为 {stated:g}",
                           source=form.total.source, field=self.attr,
                           evidence={"stated": stated, "computed": summed},
                           suggestion=self.suggestion, doubt=doubt)

    def implausible(self, form, stated, tolerance) -> bool:
        return False


@register
class WeightsTotal(_TotalRule):
    """Indicator weights plus the budget-execution weight do not add up to the total 分值.

    Anti-pattern:
        10 + 10 + … + 9 (indicators) + 10 (执行率) = 95, 总分 row says 100
    Best practice:
        Weights sum to the stated total (normally 100).
    """

    code, name, level = "PC301", "weights-total", "error"
    attr, other, label, suggestion = "weight", "score", "分值", "核对各指标分值与预算执行率分值之和是否等于总分值。"


@register
class ScoresTotal(_TotalRule):
    """Indicator scores plus the budget-execution score do not add up to the total 得分.

    Anti-pattern:
        scores sum to 95.5, 总分 row says 97.5
    Best practice:
        The total score is the sum of the row scores.
    """

    code, name, level = "PC302", "scores-total", "error"
    attr, other, label, suggestion = "score", "weight", "得分", "核对总得分是否等于各项得分之和。"

    def implausible(self, form, stated, tolerance) -> bool:
        # Rows worth fewer points than the total score claims: rows are missing from the reading
        # (a cut table, an unread block), not added up wrong.
        weights = _column(form, "weight", tolerance)
        return weights is not None and stated > weights[0] + tolerance


def _powers_of_ten_apart(a: float, b: float) -> bool:
    """a and b differ by a factor of 100, 1,000 or 10,000 (to 1%)."""
    if a <= 0 or b <= 0:
        return False
    ratio = max(a, b) / min(a, b)
    return any(abs(ratio / k - 1) < 0.01 for k in (100, 1000, 10000))


def _funds_shift_suspected(f) -> str | None:
    """A cross-check that says the budget row was read into the wrong columns."""
    if _funds_weight_implausible(f):
        return f"预算执行分值读作 {f.weight:g}，不合常理"
    if f.weight is not None and f.execution_rate is not None and f.weight == f.execution_rate \
            and f.executed is not None and f.budget_full_year \
            and abs(f.executed / f.budget_full_year * 100 - f.execution_rate_percent) > 1:
        return "执行率与分值读成同一个数，疑似列错位"
    if f.weight is not None and f.executed is not None and f.executed == f.weight \
            and f.budget_full_year and f.budget_full_year != f.weight:
        return "全年执行数与分值读成同一个数，疑似列错位"
    return None


@register
class ExecutionRate(Rule):
    """Stated 执行率 differs from 全年执行数 / 全年预算数.

    Anti-pattern:
        全年预算数 500,000 | 全年执行数 410,000 | 执行率 95%
    Best practice:
        执行率 = 410,000 / 500,000 = 82.00%
    """

    code, name, level = "PC303", "execution-rate", "error"
    options = {"tolerance": float}

    def check(self, form, ctx):
        f = form.funds
        stated = f.execution_rate_percent  # "1" written for 100% is a fraction, not an error
        if stated is None or not f.budget_full_year or f.executed is None:
            return
        computed = f.executed / f.budget_full_year * 100
        tolerance = self.settings["tolerance"]
        if abs(computed - stated) <= tolerance:
            return
        if _funds_shift_suspected(f) or computed > 100 + tolerance and stated <= 100:
            return  # more spent than budgeted, or cells swapped: the row was misread
        if _powers_of_ten_apart(computed, stated):
            return  # amounts in 元 and 万元, or a rate in ‰: a unit question, not a wrong rate
        doubt = _unverified(form, funds_fields=("execution_rate", "budget_full_year", "executed"))
        if doubt is None and f.budget_initial and abs(f.executed / f.budget_initial * 100 - stated) <= tolerance:
            doubt = "填报的执行率按年初预算数计算，口径不同而非算错"
        yield self.finding(form, f"执行率填报 {stated:g}%，全年执行数/全年预算数 = "
                                 f"{computed:.2f}%", source=f.source, field="execution_rate",
                           evidence={"stated": stated, "computed": round(computed, 4)},
                           suggestion=f"执行率应为 {computed:.2f}%。", doubt=doubt)


@register
class ExecutionScore(Rule):
    """Budget-execution 得分 does not follow the scoring rule (执行率 × 分值, capped at 分值).

    Anti-pattern:
        执行率 82% | 分值 10 | 得分 10   (or 执行率 100% | 分值 10 | 得分 8)
    Best practice:
        执行率 82% | 分值 10 | 得分 8.2
    """

    code, name, level = "PC304", "execution-score", "warning"
    options = {"full_marks_at": float, "tolerance": float}

    def check(self, form, ctx):
        f = form.funds
        if f.weight is None or f.score is None or _funds_shift_suspected(f):
            return
        rate = f.execution_rate_percent
        if rate is None and f.budget_full_year and f.executed is not None:
            rate = f.executed / f.budget_full_year * 100
        if rate is None:
            return
        value = round(min(rate / self.settings["full_marks_at"], 1.0) * f.weight, 2)
        if abs(f.score - value) <= self.settings["tolerance"]:
            return
        doubt = _unverified(form, funds_fields=("weight", "score", "execution_rate", "budget_full_year",
                                                "executed"))
        yield self.finding(form, f"预算执行得分 {f.score:g}，按规则应为 {value:g}"
                                 f"（执行率 {rate:.2f}% × 分值 {f.weight:g}）", source=f.source,
                           field="score", evidence={"stated": f.score, "computed": value},
                           suggestion=f"预算执行率得分应为 {value:g}。", doubt=doubt)


@register
class FundsParts(Rule):
    """年度资金总额 is not the sum of 当年财政拨款, 上年结转资金 and 其他资金.

    Anti-pattern:
        年度资金总额 1,200,000 | 当年财政拨款 1,000,000 | 上年结转 100,000
        年度资金总额 0 | 0 | 0 while 其中：本年财政拨款 90 | 89.97 | 89.97
    Best practice:
        年度资金总额 1,100,000 = 1,000,000 + 100,000
    """

    code, name, level = "PC305", "funds-parts", "warning"
    options = {"tolerance": float}

    def check(self, form, ctx):
        f = form.funds
        if not f.parts:
            return
        wrong, stated, computed, blanks = [], {}, {}, None
        for attr, label in (("budget_initial", "年初预算数"), ("budget_full_year", "全年预算数"),
                            ("executed", "全年执行数")):
            total = getattr(f, attr)
            parts = [getattr(p, attr) for p in f.parts.values()]
            if total is None or all(p is None for p in parts):
                continue
            summed = sum(p for p in parts if p is not None)
            if abs(total - summed) <= self.settings["tolerance"]:
                continue
            tol = self.settings["tolerance"]
            if sum(p is not None for p in parts) >= 3 and any(
                    p is not None and abs(p - total) <= tol and abs(summed - total - p) <= tol for p in parts):
                continue  # a 其中 row equal to the total and its own sub-rows all read: it counts twice
            if _powers_of_ten_apart(total, summed):
                continue  # one row in 元, another in 万元: a unit question, not a sum that fails
            wrong.append(f"{label} {total:,.2f} ≠ {summed:,.2f}")
            stated[attr], computed[attr] = total, summed
            if summed < total and any(p is None for p in parts):
                blanks = "部分来源行为空，差额可能就在空行里"
        if wrong:  # one finding for the block: the columns usually fail together
            yield self.finding(form, f"年度资金总额与各来源之和不符：{'；'.join(wrong)}",
                               source=f.source, field=next(iter(stated)),
                               evidence={"stated": stated, "computed": computed},
                               suggestion="核对资金来源各行之和是否等于年度资金总额。",
                               doubt=_unverified(form, funds_fields=tuple(stated)) or blanks)
