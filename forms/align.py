"""Matching a row's cells to its header's columns by what each cell looks like.

Extracted rows do not keep their columns. A merged label cell is printed once for its group, so
later rows start further right; a blank cell at the end of a row disappears; a blank cell in the
middle may or may not; a header carries a spacer cell its rows don't have. So a row is matched to
the columns the way a reader does it: in order, each cell to the column whose contents it looks
like (a level label, a number, a percentage, a comparator and value with a unit, a date, a
sentence), skipping columns the row has no cell for. That is a monotone alignment, found by
dynamic programming over (cell, column) with the scores below.

Where two readings score within `DOUBT` of each other for a field, the field is doubtful: the
row is still read, but nothing certain may be built on that field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from forms.quantity import normalize, parse_number, parse_quantity
from forms.vocabulary import key, vocabulary

# Cell kinds.
EMPTY, DASH, LEVEL1, LEVEL2, SECTION, NUMBER, PERCENT, QUANTITY, COMPARATOR, UNIT, DATE, STATUS, \
    NUMTEXT, SHORT, TEXT, LEVEL12, STEM = range(17)

_DASHES = {"—", "–", "-", "－", "——", "/", "／", "…", "……", "\\", "-----"}
_COMPARATORS = {">=", "≥", "≧", "=>", "<=", "≤", "≦", "=<", "=", "＝", "═", "==", ">", "<", "＞", "＜",
                "定性", "定量", "正向", "反向", "增加", "减少", "不低于", "不高于", "不少于", "不超过"}
_STATUS = {"完成", "未完成", "已完成", "部分完成", "基本完成", "达成", "未达成", "部分达成", "达到", "未达到",
           "是", "否", "已达成", "已达到"}
_DATE = re.compile(
    r"^(?:20\d{2}\s*[.\-/年]\s*\d{1,2}(?:\s*[.\-/月]\s*\d{1,2}\s*日?)?\s*(?:月|日)?"
    r"|(?:20\d{2}年)?\d{1,2}月(?:\d{1,2}日)?(?:底|末|中旬|上旬|下旬|初)?)"
    r"\s*(?:之?前|以前|内|底前|完成|前完成|之前完成)?$")
WEIGHT_ONLY = re.compile(r"^[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)]$")
# A spreadsheet formula saved without its value ("=SUM(H8:H20)", "=G8*0.9"): a value is there, unread.
# Only arithmetic over cells counts: any other text starting with "=" is what the cell says.
FORMULA = re.compile(r"^=\s*(?:(?:SUM|AVERAGE|ROUND|ROUNDUP|ROUNDDOWN|PRODUCT|MIN|MAX|IF|SUMIF)\s*\("
                     r"|\$?[A-Z]{1,3}\$?\d+\s*(?:[-+*/]|$))", re.I)
# A number whose leading digits the extraction lost (".32"): a value is there, but not readable.
_LOST_DIGITS = re.compile(r"^[.．]\d+$")
_NUMTEXT = re.compile(r"^\s*\d+(?:\.\d+)?\s*分?\s*[（(]")
_SENTENCE = re.compile(r"[，,。；;！？:：]")
_QTY_PREFIX_OK = re.compile(r"^(?:约|共|累计|全年|不少于|不低于|不高于|不超过|达到|大于|小于|低于|高于|至少)?$")

# Fields whose cells may continue into the next cell (a long text split by the extractor).
MULTI_CELL = frozenset({"indicator", "explanation", "description", "reason", "method"})

# How well a cell kind fits a column (higher is better; about log-odds).
_N = -4.0  # does not fit
# Columns: EMPTY DASH LV1 LV2 SEC NUM PCT QTY CMP UNIT DATE STAT NUMTEXT SHORT TEXT LV12 STEM.
# N: does not fit. A label that is both levels (成本指标) leans to level 2, as older templates use it;
# a level-2 name without 指标 (服务对象满意度) may as well be an indicator's own name.
_FIT = {k: tuple(_N if v == "N" else float(v) for v in row.split()) for k, row in {
    "section": "0 0 -0.5 -1.5 2 N N N N N N N N -3 -3 -0.5 -2",
    "spacer": "0 0 -2 -2 -0.5 -1.5 -1.5 -1.5 -2 -2 -1.5 -2 -2 -1.5 -1.5 -2 -1.5",
    "label": "0 -1 0.5 0.5 0 N N N N N N N N 1 0.5 0.5 0.5",
    "level1": "0 -1 3 0.5 -1 N N N N N N N N -2 -3 2.4 0",
    "level2": "0 -1 0.5 3 -1 N N N N N N N N -1.5 -3 2.5 2",
    "indicator": "-0.5 -2 -1 -1.5 -2 -3 -2.5 -1.5 N -3 -0.5 -2 -2 2 1.5 -1 1",
    "description": "0 -1 -3 -3 -3 -2 -2 -2 -3 -3 -1 -3 -2 0.5 1.5 -3 0",
    "evidence": "0 -1 -3 -3 -3 -2 -2 -2 -3 -3 -1 -3 -2 0.5 1.5 -3 0",
    "comparator": "0 0 N N N -3 N -3 3 -2 -3 -3 N -3 N N N",
    "unit": "0 0 N N N -3 -3 -3 -3 3 -3 -3 N -1.5 N N N",
    "target": "0 0.5 -3 -3 -3 1.5 2 2.5 -1 -2 2 -0.5 -1 1 0.3 -3 -1",
    "actual": "0 0.5 -3 -3 -3 1.5 2 2.5 -1 -2 2 0.5 -1 1 0.3 -3 -1",
    "direction": "0 0 N N N -3 -3 -3 2 -2 -3 -3 N -1 -3 N N",
    "method": "0 0 N N N -2 -2 -2 N N -2 -3 -2 0 0.5 N -1",
    "completion": "0 0 N N N -3 -3 -3 N N -3 3 N -2 -3 N N",
    "weight": "0 0 N N N 2 -2 -3 N N N N -2 N N N N",
    "single_score": "0 0 N N N 2 -2 -3 N N N N -2 N N N N",
    "deduction": "0 0 N N N 2 -2 -3 N N N N -2 N N N N",
    "grade": "0 0 N N N -3 -3 -3 N N N -1 N 1.5 -3 N N",
    "score": "0 0 N N N 2 -2 -3 N N N -3 1.5 -3 -3 N N",
    "explanation": "0 0.5 -3 -3 -3 -1 -1 -1.5 -3 -3 -0.5 0 -1 0.5 2 -3 -1",
    # funds block
    "budget_initial": "0 0.5 N N N 2 -2 1 N N N N N -3 -3 N N",
    "budget_full_year": "0 0.5 N N N 2 -2 1 N N N N N -3 -3 N N",
    "executed": "0 0.5 N N N 2 -2 1 N N N N N -3 -3 N N",
    "available": "0 0.5 N N N 2 -2 1 N N N N N -3 -3 N N",
    "other_amount": "0 0.5 N N N 2 -2 1 N N N N N -3 -3 N N",
    "execution_rate": "0 0.5 N N N 1.8 2.5 -1 N N N N N -3 -3 N N",
    "reason": "0 0.5 -3 -3 -3 -1 -1 -1 -3 -3 -1 0 -1 0.5 2 -3 -1",
}.items()}
# Cost of a column with no cell in the row; a column at the end of the row costs less (blank cells
# at the end of a line are what extractors drop).
_SKIP = {"section": 0.0, "spacer": 0.0, "label": 2.0, "level1": 0.1, "level2": 0.1, "indicator": 1.5,
         "description": 0.6, "evidence": 0.3, "comparator": 0.6, "unit": 0.6, "direction": 0.4, "method": 0.4,
         "completion": 0.6, "target": 1.2, "actual": 1.2, "weight": 1.2, "single_score": 1.0, "deduction": 0.6, "grade": 0.3,
         "score": 1.2, "explanation": 0.3, "budget_initial": 1.0, "budget_full_year": 1.0,
         "executed": 1.0, "available": 1.0, "other_amount": 1.0, "execution_rate": 1.2, "reason": 0.2}
_TRAILING = 0.3
# Cost of a cell that belongs to no column: stacked level labels (an empty group) are common,
# a stray value is not.
_DROP = (0.6, 0.5, 0.8, 0.8, 0.3, 3.0, 3.0, 3.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0, 0.8, 1.0)
_CONTINUE = {"indicator": -1.0, "explanation": -0.2, "description": -0.3, "reason": -0.2, "method": -0.3}
# A score no larger than the weight just before it is the usual 分值 | 得分 pair.
_PAIR_BONUS, _PAIR_PENALTY = 1.0, -1.0
# A cell where earlier rows of the block had this column's value.
_SAME_PLACE = 1.0
DOUBT = 0.5


@dataclass(frozen=True, slots=True)
class Alignment:
    """Which cells went to which column: `cells[field]` are cell indices in order."""

    cells: dict[str, tuple[int, ...]]
    doubtful: frozenset[str]
    dropped: tuple[int, ...]
    score: float


_POINTS = re.compile(r"\d{1,3}(?:\.\d{1,2})?分")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:万元|元)?")
_ENUM_NAME = re.compile(r"\d{1,2}[.．、]\s*[\u4e00-\u9fff]")


def is_blank(cell: str) -> bool:
    """Empty or a dash: the form says there is no value (a value whose digits were lost is not)."""
    return not cell.strip() or cell.strip() in _DASHES


@lru_cache(maxsize=65536)
def classify(cell: str) -> int:
    """The kind of a cell's text, as a column expects it."""
    s = cell.strip()
    if not s:
        return EMPTY
    if s in _DASHES or _LOST_DIGITS.match(s) or FORMULA.match(s):
        return DASH
    v = vocabulary()
    k = key(s)
    if v.is_section_label(s):
        return SECTION
    if WEIGHT_ONLY.match(s):
        return LEVEL1           # "(50分)": a level-1 label whose name the extraction lost
    lv1 = v.level1_of(s) or v.level1_fuzzy(s)
    lv2 = v.level2_of(s) or v.level2_fuzzy(s)
    if lv1 or lv2:
        if lv2 and not lv1 and v.level2_is_stem(s):
            return STEM
        return LEVEL12 if lv1 and lv2 else LEVEL1 if lv1 else LEVEL2
    n = normalize(s).replace(" ", "")
    if "," in n and _THOUSANDS.fullmatch(n):
        n = s = n.replace(",", "")          # "2,600,000.00元": an amount, read as one
    if n in _COMPARATORS:
        return COMPARATOR
    if n in _STATUS:
        return STATUS
    if parse_number(n) is not None and (not n.endswith(("元", "分")) or _POINTS.fullmatch(n)):
        return PERCENT if n.endswith("%") else NUMBER      # "15分" in a 分值 cell is its number
    if _DATE.match(n):
        return DATE
    if _NUMTEXT.match(n):
        return NUMTEXT
    if v.is_unit(n):
        return UNIT
    if _ENUM_NAME.match(n):     # "1.肉牛养殖补助": a numbered name, not 1 of a unit "肉牛养殖补助"
        return SHORT if len(k) <= 16 and not _SENTENCE.search(s) else TEXT
    q = parse_quantity(s)
    if q.value is not None and q.clean and len(q.unit) <= 8:
        prefix = n.split(str(q.value).rstrip("0").rstrip(".").split(".")[0], 1)[0]
        if _QTY_PREFIX_OK.match(re.sub(r"[≥≤<>=≧≦＝═]", "", prefix)):
            return QUANTITY
    if len(k) <= 16 and not _SENTENCE.search(s):
        return SHORT
    return TEXT


def align(cells: list[str], columns: tuple[str, ...],
          positions: tuple[int | None, ...] | None = None, on_grid: bool = False) -> Alignment:
    """The best monotone matching of `cells` to `columns` (field names, "spacer" for unknown).

    `positions`, where known, gives for each column the cell index rows of this block put it at
    (learnt from an earlier row of the block): a cell there is read into that column more readily.
    `on_grid`: the cells start where the header's do (a whole table row, not the part after a
    row label), so a row that fits the header cell for cell is read in place (_in_place).
    """
    kinds = tuple(map(classify, cells))
    pairs = _pairs(cells, kinds)
    return _align(kinds, pairs, columns, positions, on_grid)


def _pairs(cells: list[str], kinds: tuple[int, ...]) -> tuple[int, ...]:
    """For each cell: 1 when it is a number no larger than the number just before it, -1 when
    larger, 0 otherwise (for the weight/score pair)."""
    out = [0] * len(cells)
    for i in range(1, len(cells)):
        if kinds[i] == NUMBER and kinds[i - 1] == NUMBER:
            a, b = parse_number(cells[i - 1]), parse_number(cells[i])
            out[i] = 1 if b <= a + 1e-9 else -1
    return tuple(out)


# columns of text told apart by place only (forms.interpret reads a text cell into the one above it)
TEXT_COLUMNS = frozenset(("method", "evidence", "explanation", "description"))


def _in_place(kinds: tuple[int, ...], columns: tuple[str, ...]) -> Alignment | None:
    """A row on the header's own grid: no more cells than columns, each filled cell under a column
    that takes its kind and none under a blank header cell. Its cells are where they stand; the
    alignment, made for rows that lost cells, could slide a short text into the name before it
    ("长效管理机制 | | 健全", blank grid columns where two tables' grids merged) or a 评分标准 text
    into the explanation beside it. Only for headers with blank columns or two text columns."""
    if ("spacer" not in columns and sum(c in TEXT_COLUMNS for c in columns) < 2) \
            or any(k != EMPTY for k in kinds[len(columns):]):
        return None
    cells: dict[str, tuple[int, ...]] = {}
    for j, (k, col) in enumerate(zip(kinds, columns)):
        if k == EMPTY:
            continue
        if col in ("spacer", "section") or _FIT[col][k] < 0.5 or col in cells:
            return None
        cells[col] = (j,)
    return Alignment(cells, frozenset(), (), 0.0)


@lru_cache(maxsize=16384)
def _align(kinds: tuple[int, ...], pairs: tuple[int, ...], columns: tuple[str, ...],
           positions: tuple[int | None, ...] | None, on_grid: bool = False) -> Alignment:
    n, m = len(kinds), len(columns)
    placed = _in_place(kinds, columns) if on_grid else None
    if placed is not None:
        return placed
    # trailing[i]: every cell from i on is empty, so a skipped column is a dropped blank.
    trailing = [False] * (n + 1)
    trailing[n] = True
    for i in range(n - 1, -1, -1):
        trailing[i] = trailing[i + 1] and kinds[i] == EMPTY
    fits = [_FIT.get(c, _FIT["spacer"]) for c in columns]
    skips = [_SKIP.get(c, 0.0) - 0.01 * j for j, c in enumerate(columns)]
    multi = [c in MULTI_CELL for c in columns]
    pair_at = [j > 0 and columns[j] == "score" and columns[j - 1] == "weight" for j in range(m)]
    NEG = float("-inf")

    def moves(i: int, j: int, f: int):
        """Transitions out of state (i cells used, j columns passed, f: cell i-1 went to column j-1)."""
        if i < n and j < m:
            gain = fits[j][kinds[i]]
            if positions is not None and positions[j] == i:
                gain += _SAME_PLACE
            if pair_at[j] and f and pairs[i]:
                gain += _PAIR_BONUS if pairs[i] > 0 else _PAIR_PENALTY
            yield ("assign", i + 1, j + 1, 1, gain)
        if i < n and f and j > 0 and multi[j - 1]:
            k = kinds[i]
            gain = 0.0 if k == EMPTY else fits[j - 1][k] + _CONTINUE[columns[j - 1]]
            yield ("cont", i + 1, j, 1, gain)
        if j < m:
            cost = skips[j] * (_TRAILING if trailing[i] else 1.0)
            yield ("skip", i, j + 1, 0, -cost)
        if i < n:
            yield ("drop", i + 1, j, 0, -_DROP[kinds[i]] if not trailing[i] else 0.0)

    # Forward pass (states in topological order: i, then j).
    fwd = {}
    back = {}
    fwd[(0, 0, 0)] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            for f in (0, 1):
                s = fwd.get((i, j, f))
                if s is None:
                    continue
                for move, i2, j2, f2, g in moves(i, j, f):
                    t = s + g
                    if t > fwd.get((i2, j2, f2), NEG):
                        fwd[(i2, j2, f2)] = t
                        back[(i2, j2, f2)] = (i, j, f, move)
    end = max(((n, m, f) for f in (0, 1) if (n, m, f) in fwd), key=lambda st: fwd[st])
    best = fwd[end]
    cells: dict[str, list[int]] = {}
    dropped: list[int] = []
    chosen: dict[int, int | None] = {}   # column -> first cell assigned (None: skipped)
    st = end
    while st != (0, 0, 0):
        i, j, f, move = back[st]
        if move == "assign":
            cells.setdefault(columns[j], []).insert(0, i)
            chosen[j] = i
        elif move == "cont":
            cells.setdefault(columns[j - 1], []).insert(0, i)
        elif move == "skip":
            chosen[j] = None
        elif move == "drop":
            dropped.insert(0, i)
        st = (i, j, f)

    # Backward pass: the best score from each state to the end, for the max-marginals.
    bwd = {}
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            for f in (0, 1):
                if i == n and j == m:
                    bwd[(i, j, f)] = 0.0
                    continue
                b = NEG
                for _, i2, j2, f2, g in moves(i, j, f):
                    r = bwd.get((i2, j2, f2), NEG)
                    if r + g > b:
                        b = r + g
                bwd[(i, j, f)] = b
    # A field is doubtful when a path that reads its column differently scores almost as well.
    def content(cell: int | None) -> int | None:
        return None if cell is None or kinds[cell] in (EMPTY, DASH) else cell

    alt: dict[int, float] = {}
    for (i, j, f), s in fwd.items():
        for move, i2, j2, f2, g in moves(i, j, f):
            if move not in ("assign", "skip"):
                continue
            picked = content(i if move == "assign" else None)
            if j in chosen and content(chosen[j]) != picked:
                total = s + g + bwd.get((i2, j2, f2), NEG)
                if total > alt.get(j, NEG):
                    alt[j] = total
    doubtful = frozenset(columns[j] for j, a in alt.items()
                         if a >= best - DOUBT and columns[j] not in ("spacer", "section"))
    return Alignment({k: tuple(v) for k, v in cells.items()}, doubtful, tuple(dropped), best)
