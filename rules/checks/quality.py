"""Explanation quality, judged by the classifier: is there a cause, a measure, and are they
concrete? These rules run only when the engine is given a judge (not with --no-nlp)."""
from __future__ import annotations

from rules.engine import Rule, register

_CAUSE_HINT = "写明哪个环节、什么因素导致未完成（事件、约束、依赖、决定），不要只复述完成值。"
_MEASURE_HINT = "措施写明做什么、谁负责、何时完成、改到多少（如“次年3月底前完成剩余2家接口改造”）。"


class _VerdictRule(Rule):
    needs_nlp = True
    options = {"warn_at": float}
    axis: str
    verdict_label: str

    def check(self, form, ctx):
        # Templates with a form-level 改进措施 (or 原因分析) cell ask rows for the other half only.
        covered = form.texts.get("measures" if self.axis == "measure" else "deviation")
        for key, verdict in ctx.verdicts.items():
            label = getattr(verdict, self.axis)
            if label != self.verdict_label or (covered and key >= 0):
                continue
            p = getattr(verdict, f"{self.axis}_proba").get(label, 0.0)
            ind = form.indicators[key] if key >= 0 else None
            level = "warning" if p >= self.settings["warn_at"] else "info"
            if self.effective_level != self.level:
                level = self.effective_level
            evidence = verdict.evidence
            vague = [v for v in evidence.get("vague", []) if v.get("axis") in (self.axis, None)]
            phrases = "、".join(f"“{v['phrase']}”" for v in vague[:3])
            what = ind.indicator if ind is not None else "表级偏差说明"
            message = self.describe(what, phrases)
            suggestion = next((v.get("suggestion") for v in vague if v.get("suggestion")), None) \
                or self.hint
            yield self.finding(form, message, indicator=ind, field="explanation", level=level,
                               suggestion=suggestion,
                               evidence={"probability": round(p, 3), "cause": verdict.cause,
                                         "measure": verdict.measure, "vague": vague,
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
