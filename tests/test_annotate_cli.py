"""`pianchai annotate`: FORM.checked.xlsx by default, only .xlsx written, comment boxes sized to
their text, and form-level findings (存在问题, 改进措施) on their own cell, not on the title."""
from __future__ import annotations

import openpyxl
from click.testing import CliRunner

import cli
from conftest import EXAMPLE
from reports.workbook import comment_size

FORM_LEVEL = "存在问题\t部分设备采购进度滞后，制度建设仍需完善，\n改进措施\t下一步将进一步加强管理。\n"


def _xlsx(path, text: str):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for line in text.splitlines():
        ws.append(line.split("\t"))
    wb.save(path)
    return path


def run(*args):
    return CliRunner().invoke(cli.main, ["annotate", *map(str, args), "--no-nlp"], catch_exceptions=False)


def test_default_output_is_beside_the_form_and_only_xlsx_is_written(tmp_path):
    form = tmp_path / "自评表.txt"
    form.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run(form)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "自评表.checked.xlsx").exists() and "已写入" in result.output
    refused = run(form, "-o", tmp_path / "x.csv")
    assert refused.exit_code == 2 and "只能写成 .xlsx" in refused.output
    assert not (tmp_path / "x.csv").exists()
    # and `check folder/` never reads the annotated copy back as a form
    check = CliRunner().invoke(cli.main, ["check", str(tmp_path), "--no-nlp"])
    assert "1 个文件" in check.output


def test_form_level_findings_sit_on_their_own_cell(tmp_path):
    src = _xlsx(tmp_path / "form.xlsx", EXAMPLE.read_text(encoding="utf-8") + FORM_LEVEL)
    assert run(src).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "form.checked.xlsx")
    ws = wb["自评表"]
    problems_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "存在问题")
    comment = ws.cell(problems_row, 2).comment
    assert comment is not None and "PC202" in comment.text and "存在问题在句中截断" in comment.text
    assert "problems" not in comment.text
    assert ws["A1"].comment is None or "PC202" not in ws["A1"].comment.text
    # a laid-out form (text input) does the same on its own sheet
    txt = tmp_path / "form2.txt"
    txt.write_text(EXAMPLE.read_text(encoding="utf-8") + FORM_LEVEL, encoding="utf-8")
    assert run(txt).exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "form2.checked.xlsx").worksheets[1]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "存在问题")
    assert "PC202" in ws.cell(row, 2).comment.text


def test_comment_boxes_fit_their_text():
    short_w, short_h = comment_size("[PC101 提示] 扣 1 分")
    long_text = "\n\n".join(["[PC404 警告] 慢病患者规范管理率：措施是口号，没有具体行动：“进一步加强”\n"
                             "→ 措施写明做什么、谁负责、何时完成、改到多少（如“次年3月底前完成剩余2家接口改造”）"] * 3)
    long_w, long_h = comment_size(long_text)
    assert short_w < long_w <= 480 and short_h < long_h
    # every wrapped line has its 17 px: 6 text lines of up to ~55 characters at ~30 a line, plus blanks
    assert long_h >= 17 * (6 * 2 + 2)
