"""Arithmetic: totals, budget execution rate and its score, and the funds block adding up."""
from __future__ import annotations

from rules.engine import Rule, register


class _TotalRule(Rule):
    """Shared check: the total row against the sum of its rows plus the budget-execution line."""

    options = {"tolerance": float}
    attr: str
    label: str
    suggestion: str

    def check(self, form, ctx):
        stated = getattr(form.total, self.attr)
        values = [getattr(i, self.attr) for i in form.indicators]
        present = form.has_weights if self.attr == "weight" else form.has_scores
        if stated is None or not present or not values or any(v is None for v in values):
            return
        summed = round(sum(values) + (getattr(form.funds, self.attr) or 0), 6)
        if abs(stated - summed) > self.settings["tolerance"]:
            yield self.finding(form, f"各项{self.label}合计 {summed:g}，总分行为 {stated:g}",
                               source=form.total.source, field=self.attr,
                               evidence={"stated": stated, "computed": summed},
                               suggestion=self.suggestion)


@register
class WeightsTotal(_TotalRule):
    """Indicator weights plus the budget-execution weight do not add up to the total 分值.

    Anti-pattern:
        10 + 10 + … + 9 (indicators) + 10 (执行率) = 95, 总分 row says 100
    Best practice:
        Weights sum to the stated total (normally 100).
    """

    code, name, level = "PC301", "weights-total", "error"
    attr, label, suggestion = "weight", "分值", "核对各指标分值与预算执行率分值之和是否等于总分值。"


@register
class ScoresTotal(_TotalRule):
    """Indicator scores plus the budget-execution score do not add up to the total 得分.

    Anti-pattern:
        scores sum to 95.5, 总分 row says 97.5
    Best practice:
        The total score is the sum of the row scores.
    """

    code, name, level = "PC302", "scores-total", "error"
    attr, label, suggestion = "score", "得分", "核对总得分是否等于各项得分之和。"


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
        stated = f.execution_rate_percent
        if stated is None or not f.budget_full_year or f.executed is None:
            return
        computed = f.executed / f.budget_full_year * 100
        if abs(computed - stated) > self.settings["tolerance"]:
            yield self.finding(form, f"执行率填报 {stated:g}%，全年执行数/全年预算数 = "
                                     f"{computed:.2f}%", source=f.source, field="execution_rate",
                               evidence={"stated": stated, "computed": round(computed, 4)},
                               suggestion=f"执行率应为 {computed:.2f}%。")


@register
class ExecutionScore(Rule):
    """Budget-execution 得分 does not follow the scoring rule (执行率 × 分值, capped at 分值).

    Anti-pattern:
        执行率 82% | 分值 10 | 得分 10
    Best practice:
        执行率 82% | 分值 10 | 得分 8.2
    """

    code, name, level = "PC304", "execution-score", "warning"
    options = {"full_marks_at": float, "tolerance": float}

    def check(self, form, ctx):
        f = form.funds
        if f.weight is None or f.score is None:
            return
        rate = f.execution_rate_percent
        if rate is None and f.budget_full_year and f.executed is not None:
            rate = f.executed / f.budget_full_year * 100
        if rate is None:
            return
        expected = round(min(rate / self.settings["full_marks_at"], 1.0) * f.weight, 2)
        if abs(f.score - expected) > self.settings["tolerance"]:
            yield self.finding(form, f"预算执行得分 {f.score:g}，按规则应为 {expected:g}"
                                     f"（执行率 {rate:.2f}% × 分值 {f.weight:g}）", source=f.source,
                               field="score", evidence={"stated": f.score, "computed": expected},
                               suggestion=f"预算执行率得分应为 {expected:g}。")


@register
class FundsParts(Rule):
    """年度资金总额 is not the sum of 当年财政拨款, 上年结转资金 and 其他资金.

    Anti-pattern:
        年度资金总额 1,200,000 | 当年财政拨款 1,000,000 | 上年结转 100,000
    Best practice:
        年度资金总额 1,100,000 = 1,000,000 + 100,000
    """

    code, name, level = "PC305", "funds-parts", "warning"
    options = {"tolerance": float}

    def check(self, form, ctx):
        f = form.funds
        if not f.parts:
            return
        for attr, label in (("budget_initial", "年初预算数"), ("budget_full_year", "全年预算数"),
                            ("executed", "全年执行数")):
            total = getattr(f, attr)
            parts = [getattr(p, attr) for p in f.parts.values()]
            if total is None or all(p is None for p in parts):
                continue
            summed = sum(p for p in parts if p is not None)
            if abs(total - summed) > self.settings["tolerance"]:
                yield self.finding(form, f"{label}：年度资金总额 {total:,.2f} ≠ 各来源之和 {summed:,.2f}",
                                   source=f.source, field=attr,
                                   evidence={"stated": total, "computed": summed},
                                   suggestion="核对资金来源各行之和是否等于年度资金总额。")
