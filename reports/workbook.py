"""The annotated workbook: findings as cell comments and fills where the author works, in Excel.

For `.xlsx` input the ORIGINAL workbook is loaded (formatting, formulas and merges kept) and each
finding becomes a comment on the cell at fault — the explanation cell, the score cell, the total —
with the cell filled by the worst level on it. For any other format (text, xls, docx, pdf, html)
a new workbook lays out the parsed forms, one sheet per form, and is annotated the same way.
Either way a first sheet "pianchai" lists every finding with a link to its cell. The input file is
never written: the result goes to `out_path` only.

Consumes what the check pipeline produced (forms and their findings); never runs rules itself.
Every text written from a form or a finding stays text (reports.safe): a form's "=HYPERLINK(…)"
or "=100%" is shown as written, never run as a formula. The workbook is saved to a temporary name
and moved into place.
"""
from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from forms.model import Form, Indicator
from reports.safe import append_text_row, temp_beside, xlsx_text
from rules.engine import Finding

SHEET = "pianchai"
AUTHOR = "pianchai"
LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}
#: Fill colours by severity: error red, warning amber, info light blue.
FILLS = {"error": "FFB3B3", "warning": "FFD966", "info": "DDEBF7"}
LEVEL_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

# Columns of a laid-out form (non-xlsx input): field name → 1-based column.
LAYOUT_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                 "偏差原因分析及改进措施", "原文位置"]
LAYOUT_COLS = {"level1": 1, "level2": 2, "indicator": 3, "target": 4, "actual": 5, "weight": 6,
               "score": 7, "explanation": 8}
FUNDS_HEADER = ["项目资金（元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
FUNDS_COLS = {"budget_initial": 2, "budget_full_year": 3, "executed": 4, "weight": 5,
              "execution_rate": 6, "score": 7}


class AnnotateError(ValueError):
    """A request annotate refuses (writing over the input, an unwritable target)."""


@dataclass
class Placed:
    """Where one finding landed: the sheet title and the cell coordinate (top-left of a merge)."""

    finding: Finding
    sheet: str
    cell: str

    @property
    def ref(self) -> str:
        return f"{quote_sheet(self.sheet)}!{self.cell}"


def default_output(form: str | os.PathLike) -> str:
    """Where `annotate FORM` writes when not told: FORM's name with .checked.xlsx, beside it."""
    p = Path(form)
    return str(p.with_name(f"{p.stem}.checked.xlsx"))


def quote_sheet(title: str) -> str:
    """A sheet name as a formula/link reference wants it: 'It''s here'."""
    return "'" + title.replace("'", "''") + "'"


def annotate(path: str | os.PathLike, findings_by_form: Sequence[Sequence[Finding]],
             forms: Sequence[Form], out_path: str | os.PathLike) -> list[Placed]:
    """Write the annotated workbook for `path` to `out_path`; return where each finding landed.

    `forms` are the forms read from `path` and `findings_by_form` their findings, in the same
    order (as `rules.run.FileResult` holds them). Refuses to write over the input file.
    """
    src, out = Path(path), Path(out_path)
    if _same_file(src, out):
        raise AnnotateError(f"{out}: refusing to overwrite the input file; choose another output path")
    if len(findings_by_form) != len(forms):
        raise ValueError("findings_by_form and forms must have the same length")
    wb, placed = _annotated_workbook(src, findings_by_form, forms)
    try:
        tmp = temp_beside(out)
    except OSError as e:
        raise AnnotateError(f"{out}: cannot write: {e.strerror or e}") from None
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except OSError as e:
        raise AnnotateError(f"{out}: cannot write: {e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return placed


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _is_xlsx(path: Path) -> bool:
    from forms.sniff import sniff
    from forms.errors import FormError

    try:
        return sniff(str(path)) == "xlsx"
    except FormError:
        return False


def _annotated_workbook(src: Path, findings_by_form, forms):
    import openpyxl

    if _is_xlsx(src):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open(src, "rb") as fh:     # by content: an xlsx may be named .xls or .dat
                wb = openpyxl.load_workbook(fh)
        locate = _XlsxLocator(wb, forms, src)
    else:
        wb = openpyxl.Workbook()
        locate = _LayoutLocator(wb, forms)
    placed: list[Placed] = []
    for k, (form, findings) in enumerate(zip(forms, findings_by_form)):
        for f in findings:
            ws, row, col = locate(k, form, f)
            ws, row, col = _top_left(ws, row, col)
            placed.append(Placed(f, ws.title, f"{_col_letter(col)}{row}"))
    _mark_cells(wb, placed)
    _findings_sheet(wb, placed, src.name)
    return wb, placed


# ---- where a finding goes -----------------------------------------------------------------------

def _col_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _top_left(ws, row: int, col: int):
    """The top-left cell of the merged range holding (row, col), else the cell itself."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return ws, rng.min_row, rng.min_col
    return ws, row, col


def _num(v) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip().replace(",", "").rstrip("%")
        try:
            return float(s)
        except ValueError:
            return None
    return None


def _stated_value(form: Form, f: Finding):
    """The value the faulty cell holds, to find it in a row whose columns the reader didn't map."""
    if "stated" in f.evidence and _num(f.evidence["stated"]) is not None:
        return _num(f.evidence["stated"])
    if f.field in ("weight", "score", "grade") and f.line is not None and form.total.source is not None \
            and form.total.source.line == f.line:
        return _num(getattr(form.total, f.field))
    if f.field and form.funds.source is not None and form.funds.source.line == f.line:
        return _num(getattr(form.funds, f.field, None))
    return None


def _form_text_key(form: Form, f: Finding) -> str | None:
    """Which form-level text cell (存在问题, 改进措施, …) a finding with no row is about: the one
    its evidence names, else, for a judgement of the form's explanation, the first one written."""
    key = f.evidence.get("text")
    if key in form.texts:
        return key
    if f.indicator is None and f.field == "explanation":
        return next((k for k in ("deviation", "problems", "measures") if form.texts.get(k, "").strip()), None)
    return None


def _form_text_of(form: Form, f: Finding) -> str | None:
    key = _form_text_key(form, f)
    return form.texts[key] if key else None


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _cell_holding(ws, text: str) -> tuple[int, int] | None:
    """(row, column) of the cell whose text starts the way `text` does (a form-level text may be
    joined from several cells, so only its beginning is looked for)."""
    want = _squeeze(text)[:16]
    if not want:
        return None
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and want in _squeeze(cell.value):
                return cell.row, cell.column
    return None


class _XlsxLocator:
    """Finding → (worksheet, row, column) in the original workbook."""

    def __init__(self, wb, forms: Sequence[Form], path: Path):
        self.wb = wb
        self.forms = forms
        self.path = path
        self._values = None      # the same workbook with formulas' cached values, loaded if needed

    def __call__(self, k: int, form: Form, f: Finding):
        ws = self._sheet(form, f)
        if f.indicator is None and (text := _form_text_of(form, f)):
            hit = _cell_holding(self._value_sheet(ws), text)
            if hit is not None:
                return ws, hit[0], hit[1]
        row = f.line or (form.source.line if form.source and form.source.line else 1)
        if f.column is not None:
            return ws, row, f.column + 1
        col = self._column_in_row(self._value_sheet(ws), row, form, f)
        return ws, row, col

    def _value_sheet(self, ws):
        """`ws` as the reader saw it (formulas as their cached values), to find a value by content."""
        if not any(isinstance(c.value, str) and c.value.startswith("=") for c in ws._cells.values()):
            return ws
        if self._values is None:
            import openpyxl

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with open(self.path, "rb") as fh:
                    self._values = openpyxl.load_workbook(fh, data_only=True)
        return self._values[ws.title]

    def _sheet(self, form: Form, f: Finding):
        for name in (f.sheet, form.source.sheet if form.source else None):
            if name and name in self.wb.sheetnames:
                return self.wb[name]
        return self.wb.worksheets[0]

    @staticmethod
    def _column_in_row(ws, row: int, form: Form, f: Finding) -> int:
        """The column of the faulty value in `row`: the cell holding the stated value (last match,
        as totals sit at the right), else the first non-empty cell, else A."""
        want = _stated_value(form, f)
        first = None
        hit = None
        for cell in ws[row] if row <= ws.max_row else ():
            if cell.value is None or cell.value == "":
                continue
            first = first or cell.column
            if want is not None and _num(cell.value) is not None and abs(_num(cell.value) - want) < 1e-6:
                hit = cell.column
        return hit or first or 1


class _LayoutLocator:
    """Lays out each parsed form on its own sheet, then maps findings onto that layout."""

    def __init__(self, wb, forms: Sequence[Form]):
        self.wb = wb
        self.sheets: list = []
        self.rows: list[dict[int, tuple[str, int]]] = []   # per form: source line → (kind, row)
        first = wb.active
        used: set[str] = set()
        for k, form in enumerate(forms):
            ws = first if k == 0 else wb.create_sheet()
            ws.title = _sheet_title(form, k, used)
            self.sheets.append(ws)
            self.rows.append(_lay_out(ws, form))

    def __call__(self, k: int, form: Form, f: Finding):
        ws = self.sheets[k]
        lines = self.rows[k]
        if f.indicator is None and (key := _form_text_key(form, f)) and f"text:{key}" in lines:
            return ws, lines[f"text:{key}"][1], 2
        if f.line is not None and f.line in lines:
            kind, row = lines[f.line]
            cols = FUNDS_COLS if kind == "funds" else LAYOUT_COLS
            return ws, row, cols.get(f.field or "", 1 if kind != "indicator" else LAYOUT_COLS["indicator"])
        if f.indicator:
            for line, (kind, row) in lines.items():
                if kind == "indicator" and ws.cell(row, LAYOUT_COLS["indicator"]).value == f.indicator:
                    return ws, row, LAYOUT_COLS.get(f.field or "", LAYOUT_COLS["indicator"])
        return ws, 1, 1


def _sheet_title(form: Form, k: int, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", "", xlsx_text(form.project or ""))[:24].strip("' ") or f"表{k + 1}"
    title = f"{k + 1} {base}"[:31]
    n = 2
    while title in used or title == SHEET:
        title = f"{k + 1}-{n} {base}"[:31]
        n += 1
    used.add(title)
    return title


def _lay_out(ws, form: Form) -> dict[int, tuple[str, int]]:
    """Write one form: title, metadata, funds, header row, indicator rows, total, texts."""
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EDEDED")
    wrap = Alignment(wrap_text=True, vertical="top")
    rows: dict[int, tuple[str, int]] = {}
    year = f"（{form.year} 年度）" if form.year else ""
    append_text_row(ws, [f"财政项目支出绩效自评表{year}"])
    ws.cell(1, 1).font = Font(bold=True, size=13)
    if form.source is not None and form.source.line is not None:
        rows.setdefault(form.source.line, ("form", 1))
    append_text_row(ws, ["项目名称", form.project, "", "主管部门", form.department, "", "实施单位", form.implementer])
    fu = form.funds
    append_text_row(ws, FUNDS_HEADER)
    append_text_row(ws, ["年度资金总额", fu.budget_initial, fu.budget_full_year, fu.executed, fu.weight,
               fu.execution_rate, fu.score])
    if fu.source is not None and fu.source.line is not None:
        rows[fu.source.line] = ("funds", ws.max_row)
    append_text_row(ws, ["年度总体目标", form.goal_target, "", "", "实际完成情况", form.goal_actual])
    append_text_row(ws, LAYOUT_HEADER)
    header = ws.max_row
    for c in range(1, len(LAYOUT_HEADER) + 1):
        ws.cell(header, c).font = bold
        ws.cell(header, c).fill = head_fill
    for r in (2, 3, 5):
        ws.cell(r, 1).font = bold
    for ind in form.indicators:
        append_text_row(ws, _indicator_row(ind))
        if ind.source is not None and ind.source.line is not None:
            rows[ind.source.line] = ("indicator", ws.max_row)
        ws.cell(ws.max_row, LAYOUT_COLS["explanation"]).alignment = wrap
    append_text_row(ws, ["总分", "", "", "", "", form.total.weight, form.total.score, form.total.grade or ""])
    ws.cell(ws.max_row, 1).font = bold
    if form.total.source is not None and form.total.source.line is not None:
        rows[form.total.source.line] = ("total", ws.max_row)
    labels = {"deviation": "偏差原因分析", "problems": "存在问题", "measures": "改进措施",
              "conclusion": "评价结论"}
    for key, text in form.texts.items():
        append_text_row(ws, [labels.get(key, key), text])
        rows[f"text:{key}"] = ("text", ws.max_row)           # form-level findings point here
        ws.cell(ws.max_row, 2).alignment = wrap
    for col, width in zip("ABCDEFGHI", (14, 14, 24, 14, 14, 8, 8, 60, 18)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(header + 1, 1)
    return rows


def _indicator_row(ind: Indicator) -> list:
    where = ""
    if ind.source is not None:
        where = (f"{ind.source.sheet}:" if ind.source.sheet else "") + (
            f"{ind.source.line}" if ind.source.line is not None else "")
    return [ind.level1, ind.level2, ind.indicator, ind.target, ind.actual, ind.weight, ind.score,
            ind.explanation, where]


# ---- marking cells and the findings sheet ------------------------------------------------------

def _comment_text(findings: Iterable[Finding]) -> str:
    parts = []
    for f in findings:
        s = f"[{f.code} {LEVEL_ZH.get(f.level, f.level)}] {f.message}"
        if f.suggestion:
            s += f"\n→ {f.suggestion}"
        parts.append(s)
    return "\n\n".join(parts)


#: Comment boxes: between these widths (px), wrapped at the box width, 17 px a line at 11 pt.
COMMENT_MIN_W, COMMENT_MAX_W, COMMENT_LINE_H, COMMENT_MAX_H = 220, 480, 17, 900


def comment_size(text: str) -> tuple[int, int]:
    """A box that shows the whole comment: as wide as its longest line needs (a Chinese character
    is a full em, about 15 px at 11 pt), up to COMMENT_MAX_W, and tall enough for its lines once
    wrapped at that width."""
    from reports.html import text_width

    lines = text.split("\n")
    widest = max(text_width(line, 15) for line in lines)
    width = int(min(COMMENT_MAX_W, max(COMMENT_MIN_W, widest + 24)))
    room = width - 24
    wrapped = sum(max(1, -(-int(text_width(line, 15)) // room)) for line in lines)
    return width, int(min(COMMENT_MAX_H, 16 + COMMENT_LINE_H * wrapped))


def _mark_cells(wb, placed: list[Placed]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for p in placed:
        by_cell.setdefault((p.sheet, p.cell), []).append(p.finding)
    for (sheet, coord), findings in by_cell.items():
        findings.sort(key=lambda f: (LEVEL_ORDER.get(f.level, 9), f.code))
        cell = wb[sheet][coord]
        text = _comment_text(findings)
        if cell.comment is not None and cell.comment.text:
            text = cell.comment.text.rstrip() + "\n\n" + text
        width, height = comment_size(text)
        comment = Comment(xlsx_text(text), AUTHOR, width=width, height=height)
        cell.comment = comment
        worst = findings[0].level
        color = FILLS.get(worst)
        if color:
            cell.fill = PatternFill("solid", fgColor=color)


def _findings_sheet(wb, placed: list[Placed], file_name: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    title = SHEET
    n = 2
    while title in wb.sheetnames:
        title = f"{SHEET} ({n})"
        n += 1
    ws = wb.create_sheet(title, 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0
    header = ["序号", "代码", "级别", "位置", "项目", "指标", "问题", "建议"]
    append_text_row(ws, header)
    for c in range(1, len(header) + 1):
        ws.cell(1, c).font = Font(bold=True)
        ws.cell(1, c).fill = PatternFill("solid", fgColor="EDEDED")
    order = sorted(range(len(placed)), key=lambda i: (LEVEL_ORDER.get(placed[i].finding.level, 9), i))
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, i in enumerate(order, 1):
        p = placed[i]
        f = p.finding
        append_text_row(ws, [n, f.code, f.level, f"{p.sheet}!{p.cell}", f.project, f.indicator or "",
                   f.message, f.suggestion or ""])
        r = ws.max_row
        link = ws.cell(r, 4)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=p.ref, display=link.value)
        link.font = Font(color="0563C1", underline="single")
        color = FILLS.get(f.level)
        if color:
            ws.cell(r, 3).fill = PatternFill("solid", fgColor=color)
        for c in (7, 8):
            ws.cell(r, c).alignment = wrap
    if not placed:
        append_text_row(ws, ["", "", "", "", "", "", f"{file_name}: 未发现问题", ""])
    for col, width in zip("ABCDEFGH", (6, 8, 9, 16, 22, 18, 60, 50)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    if placed:
        ws.auto_filter.ref = f"A1:H{ws.max_row}"
