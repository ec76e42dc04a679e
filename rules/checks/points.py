"""Points: where an indicator lost points, and whether its score fits its target and weight."""
from __future__ import annotations

from rules.engine import Rule, register
from rules.judgement import (expected_score, judge, not_applicable, reading_doubt, says_nothing,
                             stated_result)


def _pts(x: float) -> str:
    return f"{x:g}"


def _points_doubt(ind) -> str | None:
    """Why 分值/得分 of this row cannot be trusted, or None."""
    return reading_doubt(ind, ("weight", "score"))


def _judgement_doubt(j) -> str | None:
    return None if j.certain else f"判断依据不确定：{j.how or '按文字或推定的单位、方向判断'}"


@register
class LostPoints(Rule):
    """Indicator lost points: 得分 is below 分值.

    Anti-pattern:
        故障处理结案率 | =100% | =99.11% | 分值 10 | 得分 9
    Best practice:
        Every lost point is listed for the reviewer, with the explanation the author gave.
    """

    code, name, level = "PC101", "lost-points", "info"

    def check(self, form, ctx):
        for ind in form.indicators:
            if _points_doubt(ind):
                continue  # a misread score is not a lost point
            if stated_result(ind.extra.get("completion", "")) == "met":
                continue  # the form itself says 完成: the lower score contradicts it (PC104 says so)
            if ind.weight is not None and ind.score is not None and 0 <= ind.score < ind.weight:
                yield self.finding(
                    form, f"{ind.indicator} 扣 {_pts(ind.lost_points)} 分（分值 {_pts(ind.weight)}，得分 {_pts(ind.score)}；"
                          f"目标 {ind.target or '—'}，实际 {ind.actual or '—'}）",
                    indicator=ind, field="score", evidence={"lost_points": ind.lost_points,
                                                            "explanation": ind.explanation})


@register
class ScoreAboveWeight(Rule):
    """得分 is above 分值.

    Anti-pattern:
        用户满意度 | 分值 5 | 得分 6
    Best practice:
        An indicator scores at most its weight: 用户满意度 | 分值 5 | 得分 5
    """

    code, name, level = "PC102", "score-above-weight", "error"

    def check(self, form, ctx):
        for ind in form.indicators:
            # Half a hundredth is display rounding (分值 3.71 for 3.714), not a score above weight.
            if ind.weight is not None and ind.score is not None and ind.score > ind.weight + 0.005:
                yield self.finding(form, f"{ind.indicator} 得分 {_pts(ind.score)} 高于分值 "
                                         f"{_pts(ind.weight)}", indicator=ind, field="score",
                                   suggestion="得分不能超过分值，请核对分值与得分。",
                                   doubt=_points_doubt(ind))


@register
class NegativeNumber(Rule):
    """分值 or 得分 is negative.

    Anti-pattern:
        培训人次 | 分值 10 | 得分 -2
    Best practice:
        Scores run from 0 to 分值: 培训人次 | 分值 10 | 得分 0
    """

    code, name, level = "PC103", "negative-score", "error"

    def check(self, form, ctx):
        for ind in form.indicators:
            for field, value in (("weight", ind.weight), ("score", ind.score)):
                if value is not None and value < 0:
                    label = "分值" if field == "weight" else "得分"
                    yield self.finding(form, f"{ind.indicator}：{label}为负数（{_pts(value)}）",
                                       indicator=ind, field=field, doubt=reading_doubt(ind, (field,)))


@register
class MetButDeducted(Rule):
    """Target met, yet points were deducted.

    Anti-pattern:
        培训覆盖率 | ≥95% | 97% | 分值 10 | 得分 8   (no reason given for the deduction)
    Best practice:
        Full marks when the target is met, or an explanation of what the deduction is for.
    """

    code, name, level = "PC104", "met-but-deducted", "warning"

    def check(self, form, ctx):
        for ind in form.indicators:
            if ind.lost_points <= 0 or _points_doubt(ind):
                continue
            j = judge(ind)
            # Only a certain "met": under-spending a cost read as a ceiling from the level alone,
            # or a bare number taking the target's unit, is too weak to call a deduction unfounded.
            if j.status == "met" and j.certain:
                yield self.finding(
                    form, f"{ind.indicator}：实际 {ind.actual} 已达到目标 {ind.target}，"
                          f"却扣了 {_pts(ind.lost_points)} 分",
                    indicator=ind, field="score", evidence={"judged": j.how},
                    suggestion="目标已完成却扣分：写明扣分依据（如质量、时效问题），或按完成情况给满分。")


def _missed_with_full_score(ind, j) -> bool:
    return j.status in ("missed", "partial") and ind.weight is not None and ind.score is not None \
        and ind.score >= ind.weight > 0


@register
class MissedButFullScore(Rule):
    """Target missed, yet full score.

    Anti-pattern:
        新增就业人数 | ≥4754人 | 4604人 | 分值 5 | 得分 5
    Best practice:
        Score by the scoring rule: 4604 / 4754 × 5 = 4.84
    """

    code, name, level = "PC105", "missed-but-full-score", "warning"

    def check(self, form, ctx):
        for ind in form.indicators:
            if _points_doubt(ind):
                continue
            j = judge(ind)
            if _missed_with_full_score(ind, j):
                yield self.finding(
                    form, f"{ind.indicator}：实际 {ind.actual} 未达到目标 {ind.target}，"
                          f"却得满分（{_pts(ind.score)}）",
                    indicator=ind, field="score", evidence={"judged": j.how},
                    doubt=_judgement_doubt(j),
                    suggestion="未完成目标不应得满分：按评分规则扣分并说明偏差原因。")


@register
class ScoreAboveRule(Rule):
    """Self-score above what the scoring rules give (自评分偏高).

    Anti-pattern:
        业务故障修复率 | =100% | =93.03% | 分值 10 | 得分 9.5   (B/A × 分值 = 9.30)
    Best practice:
        业务故障修复率 | =100% | =93.03% | 分值 10 | 得分 9.3
    """

    code, name, level = "PC106", "score-above-rule", "warning"
    options = {"tolerance": float, "partial_max": float, "missed_max": float}

    def check(self, form, ctx):
        bands = {"partial": (0.0, self.settings["partial_max"]), "missed": (0.0, self.settings["missed_max"])}
        for ind in form.indicators:
            if ind.score is None or ind.weight is None or ind.weight <= 0 or _points_doubt(ind):
                continue
            j = judge(ind)
            if _missed_with_full_score(ind, j):
                continue  # PC105 already says it; a second finding on one problem is noise
            expected = expected_score(ind, bands, j)
            if expected is None:
                continue
            value, how = expected
            if ind.score > value + self.settings["tolerance"] and ind.score <= ind.weight:
                yield self.finding(
                    form, f"{ind.indicator}：自评得分 {_pts(ind.score)} 高于按规则计算的 "
                          f"{value:.2f}（{how}；目标 {ind.target}，实际 {ind.actual}）",
                    indicator=ind, field="score",
                    evidence={"expected": value, "method": how, "judged": j.how},
                    doubt=_judgement_doubt(j) or (None if j.ratio is not None else
                                                  "定性指标按分档上限估算，各地分档不一"),
                    suggestion=f"按评分规则得分应不高于 {value:.2f}，请调整或说明加分依据。")


@register
class OverCompletion(Rule):
    """Large over-completion with no explanation: the target was likely set too low.

    Anti-pattern:
        直联业务占比 | ≥50% | 88% | (no explanation)
    Best practice:
        Explain the over-completion and raise next year's target: "新增线上渠道，下年度目标调整为85%".

    Only floors (more is better) in one measure count: a cost or incident count below its
    ceiling is not over-completion, and one more unit on a count of 1–3 is not a low target.
    """

    code, name, level = "PC107", "over-completion", "info"
    options = {"over_ratio": float}

    def check(self, form, ctx):
        ratio_limit = self.settings["over_ratio"]
        for ind in form.indicators:
            if says_nothing(ind.explanation) is None:
                continue
            j = judge(ind)
            if j.status != "met" or j.over is None or j.over < ratio_limit:
                continue
            if j.count and j.target_value <= 3 and j.actual_value - j.target_value <= 1:
                continue
            yield self.finding(
                form, f"{ind.indicator}：实际 {ind.actual} 是目标 {ind.target} 的 {j.over:.2f} 倍，"
                      f"未作说明", indicator=ind, field="explanation", evidence={"ratio": round(j.over, 3)},
                suggestion="大幅超额完成：说明原因，并考虑下年度提高指标值。")


@register
class NotApplicable(Rule):
    """Indicator marked not applicable (不适用): an indicator design problem.

    Anti-pattern:
        社会影响力 | 不断提高 | 该指标不适用 | 分值 1 | 得分 0
    Best practice:
        Set indicators the project can be measured by; drop or replace one that does not fit.
    """

    code, name, level = "PC108", "not-applicable", "warning"

    def check(self, form, ctx):
        for ind in form.indicators:
            if not_applicable(ind):
                yield self.finding(form, f"{ind.indicator} 标为不适用：{ind.actual}",
                                   indicator=ind, field="actual",
                                   suggestion="指标不适用说明绩效目标设置有问题：下年度替换为与项目产出直接相关、可量化的指标。")


@register
class MissedTarget(Rule):
    """Target missed in a template without per-row scores, so no points show the loss.

    Anti-pattern:
        路灯亮灯率 | ≥98% | 97.1% | (no 分值 column) — the shortfall is easy to overlook
    Best practice:
        Listed for the reviewer like a lost-point row, and explained in the form.
    """

    code, name, level = "PC109", "missed-target", "info"

    def check(self, form, ctx):
        for ind in form.indicators:
            if ind.weight is not None and ind.score is not None:
                continue  # PC101 and PC105 speak for scored rows
            j = judge(ind)
            if j.status in ("missed", "partial") and j.certain:
                yield self.finding(form, f"{ind.indicator} {'未完成' if j.status == 'missed' else '部分完成'}"
                                         f"目标（目标 {ind.target}，实际 {ind.actual}）",
                                   indicator=ind, field="actual", evidence={"judged": j.how})
