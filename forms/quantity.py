"""Numbers, quantities, units and dates as forms write them.

Funds cells read "7,549,020", "12,117,045.94", "１００", "—" or nothing; targets and actuals read
"≥95%", "<=4 小时", "≤30.00 元/月/平方米", "每月用户有效投诉≤5", "不少于20场", "10月底前",
"2023.12". `parse_number` gives a float or None; `parse_quantity` splits a target or actual into
comparator, value and unit; `parse_unit` says which measure a unit belongs to and its size;
`parse_when` reads a date or deadline. These are parsed views: the form keeps the original text,
and readers do not depend on them.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

# Comparators as written, mapped to one canonical sign. Word forms are common in newer templates.
_COMPARATORS = {
    ">=": "≥", "≥": "≥", "≧": "≥", "=>": "≥", "不低于": "≥", "不少于": "≥", "大于等于": "≥",
    "大于或等于": "≥", "达到": "≥", "至少": "≥",
    "<=": "≤", "≤": "≤", "≦": "≤", "=<": "≤", "不高于": "≤", "不超过": "≤", "小于等于": "≤",
    "小于或等于": "≤", "不多于": "≤", "控制在": "≤",
    "=": "=", "＝": "=", "==": "=", "═": "=", "等于": "=",
    ">": ">", "大于": ">", "高于": ">", "超过": ">",
    "<": "<", "小于": "<", "低于": "<", "少于": "<",
}
_CMP_PATTERN = "|".join(sorted(map(re.escape, _COMPARATORS), key=len, reverse=True))
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_QUANTITY_RE = re.compile(
    rf"^(?P<prefix>.*?)(?P<cmp>{_CMP_PATTERN})?\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\d\s，,。；;、]*)\s*(?P<rest>.*)$",
    re.S,
)
_DASHES = {"—", "–", "-", "－", "——", "/", "／", "无", "N/A", "n/a", "——", "…", "……", "\\"}
# Words after a number that bound it rather than name its unit ("95%以上", "15%及其以下").
_BOUNDS = {"及其以上": "≥", "及以上": "≥", "以上": "≥", "及其以下": "≤", "及以下": "≤", "以下": "≤",
           "以内": "≤", "左右": None}
# Text around a number that still leaves the cell "just a quantity".
_HARMLESS_REST = re.compile(r"^(以上|以下|以内|及以上|及以下|及其以上|及其以下|左右|\+|（含）|\(含\))?[。.，,]?$")
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


def normalize(text: str) -> str:
    """NFKC (full-width digits and signs to ASCII), non-breaking spaces out, ends trimmed."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


def parse_number(text: str | float | int | None) -> float | None:
    """A number from a cell, or None for empty, dashes and non-numeric text.

    >>> parse_number("7,549,020"), parse_number("１００.５"), parse_number("—")
    (7549020.0, 100.5, None)
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    return _parse_number_text(text)


_DIGITS_APART = re.compile(r"\d\s+\d")
# digits grouped by spaces in threes ("1 234 567", "12 345 678.5"): at least two groups after the first
_SPACE_GROUPED = re.compile(r"[-+]?\d{1,3}(?: \d{3}){2,}(?:\.\d+)?%?")


@lru_cache(maxsize=65536)
def _parse_number_text(text: str) -> float | None:
    s = normalize(text)
    if " " in s and _DIGITS_APART.search(s) and not _SPACE_GROUPED.fullmatch(s.strip()):
        return None     # "650 628.9": two cells run together, or a number wrapped apart: no number to trust
    s = s.replace(" ", "")
    if not s or s in _DASHES:
        return None
    s = s.rstrip("元分")
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    if re.fullmatch(_NUMBER, s):
        value = float(s.replace(",", ""))
        return value if math.isfinite(value) else None   # 400 digits: no number a form means
    return None


@dataclass(frozen=True, slots=True)
class Unit:
    """Which measure a unit belongs to ("money", "percent", "人"…) and its size in the measure's
    base unit: 万元 is (money, 10000), ‰ is (percent, 0.1)."""

    measure: str
    factor: float


@cache
def _unit_table() -> dict[str, Unit]:
    table = {}
    for line in Path(__file__).with_name("units.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            unit, measure, factor = line.split()
            table[unit] = Unit(measure, float(factor))
    return table


# Measures of amounts (converted and compared as such); every other measure counts things.
AMOUNTS = frozenset({"money", "percent", "area", "length", "volume", "mass", "duration", "hours",
                     "workdays", "storage"})


@cache
def _count_measures() -> frozenset[str]:
    return frozenset(u.measure for u in _unit_table().values() if u.measure not in AMOUNTS)


def is_count(unit: Unit | None) -> bool:
    """A counting word of forms/units.txt (人, 户, 个, 次…), where one unit is one thing."""
    return unit is not None and unit.measure in _count_measures()


@lru_cache(maxsize=4096)
def parse_unit(text: str, known_only: bool = False) -> Unit | None:
    """The measure and size of a unit as written, None when there is none.

    "%(百分比)" is %; "万亩" is 10,000 亩; "元/月/平方米" is money per 月 per 平方米 (a measure of its
    own). A word not in forms/units.txt is a measure of its own, or None with `known_only`.
    """
    u = _BRACKETED.sub("", normalize(text)) or normalize(text).strip("()（）")
    u = u.replace(" ", "")
    if not u:
        return None
    head, _, per = u.partition("/")
    table = _unit_table()
    unit = table.get(head)
    if unit is None and len(head) > 1 and head[0] in "万亿" and head[1:] in table:
        base = table[head[1:]]
        unit = Unit(base.measure, base.factor * (1e4 if head[0] == "万" else 1e8))
    if unit is None:
        if known_only:
            return None
        unit = Unit(head, 1.0)
    return Unit(f"{unit.measure}/{per}", unit.factor) if per else unit


@dataclass(frozen=True, slots=True)
class Quantity:
    """A parsed target or actual: `comparator` (≥ ≤ = > < or None), `value`, `unit`.

    `clean` is true when the cell is essentially just this quantity (so comparing two values is
    meaningful); "2020年新增用户78211家" parses a number but is not clean. `repaired` marks a
    comparator restored from extraction damage ("290%" read for "≥90%").
    """

    comparator: str | None = None
    value: float | None = None
    unit: str = ""
    clean: bool = False
    repaired: bool = False

    @property
    def unit_of_measure(self) -> Unit | None:
        return parse_unit(self.unit)

    def to_dict(self) -> dict | None:
        if self.value is None:
            return None
        return {"comparator": self.comparator, "value": self.value, "unit": self.unit}


@lru_cache(maxsize=65536)
def parse_quantity(text: str) -> Quantity:
    """Split "≥95%" into (≥, 95, %); qualitative text gives a Quantity with value None."""
    s = _CJK_GAP.sub("", normalize(text))
    if not s:
        return Quantity()
    m = _QUANTITY_RE.match(s)
    if not m:
        return Quantity()
    prefix, cmp_, num, unit, rest = (m.group(g) or "" for g in ("prefix", "cmp", "num", "unit", "rest"))
    value = float(num.replace(",", ""))
    if not math.isfinite(value):
        return Quantity()
    comparator = _COMPARATORS.get(cmp_) if cmp_ else None
    repaired = False
    if comparator is None and unit.startswith("%") and 200 <= value <= 300 and num.startswith("2"):
        # "≥" often comes out of PDF extraction as "2": "290%" is "≥90%".
        comparator, value, repaired = "≥", float(num[1:]), True
    for suffix in sorted(_BOUNDS, key=len, reverse=True):
        if unit.endswith(suffix):
            unit, rest = unit[: -len(suffix)], suffix + rest
            break
    unit = unit.rstrip("+")
    clean = len(prefix.strip()) <= 8 and bool(_HARMLESS_REST.match(rest.strip())) and not re.search(r"\d", prefix)
    bound = _BOUNDS.get(rest.strip().rstrip("。.，,"))
    if comparator is None and bound:
        comparator = bound
    return Quantity(comparator, value, unit, clean, repaired)


@dataclass(frozen=True, slots=True)
class When:
    """A point in time read from a target or actual: "10月底前", "2023.12", "年底前", "8月".

    `year` is None when the text gives none. `month` and `day` give the latest day the text
    allows ("10月底前" → 31 October; "9月前" is read leniently as by the end of September, since
    forms use it both ways). `late` marks a text that says it came late ("延迟至11月完成").
    """

    year: int | None
    month: int
    day: int
    late: bool = False

    def not_after(self, other: "When") -> bool | None:
        """True if this is on or before `other`; None when this gives a year and `other` does not
        (which year a bare "年底前" means is not said). A year-less date takes `other`'s year."""
        if self.year is not None and other.year is None:
            return None
        year = self.year if self.year is not None else other.year
        return (year or 0, self.month, self.day) <= (other.year or 0, other.month, other.day)


_MONTH_END = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_Y = r"(?P<y>(?:19|20)\d{2})"
_M = r"(?P<m>1[0-2]|0?[1-9])"
_D = r"(?P<d>3[01]|[12]\d|0?[1-9])"
_WHEN_PATTERNS = (
    re.compile(rf"{_Y}\s*[年./\-]\s*{_M}(?!\d)\s*月?(?:\s*{_D}(?!\d)\s*[日号]?)?"),  # 2023年11月, 2023.12
    re.compile(rf"(?<![\d.个]){_M}\s*月份?(?:\s*{_D}\s*[日号])?"),            # 11月30日, 10月底
    re.compile(rf"{_Y}\s*年(?=\s*(?:底|末|内|年底|年末))"),                           # 2023年底
)
_YEAR_END = re.compile(r"年底|年末|年内|年度内|当年内|本年内")
_HALF = re.compile(r"(上|下)半年")
_QUARTER = re.compile(r"(?:第)?([一二三四1-4])季度")
_LATE = re.compile(r"延迟|推迟|延期|滞后|逾期|延至|推至|超期")
# What may stand around a date in a cell that is about time and nothing else.
_TIME_WORDS = re.compile(r"[\s,，。;；:：、]|之?前|以前|以内|内|底|末|中旬|上旬|下旬|截[止至]|为止|止|不晚于|"
                         r"完成|完工|竣工|开工|验收|交付|投入使用|使用|发放|拨付|兑付|到位|启动|实施|"
                         r"上线|运行|签订|结束|全部|按期|按时|如期|已|于|在|到|至|项目|任务|工作|"
                         r"延迟|推迟|延期|滞后|逾期|超期|完毕|前后|左右|份|底前|止前")


@lru_cache(maxsize=16384)
def parse_when(text: str) -> When | None:
    """A date or deadline when the cell is about time and nothing else, else None.

    >>> parse_when("10月底前"), parse_when("2023.12"), parse_when("3个月")
    (When(year=None, month=10, day=31, late=False), When(year=2023, month=12, day=31, late=False), None)
    """
    s = _CJK_GAP.sub("", normalize(text))
    if not s or len(s) > 30:
        return None
    year = month = day = None
    rest = s
    for pattern in _WHEN_PATTERNS:
        m = pattern.search(s)
        if m:
            g = m.groupdict()
            year = int(g["y"]) if g.get("y") else None
            month = int(g["m"]) if g.get("m") else 12
            day = int(g["d"]) if g.get("d") else None
            rest = s[:m.start()] + " " + s[m.end():]
            break
    else:
        for pattern, month_of in ((_YEAR_END, lambda m: 12), (_HALF, lambda m: 6 if m.group(1) == "上" else 12),
                                  (_QUARTER, lambda m: 3 * ("一二三四".find(m.group(1)) + 1 or int(m.group(1))))):
            m = pattern.search(s)
            if m:
                month, rest = month_of(m), s[:m.start()] + " " + s[m.end():]
                break
    if month is None or re.search(r"\d", rest) or _TIME_WORDS.sub("", rest):
        return None
    if day is None:
        day = _MONTH_END[month]
    return When(year, month, day, bool(_LATE.search(s)))
