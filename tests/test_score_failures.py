"""`pianchai score` never makes a failure look like success: no input is an error, the files that
could not be scored are listed (first ten, then where the rest are), --resume reads a repaired file
again, and the exit code stays 1 while the output holds error rows. The workbook is made to be read:
Chinese headers, a frozen header row, filters, column widths, forms numbered from 1 and the
indicator's own row."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from conftest import EXAMPLE


def run(*args):
    return CliRunner().invoke(cli.main, ["score", *map(str, args), "--no-nlp", "--workers", "1"],
                              catch_exceptions=False)


def test_no_input_is_an_error_and_writes_nothing(tmp_path):
    out = tmp_path / "e.xlsx"
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "empty", "-o", out)
    assert result.exit_code == 2 and "没有可检查的文件" in result.output
    assert result.output.count("\n") == 1
    assert not out.exists() and not list(tmp_path.glob("e.xlsx*"))


def test_failed_files_are_listed_and_resume_reads_them_again(tmp_path):
    forms = tmp_path / "in"
    forms.mkdir()
    (forms / "good.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for k in range(12):
        (forms / f"bad{k:02d}.txt").write_text("会议纪要\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    first = run(forms, "-o", out)
    assert first.exit_code == 1
    lines = first.output.splitlines()
    assert "12 个文件未能评分：" in lines
    listed = [x for x in lines if x.startswith("  ") and "bad" in x]
    assert len(listed) == 10 and "[识别] 未找到自评表" in listed[0]
    assert any("另有 2 个，完整列表见" in x and "s.errors.csv" in x for x in lines)

    for k in range(12):                   # the author repairs every file but one
        if k:
            (forms / f"bad{k:02d}.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    second = run(forms, "-o", out, "--resume")
    assert second.exit_code == 1                       # bad00 is still an error row
    assert "其中 12 个上次出错、本次重试" in second.output and "1 个文件未能评分" in second.output
    with open(tmp_path / "s.errors.csv", encoding="utf-8-sig") as fh:
        errors = list(csv.DictReader(fh))
    assert [Path(e["file"]).name for e in errors] == ["bad00.txt"]
    with open(out, encoding="utf-8-sig") as fh:
        scored = [Path(r["file"]).name for r in csv.DictReader(fh)]
    assert sorted(scored) == sorted(["good.txt"] + [f"bad{k:02d}.txt" for k in range(1, 12)])

    (forms / "bad00.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    third = run(forms, "-o", out, "--resume")
    assert third.exit_code == 0 and "未能评分" not in third.output


def test_resume_retries_error_rows_in_xlsx_and_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    for name in ("s.xlsx", "s.parquet"):
        forms = tmp_path / name / ".." / f"in-{name}"
        forms = forms.resolve()
        forms.mkdir(parents=True)
        bad = forms / "bad.txt"
        bad.write_text("会议纪要\n", encoding="utf-8")
        out = tmp_path / name
        assert run(forms, "-o", out).exit_code == 1
        bad.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
        again = run(forms, "-o", out, "--resume")
        assert again.exit_code == 0, (name, again.output)
        from batch.sink import iter_output

        assert list(iter_output(str(out), "errors")) == []
        assert [r["project"] for r in iter_output(str(out), "forms")] == ["街道社区卫生服务站运行保障"]


def test_score_workbook_is_made_to_be_read(tmp_path):
    import openpyxl

    forms = tmp_path / "in"
    forms.mkdir()
    (forms / "a.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "s.xlsx"
    assert run(forms, "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["表", "指标", "错误", "重复说明"]
    ws = wb["指标"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["文件", "表序号", "工作表", "行号"] and "三级指标" in header
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["A"].width >= 30
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    first = next(r for r in rows if r["三级指标"] == "家庭医生签约人数")
    assert first["表序号"] == 1
    assert first["行号"] == 15           # the line the terminal report gives: file:15
    report = CliRunner().invoke(cli.main, ["check", str(forms / "a.txt"), "--no-nlp"]).output
    assert "a.txt:15  PC101" in report and "第 1 张表" in report
    english = CliRunner().invoke(cli.main, ["score", str(forms), "-o", str(tmp_path / "en.xlsx"),
                                            "--no-nlp", "--workers", "1", "--lang", "en"])
    assert english.exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "en.xlsx").sheetnames == ["forms", "indicators", "errors",
                                                                      "duplicates"]
