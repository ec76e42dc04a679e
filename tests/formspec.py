"""Test forms built at test time: a form description → a laid-out grid → xlsx/xls/docx/pdf/html/txt.

A *description* (tests/specs/<family>.json, one list of forms per template family) holds an
invented project: metadata, funds, goals, indicator rows and form-level texts. A *layout* (one
function per family below) places it in that template's columns — the facts of
../shared/docs/TEMPLATES.md — and returns a `FormSpec`: the preamble (title lines that documents
print above the table), the grid of cell texts with its merges, and the extraction the interpreter
should give (`expected`, in `Form.to_dict()` field names; keys left out are not asserted).

Renderers write one or several FormSpecs into one file. Merged cells are real merges in every
format (openpyxl/xlwt merged ranges, python-docx gridSpan/vMerge, reportlab SPAN, HTML
rowspan/colspan); the text rendering leaves "" under merges, as PDF text extraction does.
Nothing here is committed as a binary: tests call these into tmp_path.
"""
from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

SPECS_DIR = Path(__file__).parent / "specs"
FAMILIES = ("mof", "sichuan", "transfer", "hubei", "hunan", "hebei", "chongqing")


@dataclass
class FormSpec:
    id: str
    family: str
    preamble: list[str]
    rows: list[list[str]]                       # top-left texts; "" under merges
    merges: list[tuple[int, int, int, int]]     # (r0, c0, r1, c1), 0-based inclusive
    expected: dict = field(default_factory=dict)

    @property
    def width(self) -> int:
        return len(self.rows[0])

    def carried(self, merged: str = "repeat") -> list[list[str]]:
        """The grid as a reader returns it under a merge policy: "first" (top-left only),
        "down" (carried down the merge's first column) or "repeat" (in every covered cell)."""
        return _spread(self.rows, self.merges, merged)

    def sheet_rows(self) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
        """Rows and merges with the preamble as full-width merged rows on top (spreadsheets)."""
        n = len(self.preamble)
        rows = [[p] + [""] * (self.width - 1) for p in self.preamble] + [list(r) for r in self.rows]
        merges = [(i, 0, i, self.width - 1) for i in range(n)]
        merges += [(r0 + n, c0, r1 + n, c1) for r0, c0, r1, c1 in self.merges]
        return rows, merges


def _spread(rows, merges, merged: str) -> list[list[str]]:
    grid = [list(r) for r in rows]
    for r0, c0, r1, c1 in merges:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if merged == "repeat" or (merged == "down" and c == c0):
                    grid[r][c] = grid[r0][c0]
    return grid


# ---------------------------------------------------------------------------------------------
# Building grids

class _Grid:
    def __init__(self, width: int):
        self.width = width
        self.rows: list[list[str]] = []
        self.merges: list[tuple[int, int, int, int]] = []

    def row(self, *cells) -> int:
        """Append a row; a cell is a text or (text, colspan). The last cell stretches to the edge."""
        r = len(self.rows)
        out: list[str] = []
        for k, cell in enumerate(cells):
            text, span = cell if isinstance(cell, tuple) else (cell, 1)
            if k == len(cells) - 1:
                span = max(span, self.width - len(out))
            if span > 1:
                self.merges.append((r, len(out), r, len(out) + span - 1))
            out.extend([_s(text)] + [""] * (span - 1))
        assert len(out) == self.width, (out, self.width)
        self.rows.append(out)
        return r

    def vmerge(self, r0: int, r1: int, c0: int, c1: int | None = None) -> None:
        c1 = c0 if c1 is None else c1
        if r1 > r0 or c1 > c0:
            # A vertical merge over cells that already span columns replaces those merges.
            self.merges = [m for m in self.merges if not (r0 <= m[0] <= r1 and c0 <= m[1] <= c1)]
            self.merges.append((r0, c0, r1, c1))
            for r in range(r0 + 1, r1 + 1):
                for c in range(c0, c1 + 1):
                    self.rows[r][c] = ""

    def level_merges(self, start: int, levels: list[tuple], cols: tuple[int, ...]) -> None:
        """Merge runs of equal level labels vertically (level 1 in cols[0], level 2 in cols[1])."""
        for depth, col in enumerate(cols):
            r = 0
            while r < len(levels):
                key = levels[r][: depth + 1]
                end = r
                while end + 1 < len(levels) and levels[end + 1][: depth + 1] == key:
                    end += 1
                self.vmerge(start + r, start + end, col)
                r = end + 1

    def spec(self, d: dict, preamble: list[str], expected: dict) -> FormSpec:
        return FormSpec(d["id"], d["family"], preamble, self.rows, self.merges, expected)


def _s(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _num(x):
    if x is None or x == "":
        return None
    v = float(x)
    return int(v) if v.is_integer() else v


def _ind(d: dict, **over) -> dict:
    e = {"level1": d.get("level1"), "level2": d.get("level2"), "indicator": d["indicator"],
         "target": d.get("target", ""), "actual": d.get("actual", ""),
         "weight": _num(d.get("weight")), "score": _num(d.get("score")),
         "explanation": d.get("explanation", "")}
    e.update(over)
    return e


def _split_ind(d: dict, **over) -> dict:
    """A row whose target is split into sign | value | unit: the form's text is their join; the
    actual stays as written (its unit is the row's unit), as published forms are read."""
    return _ind(d, target=f"{d['sign']}{d['value']}{d['unit']}", **over)


def _meta(d: dict) -> dict:
    return {k: d[k] for k in ("project", "year", "department", "implementer") if k in d}


# ---------------------------------------------------------------------------------------------
# Layouts: one per template family

def layout_mof(d: dict) -> FormSpec:
    """MOF: funds block, goals, 一级/二级/三级 with vertically merged levels, 总分 row."""
    W = 9
    g = _Grid(W)
    ab = d.get("ab_headers", False)
    g.row("项目名称", d["project"])
    g.row("主管部门", (d["department"], 3), "实施单位", d["implementer"])
    f = d["funds"]
    unit = d.get("funds_unit", "万元")
    r0 = g.row(f"项目资金（{unit}）", ("", 2), "年初预算数", "全年预算数（A）" if ab else "全年预算数",
               "全年执行数（B）" if ab else "全年执行数", "分值", "执行率（B/A）" if ab else "执行率", "得分")
    g.row("", ("年度资金总额", 2), f["budget_initial"], f["budget_full_year"], f["executed"],
          f["weight"], f["execution_rate"], f["score"])
    for label, key in (("其中：当年财政拨款", "current"), ("上年结转资金", "carried"), ("其他资金", "other")):
        part = f.get(key, ["", "", ""])
        g.row("", (label, 2), part[0], part[1], part[2], ("—", 3))
    g.vmerge(r0, r0 + 4, 0)
    r = g.row("年度总体目标", ("预期目标", 4), "实际完成情况")
    g.row("", (d["goal_target"], 4), d["goal_actual"])
    g.vmerge(r, r + 1, 0)
    head = g.row("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值（A）" if ab else "年度指标值",
                 "实际完成值（B）" if ab else "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
    inds = d["indicators"]
    for i in inds:
        g.row("", i["level1"], i["level2"], i["indicator"], i["target"], i["actual"], i["weight"],
              i["score"], i.get("explanation", ""))
    g.level_merges(head + 1, [(i["level1"], i["level2"]) for i in inds], (1, 2))
    g.vmerge(head, head + len(inds), 0)
    t = d["total"]
    g.row(("总分", 6), t["weight"], t["score"], t.get("grade", ""))
    expected = {**_meta(d), "funds": {"budget_initial": _num(_plain(f["budget_initial"])),
                                      "budget_full_year": _num(_plain(f["budget_full_year"])),
                                      "executed": _num(_plain(f["executed"])),
                                      "weight": _num(f["weight"]), "execution_rate": _num(f["execution_rate"]),
                                      "score": _num(f["score"])},
                "goal_target": d["goal_target"], "goal_actual": d["goal_actual"],
                "indicators": [_ind(i) for i in inds],
                "total": {"weight": _num(t["weight"]), "score": _num(t["score"])}}
    return g.spec(d, ["财政项目支出绩效自评表", f"（{d['year']}年度）"], expected)


def _plain(x) -> str:
    return str(x).replace(",", "")


def layout_sichuan(d: dict) -> FormSpec:
    """Sichuan: 权重, target split into 指标性质/指标值/度量单位, 未完成原因分析, form-level texts."""
    W = 10
    g = _Grid(W)
    g.row("项目名称", d["project"])
    g.row("主管部门", (d["department"], 4), "实施单位", d["implementer"])
    f = d["funds"]
    r = g.row(("预算执行情况（万元）", 3), "年初预算数", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因")
    g.row(("", 3), f["budget_initial"], f["budget_full_year"], f["executed"], f["execution_rate"],
          f["weight"], f["score"], f.get("reason", ""))
    g.vmerge(r, r + 1, 0, 2)
    r = g.row(("年度总体目标", 3), ("预期目标", 3), "实际完成情况")
    g.row(("", 3), (d["goal_target"], 3), d["goal_actual"])
    g.vmerge(r, r + 1, 0, 2)
    head = g.row("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
                 "未完成原因分析")
    inds = d["indicators"]
    for i in inds:
        g.row(i["level1"], i["level2"], i["indicator"], i["sign"], i["value"], i["unit"], i["actual"],
              i["weight"], i["score"], i.get("explanation", ""))
    g.level_merges(head + 1, [(i["level1"], i["level2"]) for i in inds], (0, 1))
    t = d["total"]
    g.row(("总分", 7), t["weight"], t["score"], "")
    texts = d["texts"]
    g.row(("评价结论", 3), texts["conclusion"])
    g.row(("存在问题", 3), texts["problems"])
    g.row(("改进措施", 3), texts["measures"])
    expected = {**_meta(d),
                "indicators": [_split_ind(i) for i in inds],
                "total": {"weight": _num(t["weight"]), "score": _num(t["score"])},
                "texts": dict(texts)}
    return g.spec(d, ["部门预算项目支出绩效自评表", f"（{d['year']}年度）"], expected)


def layout_transfer(d: dict) -> FormSpec:
    """Transfer payment: 分值 before 年度指标值, 全年实际值, 未完成原因及拟采取的改进措施."""
    W = 8
    g = _Grid(W)
    g.row("项目名称", d["project"])
    g.row("主管部门", (d["department"], 3), "实施单位", d["implementer"])
    f = d["funds"]
    r = g.row("资金情况（万元）", ("全年预算数", 2), ("全年执行数", 2), ("执行率", 3))
    g.row("", (f["budget_full_year"], 2), (f["executed"], 2), (f["execution_rate"], 3))
    g.vmerge(r, r + 1, 0)
    r = g.row("年度总体目标", ("预期目标", 3), "实际完成情况")
    g.row("", (d["goal_target"], 3), d["goal_actual"])
    g.vmerge(r, r + 1, 0)
    head = g.row("一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分",
                 "未完成原因及拟采取的改进措施")
    inds = d["indicators"]
    for i in inds:
        g.row(i["level1"], i["level2"], i["indicator"], i["weight"], i["target"], i["actual"], i["score"],
              i.get("explanation", ""))
    g.level_merges(head + 1, [(i["level1"], i["level2"]) for i in inds], (0, 1))
    t = d["total"]
    g.row(("总分", 3), t["weight"], ("", 2), t["score"], "")
    expected = {**_meta(d), "indicators": [_ind(i) for i in inds],
                "total": {"weight": _num(t["weight"]), "score": _num(t["score"])}}
    return g.spec(d, [f"{d['year']}年度中央对地方转移支付项目绩效目标自评表"], expected)


def layout_hubei(d: dict) -> FormSpec:
    """Hubei: no 分值 column, rate-scored budget, form-level 偏差 and 改进措施 cells."""
    W = 7
    g = _Grid(W)
    g.row("项目名称", d["project"])
    g.row("主管部门", (d["department"], 2), "实施单位", d["implementer"])
    f = d["funds"]
    r = g.row("预算执行情况（20分）", ("预算数（A）", 2), "执行数（B）", ("执行率（B/A）", 2), "得分")
    g.row("", (f["budget_full_year"], 2), f["executed"], (f["execution_rate"], 2), f["score"])
    g.vmerge(r, r + 1, 0)
    head = g.row("年度绩效目标（80分）", "一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "得分")
    inds = d["indicators"]
    for i in inds:
        g.row("", i["level1"], i["level2"], i["indicator"], i["target"], i["actual"], i["score"])
    g.level_merges(head + 1, [(i["level1"], i["level2"]) for i in inds], (1, 2))
    g.vmerge(head, head + len(inds), 0)
    texts = d["texts"]
    g.row(("偏差大或目标未完成原因分析", 2), texts["deviation"])
    g.row(("改进措施及结果应用方案", 2), texts["measures"])
    t = d["total"]
    g.row(("总分", 6), t["score"])
    expected = {**_meta(d), "indicators": [_ind(i, weight=None) for i in inds],
                "total": {"score": _num(t["score"])}, "texts": dict(texts)}
    return g.spec(d, ["项目支出绩效自评表", f"（{d['year']}年度）"], expected)


def layout_hunan(d: dict) -> FormSpec:
    """Hunan county special funds: no 分值 and no 得分; 未完成原因和改进措施 per row."""
    W = 6
    g = _Grid(W)
    g.row("项目名称", d["project"])
    g.row("主管部门", d["department"], "实施单位", (d["implementer"], 3))
    f = d["funds"]
    g.row("资金总额（万元）", f["budget_full_year"], "实际支出（万元）", f["executed"], "执行率", f["execution_rate"])
    head = g.row("一级指标", "二级指标", "三级指标", "年度指标值", "全年完成值", "未完成原因和改进措施")
    inds = d["indicators"]
    for i in inds:
        g.row(i["level1"], i["level2"], i["indicator"], i["target"], i["actual"], i.get("explanation", ""))
    g.level_merges(head + 1, [(i["level1"], i["level2"]) for i in inds], (0, 1))
    expected = {**_meta(d), "indicators": [_ind(i, weight=None, score=None) for i in inds]}
    return g.spec(d, [f"{d['year']}年度县级专项资金绩效目标自评表"], expected)


def layout_hebei(d: dict) -> FormSpec:
    """Hebei: numbered sections, description column, 符号|值|单位, 完成情况, 权重占比, 折算得分."""
    W = 11
    g = _Grid(W)
    g.row("一、基本情况")
    g.row("项目名称", (d["project"], 4), "主管部门", (d["department"], 2), "实施单位", d["implementer"])
    f = d["funds"]
    g.row("二、预算执行情况")
    g.row(("预算数", 2), ("到位数", 3), ("执行数", 3), "预算执行进度（%）")
    g.row((f["budget_full_year"], 2), (f["received"], 3), (f["executed"], 3), f["execution_rate"])
    g.row("三、绩效指标完成情况")
    head = g.row("一级指标", "二级指标", "三级指标", "指标解释", "符号", "值", "单位", "完成值", "单项指标完成情况",
                 "权重占比", "折算得分")
    inds = d["indicators"]
    for i in inds:
        g.row(i["level1"], i["level2"], i["indicator"], i.get("description", ""), i["sign"], i["value"], i["unit"],
              i["actual"], i["status"], i["weight"], i["score"])
    g.level_merges(head + 1, [(i["level1"], i["level2"]) for i in inds], (0, 1))
    t = d["total"]
    g.row(("总分", 9), t["weight"], t["score"])
    g.row("四、绩效自评结论", d["texts"]["conclusion"])
    expected = {**_meta(d),
                "indicators": [_split_ind(i) for i in inds],
                "total": {"weight": _num(t["weight"]), "score": _num(t["score"])}}
    return g.spec(d, [f"预算项目绩效自评表（{d['year']}年度）"], expected)


def layout_chongqing(d: dict) -> FormSpec:
    """Chongqing 部门整体: one flat list, no levels; unit before sign; 说明 per row."""
    W = 8
    g = _Grid(W)
    g.row("部门名称", (d["department"], 3), "填报单位", d["implementer"])
    g.row("指标名称", "计量单位", "指标性质", "指标值", "指标权重", "全年完成值", "指标得分", "说明")
    inds = d["indicators"]
    for i in inds:
        g.row(i["indicator"], i["unit"], i["sign"], i["value"], i["weight"], i["actual"], i["score"],
              i.get("explanation", ""))
    t = d["total"]
    g.row(("合计", 4), t["weight"], "", t["score"], "")
    # A 部门整体 form's subject is the department: its 部门名称 is the form's project.
    expected = {"year": d["year"], "project": d["department"],
                "indicators": [_split_ind(i, level1=None, level2=None) for i in inds],
                "total": {"weight": _num(t["weight"]), "score": _num(t["score"])}}
    return g.spec(d, [f"{d['year']}年度部门整体绩效自评表"], expected)


LAYOUTS = {"mof": layout_mof, "sichuan": layout_sichuan, "transfer": layout_transfer, "hubei": layout_hubei,
           "hunan": layout_hunan, "hebei": layout_hebei, "chongqing": layout_chongqing}


def load_specs(family: str | None = None) -> list[FormSpec]:
    """Every FormSpec described in tests/specs/*.json (or one family's)."""
    out = []
    for name in (FAMILIES if family is None else (family,)):
        for d in json.loads((SPECS_DIR / f"{name}.json").read_text(encoding="utf-8")):
            d.setdefault("family", name)
            out.append(LAYOUTS[name](d))
    return out


def spec(spec_id: str) -> FormSpec:
    for s in load_specs():
        if s.id == spec_id:
            return s
    raise KeyError(spec_id)


# ---------------------------------------------------------------------------------------------
# Renderers: each writes one or several forms into one file and returns the path.

_NUMERIC = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$")


def _cell_value(text: str):
    """Plain numbers as numbers, as a budget system's export writes them; anything else as text."""
    if _NUMERIC.match(text) and len(text) < 15:
        v = float(text)
        return int(v) if v.is_integer() else v
    return text


def to_xlsx(specs: list[FormSpec], path, one_sheet: bool = False) -> Path:
    """One sheet per form (sheet names = spec ids), or all stacked on one sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    offset = 0
    ws = None
    for s in specs:
        if ws is None or not one_sheet:
            ws = wb.create_sheet(s.id[:31])
            offset = 0
        rows, merges = s.sheet_rows()
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(start_row=r0 + 1 + offset, start_column=c0 + 1, end_row=r1 + 1 + offset,
                           end_column=c1 + 1)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text:
                    cell = ws.cell(r + 1 + offset, c + 1)
                    cell.value = _cell_value(text)
                    if text.startswith("="):
                        cell.data_type = "s"  # "=100%" is a target text, not a formula
        offset += len(rows) + 1
    wb.save(path)
    return Path(path)


def to_xls(specs: list[FormSpec], path) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for s in specs:
        ws = wb.add_sheet(s.id[:31])
        rows, merges = s.sheet_rows()
        covered = set()
        for r0, c0, r1, c1 in merges:
            ws.write_merge(r0, r1, c0, c1, _cell_value(rows[r0][c0]) if rows[r0][c0] else "")
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text and (r, c) not in covered:
                    ws.write(r, c, _cell_value(text))
    wb.save(str(path))
    return Path(path)


def to_docx(specs: list[FormSpec], path) -> Path:
    """Preamble as paragraphs, then the form as a Word table with real merges; a page break between."""
    import docx

    doc = docx.Document()
    for k, s in enumerate(specs):
        if k:
            doc.add_page_break()
        for p in s.preamble:
            doc.add_paragraph(p)
        table = doc.add_table(rows=len(s.rows), cols=s.width)
        table.style = "Table Grid"
        cells = [list(r.cells) for r in table.rows]
        for r0, c0, r1, c1 in s.merges:
            cells[r0][c0].merge(cells[r1][c1])
        cells = [list(r.cells) for r in table.rows]
        for r, row in enumerate(s.rows):
            for c, text in enumerate(row):
                if text:
                    cells[r][c].text = text
    doc.save(path)
    return Path(path)


def to_html(specs: list[FormSpec], path, encoding: str = "utf-8", declare: bool = True) -> Path:
    """Preamble as <h2>/<p>, each form a <table border=1> with rowspan/colspan."""
    out = ["<html><head>"]
    if declare:
        out.append(f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">')
    out.append("<title>自评表</title><style>td{border:1px solid}</style></head><body>")
    for s in specs:
        for k, p in enumerate(s.preamble):
            out.append(f"<h2>{_html.escape(p)}</h2>" if k == 0 else f"<p>{_html.escape(p)}</p>")
        starts = {(m[0], m[1]): m for m in s.merges}
        covered = {(r, c) for r0, c0, r1, c1 in s.merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                   if (r, c) != (r0, c0)}
        out.append('<table border="1" cellspacing="0">')
        for r, row in enumerate(s.rows):
            out.append("<tr>")
            for c, text in enumerate(row):
                if (r, c) in covered:
                    continue
                attrs = ""
                if (r, c) in starts:
                    r0, c0, r1, c1 = starts[(r, c)]
                    if r1 > r0:
                        attrs += f' rowspan="{r1 - r0 + 1}"'
                    if c1 > c0:
                        attrs += f' colspan="{c1 - c0 + 1}"'
                out.append(f"<td{attrs}>{_html.escape(text)}</td>")
            out.append("</tr>")
        out.append("</table>")
    out.append("</body></html>")
    Path(path).write_bytes("\n".join(out).encode(encoding))
    return Path(path)


def to_text(specs: list[FormSpec], path, encoding: str = "utf-8") -> Path:
    """Tab-separated, "" under merges (as PDF text extraction gives), a blank line between forms."""
    lines = []
    for s in specs:
        lines += [p + "\t" * (s.width - 1) for p in s.preamble]
        lines += ["\t".join(r) for r in s.rows]
        lines.append("")
    Path(path).write_bytes("\n".join(lines).encode(encoding))
    return Path(path)


_FONT = "STSong-Light"


def to_pdf(specs: list[FormSpec], path) -> Path:
    """A ruled reportlab table per form (CID font STSong-Light, no font file), one form per page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    cell = ParagraphStyle("cell", fontName=_FONT, fontSize=7, leading=9, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=_FONT, fontSize=12, leading=16, alignment=1)
    page_w = landscape(A4)[0] - 60
    story = []
    for k, s in enumerate(specs):
        if k:
            story.append(PageBreak())
        for p in s.preamble:
            story.append(Paragraph(_html.escape(p), title))
        data = [[Paragraph(_html.escape(t), cell) if t else "" for t in row] for row in s.rows]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("FONTNAME", (0, 0), (-1, -1), _FONT)]
        style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in s.merges]
        story.append(Table(data, colWidths=[page_w / s.width] * s.width, style=TableStyle(style)))
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=30, rightMargin=30, topMargin=30,
                      bottomMargin=30).build(story)
    return Path(path)


RENDERERS = {"xlsx": to_xlsx, "xls": to_xls, "docx": to_docx, "html": to_html, "text": to_text, "pdf": to_pdf}
SUFFIX = {"xlsx": ".xlsx", "xls": ".xls", "docx": ".docx", "html": ".html", "text": ".txt", "pdf": ".pdf"}


def render(specs: list[FormSpec] | FormSpec, fmt: str, folder, name: str | None = None) -> Path:
    """Write `specs` as `fmt` into `folder`; the file is named after the first spec unless `name`."""
    if isinstance(specs, FormSpec):
        specs = [specs]
    path = Path(folder) / ((name or specs[0].id) + SUFFIX[fmt])
    return RENDERERS[fmt](specs, path)
