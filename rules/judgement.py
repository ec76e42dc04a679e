"""Was the target met? Which way is better? What score do the national scoring rules allow?

A row is judged the way a careful reviewer reads it:
1. 不适用, or a stated 单项指标完成情况 (Hebei's 完成 / 未完成);
2. a date or deadline ("10月底前", "2023.12", "年底前") against the actual's date, or a
   timeliness word ("及时", "按期") against what the actual says;
3. two quantities of one measure (万元/元, %/‰, 万亩/亩 converted), compared in the better
   direction — from the comparator, the form's 指标方向, the indicator's name, then its level
   (rules/direction.txt); an unknown direction is not guessed;
4. a result written in words ("未完成", "基本达到", "已完成100%", "无"; rules/statements.txt).

What cannot be judged with confidence is "unknown", and rules stay quiet on it. A judgement that
rests on an assumption (a bare number taking the other side's unit, a direction read from a
generic word or the level) is made but marked not `certain`, so rules report it below warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from forms.model import Indicator
from forms.quantity import (AMOUNTS, Quantity, Unit, When, is_count, normalize, parse_quantity,
                            parse_unit, parse_when)
from rules.lexicon import sections

_TOLERANCE = 1e-6
_FIELDS_CN = {"target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "得分",
              "explanation": "偏差说明", "indicator": "指标名称"}
_NAME_BRACKETS = re.compile(r"[（(]([^（()）]{1,16})[)）]")
_COMPLETION = re.compile(r"^(?:已?完成|完成率|已完成率)(\d+(?:\.\d+)?)%$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one row's target: `status` is met, partial, missed, not_applicable or unknown.

    `certain` is true when neither the reading nor the comparison rests on an assumption. `how`
    says how it was judged or why it could not be (Chinese, shown in findings' evidence).
    `ratio` is the achievement (B/A when more is better, A/B when less is better) and `over` the
    actual against a floor target in the same measure (for over-completion); both None unless
    two quantities were compared.
    """

    status: str
    certain: bool = False
    how: str = ""
    ratio: float | None = None
    over: float | None = None
    lower_is_better: bool = False
    count: bool = False          # a count of things (人, 次, 个, or a bare whole number)
    target_value: float | None = None
    actual_value: float | None = None


def _unknown(how: str = "") -> Judgement:
    return Judgement("unknown", how=how)


@lru_cache(maxsize=16384)         # the same target and actual texts are asked for by every rule
def _compact(text: str) -> str:
    return _SPACES.sub("", normalize(text or ""))


@cache
def _statements() -> dict[str, tuple[str, ...]]:
    return sections("statements")


@cache
def _direction_words() -> dict[str, tuple[str, ...]]:
    return sections("direction")


def not_applicable(ind: Indicator) -> bool:
    words = _statements()["not-applicable"]
    return any(w in ind.actual or w in ind.target for w in words)


def stated_result(text: str, ceiling: bool = False) -> str | None:
    """met, partial or missed when the words of a cell state it, else None.

    `ceiling`: the target is a maximum (事故 ≤ 1, "无重大事故"), so "无" / "未发生…" meet it.
    """
    s = _compact(text).rstrip("。.;；")
    if not s:
        return None
    w = _statements()
    if any(s.startswith(x) for x in w["none"]):
        if ceiling:
            return "met"
        if s in w["none"]:
            return None  # "无" against a floor: nothing happened, or nothing to report — not said
    m = _COMPLETION.match(s)
    if m:
        return "met" if float(m.group(1)) >= 100 - _TOLERANCE else "partial"
    if any(x in s for x in w["missed"]) or s.startswith(w["missed-start"]):
        return "missed"
    if any(x in s for x in w["partial"]):
        return "partial"
    if s in w["met"]:
        return "met"
    return None


def name_unit(name: str) -> Unit | None:
    """A unit written in brackets in the indicator's name: "奖补资金兑付率(%)", "时限(月)",
    "公猪舍(≥**平方米)". Only units of forms/units.txt count: "(水稻)" is not a unit."""
    for m in _NAME_BRACKETS.finditer(normalize(name or "")):
        inner = re.sub(r"[≥≧>≤≦<=*＊\d.\s]", "", m.group(1))
        unit = parse_unit(inner, known_only=True) if inner else None
        if unit is not None:
            return unit
    return None


def _name_cue(name: str) -> tuple[str | None, str]:
    words = _direction_words()
    best = None  # (end, length, direction)
    for direction in ("lower", "higher"):
        for w in words[direction]:
            i = name.rfind(w)
            if i >= 0:
                cand = (i + len(w), len(w), direction)
                best = max(best, cand) if best else cand
    if best:
        return best[2], "name"
    if any(w in name for w in words["measure"]):
        return "higher", "name-generic"
    if any(w in name for w in words["delivery"]):
        return "higher", "name-verb"
    return None, ""


_REDUCTION = re.compile(r"下降|减少|降低|压减|减幅|降幅")


def direction(ind: Indicator, target: Quantity | None = None) -> tuple[str | None, str]:
    """("higher" | "lower" | None, where it was read): comparator, form (指标方向), name,
    name-generic, name-verb, level, or — last — unit: a whole count of people or things with no
    other cue is a number to deliver."""
    t = target or ind.target_quantity
    if t.comparator in ("≥", ">"):
        return "higher", "comparator"
    if t.comparator in ("≤", "<"):
        return "lower", "comparator"
    stated = ind.extra.get("direction", "") + ind.extra.get("comparator", "")  # 指标方向 / 指标性质
    if "正" in stated:
        return "higher", "form"
    if "反" in stated or "逆" in stated:
        return "lower", "form"
    if _REDUCTION.search(_compact(ind.target)) and _REDUCTION.search(_compact(ind.actual)):
        return "higher", "form"     # "较上年下降5%" → "下降3.2%": the numbers are reductions, more is better
    name = _compact(ind.indicator)
    for m in _NAME_BRACKETS.finditer(name):  # "公猪舍(≥**平方米)"
        if re.search(r"[≥≧>]", m.group(1)):
            return "higher", "name"
        if re.search(r"[≤≦<]", m.group(1)):
            return "lower", "name"
    found = _name_cue(name)
    if found[0]:
        return found
    words = _direction_words()
    for label in (ind.level2, ind.level1):
        label = _compact(label or "")
        if any(w in label for w in words["lower-level"]):
            return "lower", "level"
        if any(w in label for w in words["higher-level"]):
            return "higher", "level"
    if _counts_things(t):
        return "higher", "unit"
    return None, ""


def _counts_things(q: Quantity) -> bool:
    """A whole number of people or things (人, 户, 个, 次…): by convention a number to deliver."""
    return is_count(q.unit_of_measure) and q.value is not None and float(q.value).is_integer()


def lower_is_better(ind: Indicator, target: Quantity | None = None) -> bool:
    return direction(ind, target)[0] == "lower"


def _names_a_measure(ind: Indicator) -> bool:
    """The name says what a bare number counts: a unit in brackets, or a measuring word."""
    if name_unit(ind.indicator) is not None:
        return True
    return _name_cue(_compact(ind.indicator))[1] in ("name", "name-generic")


def reading_doubt(ind: Indicator, fields: tuple[str, ...] = ("target", "actual")) -> str | None:
    """Why the reading of these fields cannot be trusted, or None: the reader's own doubt, or a
    cross-check that makes the reading implausible."""
    bad = [f for f in fields if f in ind.doubtful]
    if bad:
        return "读取存疑：" + "、".join(_FIELDS_CN.get(f, f) for f in bad)
    if "actual" in fields and ind.weight is not None and ind.score is None:
        a = ind.actual_quantity
        if a.value is not None and not a.unit and abs(a.value - ind.weight) < _TOLERANCE:
            return "实际完成值与分值相同而得分缺失，疑似列错位"
    return None


def _digits_lost(t: Quantity, a: Quantity, ind: Indicator) -> bool:
    """The actual reads as the target with its leading digits stripped ("28" → "8", "250" →
    "50") on a row scored full marks: extraction damage, not a shortfall."""
    if ind.weight is None or ind.score is None or ind.score < ind.weight:
        return False
    tv, av = f"{t.value:g}", f"{a.value:g}"
    return len(av) < len(tv) and tv.endswith(av)


def _numeric(ind: Indicator, t: Quantity, a: Quantity) -> Judgement:
    # A bare value takes the row's 度量单位 column, else a unit written in the indicator's name.
    nu = parse_unit(ind.extra.get("unit", "")) or name_unit(ind.indicator)
    tu, au = t.unit_of_measure or nu, a.unit_of_measure or nu
    assumed = False
    if tu is None and au is None:
        if abs(t.value - a.value) <= _TOLERANCE:  # not a miss, but sure only if we know what it counts
            return Judgement("met", _names_a_measure(ind), "实际值与目标值相同", ratio=1.0,
                             target_value=t.value, actual_value=a.value, count=float(t.value).is_integer())
        if not _names_a_measure(ind):
            return _unknown("两边都是不带单位的数，指标名也未说明计量什么")
        tu = au = Unit("", 1.0)
    elif tu is None or au is None:
        tu = au = tu or au
        assumed = True
    if tu.measure != au.measure:
        return _unknown(f"计量单位不同（{t.unit or '无单位'}／{a.unit or '无单位'}），不作比较")
    tv, av = t.value * tu.factor, a.value * au.factor
    count = tu.measure not in AMOUNTS and float(t.value).is_integer()
    facts = dict(target_value=tv, actual_value=av, count=count)
    if abs(tv - av) <= _TOLERANCE * max(1.0, abs(tv)):
        return Judgement("met", not assumed, "实际值与目标值相同", ratio=1.0, **facts)
    way, source = direction(ind, t)
    if way is None:
        return _unknown("无法判断指标方向（没有≥/≤，指标名和层级也未说明）")
    lower = way == "lower"
    cmp_ = t.comparator or ("≤" if lower else "≥")
    better = av < tv if lower else av > tv
    ok = {"≥": av >= tv, ">": av > tv, "≤": av <= tv, "<": av < tv, "=": better}[cmp_]
    if lower:
        ratio = 1.0 if av <= tv or av == 0 else tv / av
    else:
        ratio = av / tv if tv > 0 else (1.0 if av >= tv else 0.0)
    over = av / tv if not lower and not assumed and tv > 0 and cmp_ in ("≥", ">", "=") else None
    certain = not assumed and source in ("comparator", "form", "name")
    how = f"{'越低越好' if lower else '越高越好'}（依据：{_SOURCE_CN[source]}）"
    if not ok:
        if assumed and tu.measure == "percent":
            return _unknown("实际值或目标值没有%，无法确定与百分比可比")
        if _digits_lost(t, a, ind):
            return _unknown("实际值像是目标值丢了首位数字，且该行得满分：疑似提取损坏")
    return Judgement("met" if ok else "missed", certain, how, ratio=ratio, over=over,
                     lower_is_better=lower, **facts)


_SOURCE_CN = {"comparator": "比较符", "form": "指标方向栏", "name": "指标名称", "name-generic": "指标名称",
              "name-verb": "指标名称", "level": "指标层级", "unit": "计数单位"}


def _timely(ind: Indicator, deadline: When | None) -> Judgement:
    """A target asking for a date (`deadline`) or for timeliness (deadline None)."""
    actual = ind.actual
    when = parse_when(actual)
    if when is not None and deadline is not None:
        on_time = when.not_after(deadline)
        if on_time is None:
            return _unknown("实际日期写了年份而期限没有，无法比较")
        if on_time and when.late:
            return _unknown("实际写明延迟，但日期并不晚于期限")
        return Judgement("met" if on_time else "partial", True,
                         f"期限 {_fmt(deadline)}，实际 {_fmt(when)}")
    said = stated_result(actual)
    if said is not None:
        return Judgement(said, True, "实际完成值的文字表述")
    return _unknown("时间目标，实际值没有可比的日期或结论")


def _fmt(w: When) -> str:
    return f"{w.year}年{w.month}月{w.day}日" if w.year else f"{w.month}月{w.day}日"


def _is_ceiling_text(target: str) -> bool:
    s = _compact(target)
    return any(s.startswith(w) for w in _statements()["negation"])


def _qualitative(target: str, actual: str) -> Judgement:
    said = stated_result(actual, ceiling=_is_ceiling_text(target))
    if said is not None:
        return Judgement(said, True, "实际完成值的文字表述")
    t, a = _compact(target), _compact(actual)
    if t and (a == t or t in a):
        return Judgement("met", False, "实际完成值复述了目标")
    q = parse_quantity(actual)
    if q.clean and q.value is not None and (q.unit_of_measure or Unit("", 1)).measure == "percent" \
            and q.value >= 100:
        return Judgement("met", False, "定性目标，实际写100%")
    return _unknown()


def judge(ind: Indicator) -> Judgement:
    """The verdict on one row; see the module docstring for the order of reading.

    Every rule asks for it, so verdicts are kept by what they depend on (the row's own texts,
    numbers and doubts), a few thousand at most."""
    k = (ind.indicator, ind.level1, ind.level2, ind.target, ind.actual, ind.weight, ind.score,
         ind.explanation, tuple(sorted(ind.extra.items())) if ind.extra else (), ind.doubtful)
    found = _JUDGED.get(k)
    if found is None:
        if len(_JUDGED) >= 4096:
            _JUDGED.clear()
        found = _JUDGED[k] = _judge(ind)
    return found


_JUDGED: dict[tuple, Judgement] = {}


def _judge(ind: Indicator) -> Judgement:
    if not_applicable(ind):
        return Judgement("not_applicable", True, "标为不适用")
    doubt = reading_doubt(ind)
    if doubt:
        return _unknown(doubt)
    target, actual = ind.target.strip(), ind.actual.strip()
    t, a = ind.target_quantity, ind.actual_quantity
    numeric = _numeric(ind, t, a) if t.value is not None and t.clean and a.value is not None \
        and a.clean and not parse_when(target) else None
    stated = ind.extra.get("completion", "").strip()
    said = stated_result(stated) if stated else None
    if said is not None:  # the form states it (Hebei 单项指标完成情况)
        agrees = numeric is not None and numeric.status == said
        return Judgement(said, True, f"单项指标完成情况：{stated}",
                         ratio=numeric.ratio if agrees else None, over=numeric.over if agrees else None,
                         lower_is_better=numeric.lower_is_better if agrees else False,
                         count=numeric.count if agrees else False)
    if not actual:
        return _unknown("实际完成值为空")
    deadline = parse_when(target)
    if deadline is not None or (t.value is None and any(w in _compact(target) for w in _statements()["on-time"])):
        return _timely(ind, deadline)
    if _COMPLETION.match(_compact(actual).rstrip("。.")) and (t.unit_of_measure is None
                                                              or t.unit_of_measure.measure != "percent"):
        said = stated_result(actual)
        return Judgement(said, False, "实际写明完成比例")
    if numeric is not None:
        return numeric
    if t.value is not None and t.clean:
        way, _ = direction(ind, t)
        ceiling = way == "lower" or (t.value == 0 and t.comparator in (None, "=", "≤"))
        said = stated_result(actual, ceiling=ceiling)
        if said is not None:
            return Judgement(said, True, "实际完成值的文字表述")
        return _unknown()
    if t.value is None:
        return _qualitative(target, actual)
    return _unknown()


def target_status(ind: Indicator) -> str:
    """One of met, partial, missed, not_applicable, unknown."""
    return judge(ind).status


def expected_score(ind: Indicator, bands: dict[str, tuple[float, float]],
                   j: Judgement | None = None) -> tuple[float, str] | None:
    """The highest score the scoring rules allow, and how it was computed, or None if unknown.

    Numeric: more-is-better B/A × 分值, less-is-better A/B × 分值, capped at 分值. Otherwise the top
    of the band (部分达成 / 未达成) the judgement falls in.
    """
    if ind.weight is None:
        return None
    j = j or judge(ind)
    if j.ratio is not None:
        how = "A/B × 分值" if j.lower_is_better else "B/A × 分值"
        return round(ind.weight * min(j.ratio, 1.0), 2), how
    if j.status in ("partial", "missed"):
        low, high = bands[j.status]
        return round(ind.weight * high, 2), f"{'部分达成' if j.status == 'partial' else '未达成'} ≤ {high:.0%} × 分值"
    return None


@cache
def _empty_phrases() -> dict[str, tuple[str, ...]]:
    return sections("empty_explanations")


@lru_cache(maxsize=16384)         # asked for each row by several rules and by the classifier step
def says_nothing(text: str) -> str | None:
    """Why an explanation explains nothing ("无", "/", "详见自评报告", a sentence denying any
    deviation), or None when it has content to judge. Blank text says nothing too."""
    s = _compact(text).strip("。.，,；;！!")
    if not s:
        return "未填写"
    words = _empty_phrases()
    if s in words["exact"]:
        return f"只写了“{s}”"
    one_clause = len(re.split(r"[，,。；;！!？?]", s)) == 1 and len(s) <= 40
    denial = next((w for w in words["denial"] if w in s), None)
    if denial and one_clause:
        return f"只声称没有偏差（“{denial}”）"
    if len(s) <= 80 and (any(w in s for w in words["prompt"]) or re.search(r"[（(]\s*\d+\s*字", s)):
        return "只有模板的填写提示"
    return None
