"""What pianchai writes from hostile text: no live formula in any workbook or CSV (genuine "=100%"
targets kept as text), output sets that survive a crash between their files, and a full disk that
ends in one clear line with nothing left behind."""
from __future__ import annotations

import csv
import errno
import json
import os
import warnings
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cases
from hostile_run import ROOT  # noqa: F401  (puts tests/ and tests/hostile on sys.path)

import cli
from batch import sink as sink_module
from batch.score import score
from batch.sink import OutputWriteError, iter_output

RISKY = ("=", "+", "-", "@", "\t", "\r")


def _no_formula(path: Path) -> list[str]:
    """Every text cell of the workbook, after asserting none of its cells is a formula."""
    wb = openpyxl.load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{ws.title}!{cell.coordinate}: {cell.value}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _csv_fields(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return [v for row in csv.reader(fh) for v in row]


def _assert_inert_csv(path: Path) -> None:
    for v in _csv_fields(path):
        assert not v.startswith(RISKY), f"{path.name}: {v!r} would run in a spreadsheet"


@pytest.fixture
def formulas(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return cases.text_formulas(folder)


@pytest.fixture
def formulas_xlsx(tmp_path) -> Path:
    """The same form as a workbook whose cells hold those texts as text (what Excel stores when an
    author types '=100%)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for r, line in enumerate(cases.text_formulas(tmp_path).read_text(encoding="utf-8").splitlines(), 1):
        for c, text in enumerate(line.split("\t"), 1):
            if text:
                cell = ws.cell(r, c, text)
                cell.data_type = "s"
    path = tmp_path / "formulas.xlsx"
    wb.save(path)
    return path


def test_score_outputs_keep_form_text_as_text(formulas, tmp_path):
    for out in (tmp_path / "s.xlsx", tmp_path / "s.csv"):
        score([str(formulas.parent)], str(out), workers=1, no_nlp=True, progress=False)
    texts = _no_formula(tmp_path / "s.xlsx")
    assert "=100%" in texts and cases.HYPERLINK in texts and cases.DDE in texts
    for name in ("s.csv", "s.indicators.csv", "s.errors.csv", "s.duplicates.csv"):
        _assert_inert_csv(tmp_path / name)
    assert "'=100%" in _csv_fields(tmp_path / "s.indicators.csv")
    # read back (as --resume does), the texts are exactly what the form said
    for out in ("s.csv", "s.xlsx"):
        rows = list(iter_output(str(tmp_path / out), "indicators"))
        assert {"=100%", "+80%"} <= {r["target"] for r in rows}
        assert cases.HYPERLINK in {r["indicator"] for r in rows}


def test_check_csv_is_inert(formulas, tmp_path):
    out = tmp_path / "findings.csv"
    r = CliRunner().invoke(cli.main, ["check", "--no-nlp", "--format", "csv", "-o", str(out), str(formulas)])
    assert r.exit_code in (0, 1), r.output
    _assert_inert_csv(out)
    assert any(v.startswith("'@SUM(1+1)") for v in _csv_fields(out))     # an indicator named so


@pytest.mark.parametrize("source", ["formulas", "formulas_xlsx"])
def test_annotated_workbook_keeps_form_text_as_text(source, request, tmp_path):
    form = request.getfixturevalue(source)
    out = tmp_path / "checked.xlsx"
    r = CliRunner().invoke(cli.main, ["annotate", "--no-nlp", str(form), "-o", str(out)])
    assert r.exit_code in (0, 1) and out.exists(), r.output
    texts = _no_formula(out)
    assert "=100%" in texts and any(cases.HYPERLINK in t for t in texts)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_web_annotate_keeps_form_text_as_text(formulas, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from rules.engine import Engine
    from web.app import Settings, create_app

    app = create_app(judge=object(), engine=Engine(), settings=Settings(tmp_dir=str(tmp_path)))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        r = c.post("/api/annotate", files={"file": ("formulas.txt", formulas.read_bytes())},
                   data={"no_nlp": "true"})
    assert r.status_code == 200, r.text
    out = tmp_path / "web.xlsx"
    out.write_bytes(r.content)
    assert "=100%" in _no_formula(out)


# ---- output sets and a full disk -----------------------------------------------------------------

@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(4):
        (folder / f"f{k}.txt").write_bytes(cases.EXAMPLE.read_bytes())
    return folder


def _tables(out: Path) -> dict[str, int]:
    return {t: len(list(iter_output(str(out), t))) for t in ("forms", "indicators", "errors")}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".commit")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_crash_between_the_files_of_an_output_loses_nothing(corpus, tmp_path, monkeypatch, fmt):
    clean = tmp_path / "clean" / f"s.{fmt}"
    clean.parent.mkdir()
    score([str(corpus)], str(clean), workers=1, no_nlp=True, progress=False)
    per_file = _tables(clean)["indicators"] // 4

    out = tmp_path / "run" / f"s.{fmt}"
    out.parent.mkdir()
    score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False)   # an earlier output
    (corpus / "f9.txt").write_bytes(cases.EXAMPLE.read_bytes())
    moves = []
    real_move = sink_module._move

    def dying_move(a, b):            # the process is killed after the first file is in place
        if moves:
            raise KeyboardInterrupt
        moves.append(b)
        real_move(a, b)
    monkeypatch.setattr(sink_module, "_move", dying_move)
    with pytest.raises(KeyboardInterrupt):
        score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False, resume=True)
    monkeypatch.setattr(sink_module, "_move", real_move)
    assert (out.parent / f"s.{fmt}.commit").exists()

    score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False, resume=True)
    assert _tables(out) == {"forms": 5, "indicators": 5 * per_file, "errors": 0}
    assert _leftovers(out.parent) == []


def _full_disk_open(room: int):
    """open() on a disk that fills up after `room` bytes written to files opened for writing."""
    real_open = open

    def fake_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if "w" not in mode:
            return fh
        written = [0]
        write = fh.write

        def limited(data):
            written[0] += len(data)
            if written[0] > room:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return write(data)
        fh.write = limited
        return fh
    return fake_open


def test_a_full_disk_while_writing_the_output_is_one_clear_error(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out" / "s.csv"
    out.parent.mkdir()
    monkeypatch.setattr(sink_module, "open", _full_disk_open(2000), raising=False)
    with pytest.raises(OutputWriteError, match=r"s.csv: cannot write the output: No space left on device"):
        score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False)
    assert _leftovers(out.parent) == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["s.csv.partial.jsonl"]   # for --resume

    r = CliRunner().invoke(cli.main, ["score", str(corpus), "-o", str(out), "--no-nlp", "--workers", "1",
                                      "--resume"])
    assert r.exit_code == 1 and "No space left on device" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output
    assert _leftovers(out.parent) == []

    monkeypatch.undo()
    score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False, resume=True)
    assert _tables(out) == {"forms": 4, "indicators": 4 * 9, "errors": 0}
    assert _leftovers(out.parent) == []


def test_a_full_disk_while_writing_a_report_is_one_clear_error(tmp_path, monkeypatch):
    import reports.safe

    out = tmp_path / "report.json"
    monkeypatch.setattr(reports.safe, "open", _full_disk_open(100), raising=False)
    r = CliRunner().invoke(cli.main, ["check", "--no-nlp", "--format", "json", "-o", str(out),
                                      str(cases.EXAMPLE)])
    assert r.exit_code == 1 and "report.json：无法写入：No space left on device" in r.output
    assert list(tmp_path.iterdir()) == []


def test_json_report_names_a_non_utf8_file_readably(tmp_path):
    path = cases.non_utf8_name(tmp_path)
    r = CliRunner().invoke(cli.main, ["check", "--no-nlp", "--format", "json", str(path)])
    report = json.loads(r.output)
    assert report["forms"][0]["file"].endswith("\\xd7\\xd4\\xc6\\xc0\\xb1\\xed.txt")


def test_a_file_name_that_is_not_utf8_is_scored_once_across_resumes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    cases.non_utf8_name(folder)
    cases.good_example(folder)
    out = tmp_path / "s.csv"
    first = score([str(folder)], str(out), workers=1, no_nlp=True, progress=False)
    again = score([str(folder)], str(out), workers=1, no_nlp=True, progress=False, resume=True)
    assert (first.files, first.forms, again.files, again.skipped) == (2, 2, 0, 2)
    files = [r["file"] for r in iter_output(str(out), "forms")]
    assert len(files) == 2 and any(f.endswith("\\xd7\\xd4\\xc6\\xc0\\xb1\\xed.txt") for f in files)
