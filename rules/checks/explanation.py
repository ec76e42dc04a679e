"""Explanations: every row that lost points or missed its target needs one, and a whole one."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from rules.engine import Rule, needs_explanation, register
from rules.judgement import judge, reading_doubt, says_nothing

_ENDINGS_FILE = Path(__file__).resolve().parents[2] / "corpus" / "lexicons" / "cutoff_endings.txt"
_CLOSED = "。！？；.!?;）)”」』\"'…"


@cache
def _cutoff_endings() -> tuple[str, ...]:
    words = []
    for line in _ENDINGS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return tuple(sorted(words, key=len, reverse=True))


@cache
def _text_label(key: str) -> str:
    """The form's own name for a form-level text cell (存在问题, 改进措施, …), never the model's key."""
    import tomllib

    data = tomllib.loads((Path(__file__).resolve().parents[2] / "forms" / "vocabulary.toml")
                         .read_text(encoding="utf-8"))
    return data["form_texts"].get(key, ["表级说明"])[0]


def looks_cut_off(text: str) -> str | None:
    """The dangling ending if the text stops mid-sentence, else None.

    Authors often drop the final 。, so a missing full stop alone is not enough: the text must end
    on a comma or on a word that needs something after it ("提前", "将进一步", "的").
    """
    t = text.rstrip()
    if not t or t[-1] in _CLOSED:
        return None
    if t[-1] in "，,、：:（(“":
        return t[-1]
    for ending in _cutoff_endings():
        if t.endswith(ending):
            return ending
    return None


def _explained_elsewhere(ind, form) -> bool:
    """Another row's explanation names this row: one cell merged over several rows, read into
    the first of them."""
    name = "".join(ind.indicator.split())
    if len(name) < 4:
        return False
    return any(other is not ind and name in "".join(other.explanation.split())
               for other in form.indicators)


@register
class MissingExplanation(Rule):
    """Lost points or missed target, and no explanation (or one that says nothing).

    Anti-pattern:
        培训人次 | ≥800 | 612 | 分值 10 | 得分 7 | (empty, "无", "/", "详见自评报告")
    Best practice:
        培训人次 | … | "原定11月的两期培训因场地被征用取消；已改在次年3月补办两期。"

    An error when the form's own points show the loss; when only our reading of target and
    actual says the target was missed, a warning (info if that reading rests on an assumption).
    """

    code, name, level = "PC201", "missing-explanation", "error"

    def check(self, form, ctx):
        form_texts = [form.texts[k] for k in ("deviation", "problems", "measures") if form.texts.get(k, "").strip()]
        form_reason = None  # why the form-level cells explain nothing, on templates that have them
        if form_texts:
            empty = [says_nothing(t) for t in form_texts]
            if not all(empty):
                return  # the template explains at form level; PC4xx judge that text
            form_reason = empty[0]
        elif not any("explanation" in (i.source.cells if i.source else {}) for i in form.indicators):
            return  # no explanation column in this template: nothing the author could have filled
        for ind in form.indicators:
            if not needs_explanation(ind):
                continue
            reason = form_reason or says_nothing(ind.explanation)
            if reason is None or (reason == "未填写" and _explained_elsewhere(ind, form)):
                continue
            j = judge(ind)
            points_doubt = reading_doubt(ind, ("weight", "score"))
            if ind.lost_points > 0 and points_doubt is None:  # the form's own points show the loss
                why, level, doubt = f"扣 {ind.lost_points:g} 分", None, None
            elif j.status in ("missed", "partial"):  # only our reading of target and actual says so
                why, level = f"未完成目标（{ind.target} → {ind.actual}）", "warning"
                doubt = None if j.certain else f"判断依据不确定：{j.how}"
            else:  # lost points read with doubt
                why, level, doubt = f"扣 {ind.lost_points:g} 分", None, points_doubt
            doubt = doubt or reading_doubt(ind, ("explanation", "indicator"))  # a cell read out of place
            where = "表级偏差说明" if form_reason else "偏差说明"
            told = "未填写偏差原因分析及改进措施" if reason == "未填写" else f"{where}{reason}，等于未说明"
            yield self.finding(
                form, f"{ind.indicator} {why}，但{told}",
                indicator=ind, field="explanation", level=level, doubt=doubt,
                evidence={"explanation": ind.explanation, "judged": j.how},
                suggestion="写明未完成的具体原因（哪个环节、什么因素）和改进措施（做什么、谁负责、何时完成）。")


@register
class CutOffExplanation(Rule):
    """Explanation looks cut off mid-sentence.

    Anti-pattern:
        "部分合同签订较计划有所延迟。后续年度将加强合同管理工作，提前"
    Best practice:
        "…后续年度将于每年1月启动合同续签。" — check the cell was not truncated by the template.
    """

    code, name, level = "PC202", "cut-off-explanation", "warning"

    def check(self, form, ctx):
        for ind in form.indicators:
            ending = looks_cut_off(ind.explanation) if says_nothing(ind.explanation) is None else None
            if ending:
                yield self.finding(
                    form, f"{ind.indicator}：说明在句中截断（…{ind.explanation[-12:]}）",
                    indicator=ind, field="explanation", evidence={"ending": ending},
                    suggestion="说明被截断：检查单元格字数限制或导出，补全最后一句。")
        for key, text in form.texts.items():
            ending = looks_cut_off(text) if says_nothing(text) is None else None  # not a template prompt
            if ending:
                yield self.finding(form, f"{_text_label(key)}在句中截断（…{text[-12:]}）",
                                   source=form.text_sources.get(key), field="explanation", evidence={"ending": ending, "text": key},
                                   suggestion="补全被截断的说明。")
