"""Numbers and quantities as forms write them.

Funds cells read "7,549,020", "12,117,045.94", "１００", "—" or nothing; targets and actuals read
"≥95%", "<=4 小时", "≤30.00 元/月/平方米", "每月用户有效投诉≤5", "不少于20场". `parse_number`
gives a float or None; `parse_quantity` splits a target or actual into comparator, value and unit
while the form keeps the original text.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Comparators as written, mapped to one canonical sign. Word forms are common in newer templates.
_COMPARATORS = {
    ">=": "≥", "≥": "≥", "≧": "≥", "=>": "≥", "不低于": "≥", "不少于": "≥", "大于等于": "≥",
    "大于或等于": "≥", "达到": "≥", "至少": "≥",
    "<=": "≤", "≤": "≤", "≦": "≤", "=<": "≤", "不高于": "≤", "不超过": "≤", "小于等于": "≤",
    "小于或等于": "≤", "不多于": "≤", "控制在": "≤",
    "=": "=", "＝": "=", "==": "=", "等于": "=",
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
# Text around a number that still leaves the cell "just a quantity" (以上 in "95%以上", etc.).
_HARMLESS_REST = re.compile(r"^(以上|以下|以内|及以上|及以下|左右|\+|（含）|\(含\))?[。.，,]?$")


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
    s = normalize(text).replace(" ", "")
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

    def to_dict(self) -> dict | None:
        if self.value is None:
            return None
        return {"comparator": self.comparator, "value": self.value, "unit": self.unit}


@lru_cache(maxsize=65536)
def parse_quantity(text: str) -> Quantity:
    """Split "≥95%" into (≥, 95, %); qualitative text gives a Quantity with value None."""
    s = normalize(text)
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
    for suffix in ("及以上", "及以下", "以上", "以下", "以内", "左右"):
        if unit.endswith(suffix):
            unit, rest = unit[: -len(suffix)], suffix + rest
            break
    unit = unit.rstrip("+")
    clean = len(prefix.strip()) <= 8 and bool(_HARMLESS_REST.match(rest.strip())) and not re.search(r"\d", prefix)
    if rest.strip() in ("以上", "及以上") and comparator is None:
        comparator = "≥"
    elif rest.strip() in ("以下", "以内", "及以下") and comparator is None:
        comparator = "≤"
    return Quantity(comparator, value, unit, clean, repaired)
