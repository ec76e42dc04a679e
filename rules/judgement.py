"""Was the target met? And what score do the national scoring rules give?

Numeric targets compare parsed values with their comparator. Qualitative targets (及时, 达标,
健全) compare words: an actual that repeats the target or affirms it ("有效保障") is met; one that
hedges or negates it ("不够及时", "较为健全", "部分完成") is partial; one that says it did not
happen ("未完成", "未达标") is missed.
"""
from __future__ import annotations

import re

from forms.model import Indicator
from forms.quantity import Quantity

# Names of indicators where less is better even when the target has no comparator.
_LOWER_IS_BETTER = re.compile(r"投诉|事故|差错|违规|违纪|死亡|发案|超标|中断|故障次数|故障发生|"
                              r"退回|返工|不合格|超支|损失|逾期|滞留|积压")
_NOT_APPLICABLE = re.compile(r"不适用|不涉及|无法考核|无法评价|不纳入")
_MISSED = re.compile(r"^(未|没有|尚未|无)|未完成|未达到|未达标|未实现|未开展|未启动|未按|没有完成|"
                     r"不达标|不合格|未通过|未能")
_PARTIAL = re.compile(r"不够|不足|有待|较为|基本|部分|大部分|部份|欠|滞后|延迟|延期|推迟|偏低|偏少|"
                      r"不太|不及时|不完全|尚需|仍需|还需|略有|一般|有所欠缺|不到位|待加强|待提高|待完善")
_NONE_HAPPENED = re.compile(r"未发生|无|零|没有发生|未出现")
_TOLERANCE = 1e-6


def not_applicable(ind: Indicator) -> bool:
    return bool(_NOT_APPLICABLE.search(ind.actual) or _NOT_APPLICABLE.search(ind.target))


def lower_is_better(ind: Indicator, target: Quantity | None = None) -> bool:
    t = target or ind.target_quantity
    if t.comparator in ("≤", "<"):
        return True
    if t.comparator in ("≥", ">"):
        return False
    name = ind.indicator
    if not _LOWER_IS_BETTER.search(name):
        return False
    # "投诉处理率" is a positive rate; "事故发生率" and "不合格率" are not.
    return not name.endswith("率") or bool(re.search(r"(发生|事故|投诉|差错|不合格|返工)率$", name))


def comparable(t: Quantity, a: Quantity) -> bool:
    """Both numeric, the actual a clean quantity, and units that agree (or one missing)."""
    if t.value is None or a.value is None or not a.clean:
        return False
    tu, au = t.unit.strip(), a.unit.strip()
    return not tu or not au or tu == au or tu.startswith(au) or au.startswith(tu)


def achievement(ind: Indicator) -> float | None:
    """B/A for positive indicators, A/B for negative ones (as a fraction), None if not numeric."""
    t, a = ind.target_quantity, ind.actual_quantity
    if not comparable(t, a):
        return None
    if lower_is_better(ind, t):
        if a.value <= t.value or a.value == 0:
            return 1.0
        return t.value / a.value if t.value > 0 else 0.0
    if t.value == 0:
        return 1.0 if a.value >= 0 else 0.0
    return a.value / t.value


def target_status(ind: Indicator) -> str:
    """One of met, partial, missed, not_applicable, unknown."""
    if not_applicable(ind):
        return "not_applicable"
    stated = ind.extra.get("completion", "").strip()  # Hebei's 单项指标完成情况: 完成 / 未完成
    if stated:
        if _MISSED.search(stated):
            return "missed"
        if _PARTIAL.search(stated):
            return "partial"
        if stated in ("完成", "已完成", "达成", "全部完成"):
            return "met"
    actual = ind.actual.strip()
    if not actual:
        return "unknown"
    t, a = ind.target_quantity, ind.actual_quantity
    if comparable(t, a):
        lower = lower_is_better(ind, t)
        tv, av = t.value, a.value
        cmp_ = t.comparator or ("≤" if lower else "≥")
        better = av < tv if lower else av > tv  # doing better than an "=" target still meets it
        ok = {
            "≥": av >= tv - _TOLERANCE, ">": av > tv, "≤": av <= tv + _TOLERANCE, "<": av < tv,
            "=": abs(av - tv) <= _TOLERANCE or better,
        }[cmp_]
        return "met" if ok else "missed"
    if t.value is not None and lower_is_better(ind, t) and _NONE_HAPPENED.search(actual):
        return "met"
    if t.value is None:
        return _qualitative(ind.target.strip(), actual)
    return "unknown"


def _qualitative(target: str, actual: str) -> str:
    if _MISSED.search(actual):
        return "missed"
    if _PARTIAL.search(actual):
        return "partial"
    if actual == target or (target and target in actual) or actual in ("完成", "已完成", "达标", "是",
                                                                      "全部完成", "按时完成", "及时"):
        return "met"
    return "unknown"


def expected_score(ind: Indicator, bands: dict[str, tuple[float, float]]) -> tuple[float, str] | None:
    """The highest score the scoring rules allow, and how it was computed, or None if unknown.

    Numeric: positive B/A × 分值, negative A/B × 分值, capped at 分值. Qualitative: the top of the
    band (达成 / 部分达成 / 未达成) the actual falls in.
    """
    if ind.weight is None:
        return None
    ratio = achievement(ind)
    if ratio is not None:
        ratio = min(ratio, 1.0)
        how = "A/B × 分值" if lower_is_better(ind) else "B/A × 分值"
        return round(ind.weight * ratio, 2), how
    status = target_status(ind)
    if status in ("partial", "missed"):
        band = "partial" if status == "partial" else "missed"
        low, high = bands[band]
        return round(ind.weight * high, 2), f"{'部分达成' if band == 'partial' else '未达成'} ≤ {high:.0%} × 分值"
    return None
