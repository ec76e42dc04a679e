"""reports.workbook.annotate and `pianchai annotate`: comments, fills, the findings sheet, links,
merged cells, the original's formatting kept, and the input never written."""
import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import webforms
from cli import main
from reports.workbook import FILLS, SHEET, AnnotateError, annotate
from rules.engine import Engine, Finding
from rules.run import check_file


def _check(path):
    r = check_file(str(path), Engine())     # rules only: fast, no classifier
    assert r.error is None, r.error
    return r


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


def test_xlsx_comments_fills_and_findings_sheet(tmp_path):
    src = webforms.write_xlsx(tmp_path / "form.xlsx")
    before = _digest(src)
    r = _check(src)
    out = tmp_path / "form.checked.xlsx"
    placed = annotate(src, r.findings, r.forms, out)
    assert _digest(src) == before                       # input untouched

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SHEET, "自评表"]
    ws = wb["自评表"]
    row = webforms.FIRST_INDICATOR_ROW + 2              # 图书上架及时率: lost points, no explanation
    expl = ws.cell(row, 9)
    assert expl.comment is not None and "PC201" in expl.comment.text
    assert _fill(expl) == FILLS["error"]
    score = ws.cell(row, 8)
    assert "PC101" in score.comment.text and _fill(score) == FILLS["info"]
    total = ws.cell(len(webforms.rows()), 8)           # the 总分 score cell, found by its value
    assert total.value == int(webforms.TOTAL_SCORE)
    assert "PC302" in total.comment.text and _fill(total) == FILLS["error"]

    # original formatting, merges and untouched cells survive
    assert ws.column_dimensions["I"].width == 48
    assert ws["A1"].font.bold and ws["A1"].font.sz == 14
    assert _fill(ws["D12"]) == "C6E0B4"
    assert {str(m) for m in ws.merged_cells.ranges} == set(webforms.merges(len(webforms.rows())))
    assert ws.cell(row, 4).comment is None

    # the findings sheet: one row per finding, errors first, each linking to its cell
    fs = wb[SHEET]
    body = list(fs.iter_rows(min_row=2, values_only=True))
    assert len(body) == len(placed) == len(r.all_findings())
    assert [b[2] for b in body] == sorted((b[2] for b in body), key=["error", "warning", "info"].index)
    links = {fs.cell(i, 4).hyperlink.location for i in range(2, fs.max_row + 1)}
    assert f"'自评表'!I{row}" in links
    assert f"'自评表'!H{len(webforms.rows())}" in links
    assert wb.active.title == SHEET


def test_text_input_is_laid_out_and_annotated(tmp_path):
    src = webforms.write_text(tmp_path / "form.txt")
    r = _check(src)
    out = tmp_path / "out.xlsx"
    placed = annotate(src, r.findings, r.forms, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == SHEET and len(wb.sheetnames) == 2
    ws = wb[wb.sheetnames[1]]
    header = [c.value for c in ws[6]]
    assert header[:8] == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                          "偏差原因分析及改进措施"]
    names = [ws.cell(i, 3).value for i in range(7, 7 + len(webforms.INDICATORS))]
    assert names == [i[2] for i in webforms.INDICATORS]
    # the row without an explanation carries the PC201 comment on its explanation cell
    row = 7 + 2
    assert ws.cell(row, 3).value == "图书上架及时率"
    assert "PC201" in ws.cell(row, 8).comment.text
    assert _fill(ws.cell(row, 8)) == FILLS["error"]
    # total row: weight and score, the PC302 comment on the score
    total = 7 + len(webforms.INDICATORS)
    assert ws.cell(total, 1).value == "总分" and "PC302" in ws.cell(total, 7).comment.text
    assert all(p.sheet == ws.title for p in placed)


def test_merged_target_goes_to_top_left_and_comments_merge(tmp_path):
    src = webforms.write_xlsx(tmp_path / "form.xlsx")
    r = _check(src)
    form = r.forms[0]
    # a finding pointing inside the merged project-name range B3:I3 (column E) and two on one cell
    inside = Finding("PC999", "warning", "inside a merge", "test", str(src), 0, sheet="自评表", line=3,
                     column=4, suggestion="写在左上角")
    twice = [Finding("PC998", "info", f"note {k}", "test", str(src), 0, sheet="自评表", line=3, column=1)
             for k in (1, 2)]
    out = tmp_path / "out.xlsx"
    placed = annotate(src, [[inside, *twice]], [form], out)
    assert [p.cell for p in placed] == ["B3", "B3", "B3"]
    ws = openpyxl.load_workbook(out)["自评表"]
    text = ws["B3"].comment.text
    assert "PC999" in text and "note 1" in text and "note 2" in text and "写在左上角" in text
    assert _fill(ws["B3"]) == FILLS["warning"]          # the worst level on the cell wins


def test_refuses_to_overwrite_input(tmp_path):
    src = webforms.write_xlsx(tmp_path / "form.xlsx")
    r = _check(src)
    before = _digest(src)
    with pytest.raises(AnnotateError):
        annotate(src, r.findings, r.forms, src)
    with pytest.raises(AnnotateError):
        annotate(src, r.findings, r.forms, tmp_path / "." / "form.xlsx")
    assert _digest(src) == before


def test_no_findings_still_writes_a_findings_sheet(tmp_path):
    src = webforms.write_text(tmp_path / "form.txt")
    r = _check(src)
    out = tmp_path / "out.xlsx"
    assert annotate(src, [[] for _ in r.forms], r.forms, out) == []
    fs = openpyxl.load_workbook(out)[SHEET]
    assert "未发现问题" in str(fs.cell(2, 7).value)


def test_cli_annotate(tmp_path):
    src = webforms.write_xlsx(tmp_path / "form.xlsx")
    out = tmp_path / "form.checked.xlsx"
    res = CliRunner().invoke(main, ["annotate", str(src), "-o", str(out), "--no-nlp"])
    assert res.exit_code == 1, res.output          # error-level findings → exit 1, like check
    assert out.exists() and "form.checked.xlsx" in res.output
    assert openpyxl.load_workbook(out).sheetnames[0] == SHEET

    same = CliRunner().invoke(main, ["annotate", str(src), "-o", str(src), "--no-nlp"])
    assert same.exit_code == 2 and "overwrite" in same.output

    bad = tmp_path / "bad.txt"
    bad.write_text("not a form at all\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["annotate", str(bad), "-o", str(tmp_path / "bad.xlsx"), "--no-nlp"])
    assert res.exit_code == 1 and "未找到自评表" in res.output
    assert not (tmp_path / "bad.xlsx").exists()


def test_total_found_through_a_formula_cached_value(tmp_path):
    """A total written as =SUM(...) (with the value Excel cached) still gets the PC302 comment."""
    import zipfile

    src = webforms.write_xlsx(tmp_path / "form.xlsx")
    n = len(webforms.rows())
    wb = openpyxl.load_workbook(src)
    wb["自评表"].cell(n, 8).value = "=SUM(H13:H17)"
    wb.save(src)
    # openpyxl writes no cached value; add one as Excel would (<v> after the formula)
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode()
    assert "<f>SUM(H13:H17)</f><v></v>" in xml or "<f>SUM(H13:H17)</f><v />" in xml
    xml = xml.replace("<f>SUM(H13:H17)</f><v></v>", f"<f>SUM(H13:H17)</f><v>{webforms.TOTAL_SCORE}</v>")
    xml = xml.replace("<f>SUM(H13:H17)</f><v />", f"<f>SUM(H13:H17)</f><v>{webforms.TOTAL_SCORE}</v>")
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    r = _check(src)
    assert any(f.code == "PC302" for f in r.all_findings())
    out = tmp_path / "out.xlsx"
    annotate(src, r.findings, r.forms, out)
    ws = openpyxl.load_workbook(out)["自评表"]
    assert ws.cell(n, 8).value == "=SUM(H13:H17)"          # the formula is kept
    assert "PC302" in ws.cell(n, 8).comment.text


def test_html_input_is_laid_out(tmp_path):
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in webforms.rows())
    src = tmp_path / "form.html"
    src.write_text(f"<html><body><table>{cells}</table></body></html>", encoding="utf-8")
    r = _check(src)
    out = tmp_path / "out.xlsx"
    placed = annotate(src, r.findings, r.forms, out)
    wb = openpyxl.load_workbook(out)
    assert len(wb.sheetnames) == 2 and placed
    assert any(p.finding.code == "PC201" and p.cell == "H9" for p in placed)


def test_two_forms_in_one_text_file_get_a_sheet_each(tmp_path):
    src = tmp_path / "two.txt"
    grids = [webforms.rows("社区图书室图书更新与流通服务"), webforms.rows("街道文化站设备购置")]
    src.write_text("\n\n".join("\n".join("\t".join(r) for r in g) for g in grids) + "\n", encoding="utf-8")
    r = _check(src)
    assert [f.project for f in r.forms] == ["社区图书室图书更新与流通服务", "街道文化站设备购置"]
    out = tmp_path / "out.xlsx"
    placed = annotate(src, r.findings, r.forms, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SHEET, "1 社区图书室图书更新与流通服务", "2 街道文化站设备购置"]
    for title in wb.sheetnames[1:]:
        assert "PC201" in wb[title]["H9"].comment.text
    assert {p.sheet for p in placed} == set(wb.sheetnames[1:])
