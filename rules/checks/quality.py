"""Explanation quality, judged by the classifier: is there a cause, a measure, and are they
concrete? These rules run only when the engine is given a judge (not with --no-nlp).

Row explanations and the form's own explanation cells (原因分析 / 存在问题 / 改进措施, judged as one
text under key -1) go through the same model. A verdict the model is unsure of (its calibrated
probability is in the unsure band, `Verdict.unsure`) gives info, never a warning; a text the model
could not judge (not Chinese, a single character) gives PC405 at info.
"""
from __future__ import annotations

from rules.engine import Rule, register
from rules.judgement import says_nothing

_CAUSE_HINT = "写明哪个环节、什么因素导致未完成（事件、约束、依赖、决定），不要只复述完成值。"
_MEASURE_HINT = "措施写明做什么、谁负责、何时完成、改到多少（如“次年3月底前完成剩余2家接口改造”）。"
NOT_JUDGED = "unjudged"       # nlp.judge.NOT_JUDGED (rules do not import the classifier)
# the form's own cells that answer for every row, per axis (forms.model.Form.texts)
_FORM_CELLS = {"cause": ("deviation", "problems"), "measure": ("measures",)}


def _form_cell(form, axis: str) -> bool:
    """The form has its own cell for `axis` that says something ("无" is PC201's)."""
    return any(says_nothing(form.texts.get(k, "")) is None for k in _FORM_CELLS[axis])


class _VerdictRule(Rule):
    needs_nlp = True
    axis: str
    verdict_label: str

    def check(self, form, ctx):
        # Templates with a form-level cell for this axis ask rows for the other half only; the
        # form-level verdict (key -1) speaks only for the cells the form has.
        covered = _form_cell(form, self.axis)
        for key, verdict in ctx.verdicts.items():
            label = getattr(verdict, self.axis)
            if label != self.verdict_label or (covered if key >= 0 else not covered):
                continue
            p = getattr(verdict, f"{self.axis}_proba").get(label, 0.0)
            ind = form.indicators[key] if key >= 0 else None
            unsure = self.axis in verdict.unsure
            evidence = verdict.evidence
            vague = [v for v in evidence.get("vague", []) if v.get("axis") in (self.axis, None)]
            phrases = "、".join(f"“{v['phrase']}”" for v in vague[:3])
            what = ind.indicator if ind is not None else "表级偏差说明"
            message = self.describe(what, phrases)
            suggestion = next((v.get("suggestion") for v in vague if v.get("suggestion")), None) \
                or self.hint
            yield self.finding(form, message, indicator=ind, field="explanation", suggestion=suggestion,
                               doubt=f"分类器把握不大（概率 {p:.2f}）" if unsure else None,
                               evidence={"probability": round(p, 3), "unsure": unsure,
                                         "cause": verdict.cause, "measure": verdict.measure, "vague": vague,
                                         "clauses": evidence.get(f"{self.axis}_clauses", [])})


@register
class MissingCause(_VerdictRule):
    """Explanation gives no cause for the deviation.

    Anti-pattern:
        "下一步将加强督促，确保按期完成。"   (only a measure)
    Best practice:
        "两家供应商延期交货45天；次年起合同写明逾期违约金。"
    """

    code, name, level = "PC401", "missing-cause", "warning"
    axis, verdict_label, hint = "cause", "absent", _CAUSE_HINT

    def describe(self, what, phrases):
        return f"{what}：说明没有写原因"


@register
class MissingMeasure(_VerdictRule):
    """Explanation gives no corrective measure.

    Anti-pattern:
        "受汛期影响，停工45天。"   (cause only)
    Best practice:
        "受汛期影响停工45天；剩余工程量已列入次年一季度施工计划。"
    """

    code, name, level = "PC402", "missing-measure", "warning"
    axis, verdict_label, hint = "measure", "absent", _MEASURE_HINT

    def describe(self, what, phrases):
        return f"{what}：说明没有写改进措施"


@register
class VagueCause(_VerdictRule):
    """Cause is boilerplate or only restates the deviation.

    Anti-pattern:
        "由于客观原因，实际完成88%，未达到95%。"
    Best practice:
        "3个乡镇因征地纠纷延迟开工，完成88%。"
    """

    code, name, level = "PC403", "vague-cause", "warning"
    axis, verdict_label, hint = "cause", "generic", _CAUSE_HINT

    def describe(self, what, phrases):
        tail = f"：{phrases}" if phrases else ""
        return f"{what}：原因笼统或只复述了结果{tail}"


@register
class VagueMeasure(_VerdictRule):
    """Measure is a slogan with no concrete action.

    Anti-pattern:
        "下一步将进一步加强管理，加大督促力度。"
    Best practice:
        "每月5日前通报各单位进度，连续两月滞后的约谈负责人。"
    """

    code, name, level = "PC404", "vague-measure", "warning"
    axis, verdict_label, hint = "measure", "generic", _MEASURE_HINT

    def describe(self, what, phrases):
        tail = f"：{phrases}" if phrases else ""
        return f"{what}：措施是口号，没有具体行动{tail}"


@register
class UnjudgedExplanation(Rule):
    """Explanation could not be judged (not Chinese, or too short to read).

    Anti-pattern:
        "Delayed by the supplier."   (or a single character such as "是")
    Best practice:
        "供货商停产改型，设备延期交货；剩余46台已改用新型号，次年2月前装完。"
    """

    code, name, level = "PC405", "unjudged-explanation", "info"
    needs_nlp = True

    def check(self, form, ctx):
        for key, verdict in ctx.verdicts.items():
            if verdict.cause != NOT_JUDGED:
                continue
            ind = form.indicators[key] if key >= 0 else None
            what = ind.indicator if ind is not None else "表级偏差说明"
            why = verdict.evidence.get("not_judged", "无法判断")
            yield self.finding(form, f"{what}：说明未经判断（{why}）", indicator=ind, field="explanation",
                               suggestion="用中文写明偏差原因和改进措施。", evidence={"why": why})
