"""`pianchai score`: the tables, fault rows, output formats, resume and the CLI.

Input forms are invented at test time by bench/formgen.py (tab-separated text in the MOF layout).
"""
from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from fakes import FakeVerdict
from batch.score import score
from batch.sink import journal_path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("formgen", ROOT / "bench" / "formgen.py")
formgen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(formgen)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "in"
    formgen.write_corpus(folder, 6, "txt", per_file=2, seed=3)
    return folder


def test_form_and_indicator_tables(corpus, tmp_path):
    out = tmp_path / "s.csv"
    stats = score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False)
    assert (stats.files, stats.forms, stats.errors) == (3, 6, 0)
    forms = read_csv(out)
    assert len(forms) == 6
    first = forms[0]
    for col in ("file", "form", "project", "year", "department", "implementer", "stated_total",
                "recomputed_total", "lost_point_indicators", "missing_explanations",
                "cutoff_explanations", "vague_explanations", "PC101", "PC201", "PC404"):
        assert col in first
    assert [f["form"] for f in forms[:2]] == ["1", "2"]     # numbered as the terminal numbers them
    # the generator's totals are the sum of its row scores and the budget score
    for f in forms:
        assert abs(float(f["stated_total"]) - float(f["recomputed_total"])) < 0.02
        assert f["vague_explanations"] == ""        # no classifier: unknown, not zero
    inds = read_csv(tmp_path / "s.indicators.csv")
    assert len(inds) == stats.indicators
    lost = [i for i in inds if float(i["lost_points"] or 0) > 0]
    assert lost and all(i["needs_explanation"] == "True" for i in lost)
    assert sum(int(f["lost_point_indicators"]) for f in forms) == len(lost)
    assert read_csv(tmp_path / "s.errors.csv") == []
    assert (tmp_path / "s.duplicates.csv").exists()
    assert not journal_path(str(out)).exists()


def test_every_bad_file_is_one_error_row(corpus, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "garbage.xlsx").write_bytes(bytes(range(256)) * 40)
    big = bad / "huge.txt"
    with open(big, "wb") as fh:          # 100 MB, sparse: instant to create
        fh.seek(100 * 2**20)
        fh.write("项目名称\t大文件\n".encode())
    missing = tmp_path / "nowhere" / "missing.txt"
    out = tmp_path / "s.csv"
    stats = score([str(corpus), str(bad), str(missing)], str(out), workers=2, no_nlp=True,
                  progress=False)
    errors = read_csv(tmp_path / "s.errors.csv")
    by_file = {Path(e["file"]).name: e for e in errors}
    assert sorted(by_file) == ["empty.txt", "garbage.xlsx", "huge.txt", "missing.txt"]
    assert len(errors) == 4 and stats.errors == 4
    assert all(e["stage"] and e["message"] for e in errors)
    assert "empty" in by_file["empty.txt"]["message"]
    assert len(read_csv(out)) == 6       # the good files were all scored


def fake_judge(items):
    """Generic whenever the text says 进一步加强, specific otherwise."""
    out = []
    for it in items:
        vague = "进一步加强" in it["text"]
        label = "generic" if vague else "specific"
        p = {"specific": 0.1 if vague else 0.9, "generic": 0.9 if vague else 0.1, "absent": 0.0}
        ev = {"vague": [{"phrase": "进一步加强", "start": 0, "end": 5, "axis": "measure",
                         "reason": "口号", "suggestion": "写明做什么"}] if vague else []}
        out.append(FakeVerdict("specific", label, {"specific": 1.0, "generic": 0.0, "absent": 0.0},
                               p, vague, ev))
    return out


def test_classifier_columns_with_a_fake_judge(corpus, tmp_path):
    out = tmp_path / "s.csv"
    score([str(corpus)], str(out), workers=1, judge=fake_judge, progress=False)
    inds = read_csv(tmp_path / "s.indicators.csv")
    judged = [i for i in inds if i["cause"]]
    assert judged, "explanations of rows that lost points are judged"
    assert all(i["needs_explanation"] == "True" for i in judged)
    vague = [i for i in judged if "进一步加强" in i["explanation"]]
    assert vague and all(i["measure"] == "generic" and i["flagged"] == "True" and
                         i["vague_phrases"] == "进一步加强" and i["measure_generic"] == "0.9"
                         for i in vague)
    assert all("PC404" in i["codes"] for i in vague)
    forms = read_csv(out)
    assert sum(int(f["judged_explanations"]) for f in forms) == len(judged)
    assert sum(int(f["vague_explanations"]) for f in forms) == len(vague)
    assert sum(int(f["PC404"]) for f in forms) == len(vague)


def _files_in(path: Path) -> list[str]:
    return [r["file"] for r in read_csv(path)]


def test_resume_adds_nothing_twice(corpus, tmp_path):
    out = tmp_path / "s.csv"
    score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False)
    before = _files_in(out)
    stats = score([str(corpus)], str(out), workers=1, no_nlp=True, resume=True, progress=False)
    assert stats.files == 0 and stats.skipped == 3
    assert _files_in(out) == before
    formgen.write_corpus(tmp_path / "more", 2, "txt", seed=9)
    stats = score([str(corpus), str(tmp_path / "more")], str(out), workers=1, no_nlp=True,
                  resume=True, progress=False)
    assert stats.files == 2
    after = _files_in(out)
    assert len(after) == len(set((r["file"], r["form"]) for r in read_csv(out))) == 8
    assert after[:6] == before
    # without --resume the output is replaced, not appended to
    score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False)
    assert _files_in(out) == before


def test_resume_after_an_interrupted_run(corpus, tmp_path):
    out = tmp_path / "s.csv"
    files = sorted(str(p) for p in corpus.iterdir())

    calls = {"n": 0}

    def dying_judge(items):         # one call per chunk of files: the second chunk dies
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return fake_judge(items)

    with pytest.raises(KeyboardInterrupt):
        score(files, str(out), workers=1, judge=dying_judge, chunk=2, progress=False)
    journal = journal_path(str(out))
    assert journal.exists() and not out.exists()
    kept = [json.loads(line)["file"] for line in journal.read_text(encoding="utf-8").splitlines()]
    assert kept and len(kept) < 3
    # a kill in the middle of a line: the torn line is dropped and its file scored again
    with open(journal, "a", encoding="utf-8") as fh:
        fh.write('{"file": "' + files[2] + '", "forms": [{"fi')
    stats = score(files, str(out), workers=1, no_nlp=True, resume=True, progress=False)
    assert stats.skipped == len(kept)
    rows = read_csv(out)
    assert sorted({r["file"] for r in rows}) == files
    assert len(rows) == 6 and not journal.exists()


def test_resume_from_a_partial_output(corpus, tmp_path):
    """An output that holds only some files (an earlier run over fewer files)."""
    files = sorted(str(p) for p in corpus.iterdir())
    out = tmp_path / "s.xlsx"
    score(files[:1], str(out), workers=1, no_nlp=True, progress=False)
    stats = score(files, str(out), workers=1, no_nlp=True, resume=True, progress=False)
    assert stats.skipped == 1 and stats.files == 2
    from openpyxl import load_workbook

    wb = load_workbook(out, read_only=True)
    assert {"表", "指标", "错误", "重复说明"} <= set(wb.sheetnames)      # Chinese unless --lang en
    rows = list(wb["表"].iter_rows(values_only=True))
    assert rows[0][:3] == ("文件", "表序号", "项目名称")
    assert sorted(r[0] for r in rows[1:]) == sorted(f for f in files for _ in range(2))
    assert isinstance(rows[1][1], int) and isinstance(rows[1][6], float)


def test_parquet_dataset_and_resume(corpus, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    files = sorted(str(p) for p in corpus.iterdir())
    out = tmp_path / "s.parquet"
    score(files[:2] + [str(tmp_path / "missing.txt")], str(out), workers=1, no_nlp=True,
          progress=False)
    score(files, str(out), workers=1, no_nlp=True, resume=True, progress=False)
    forms = pq.read_table(out / "forms").to_pylist()
    assert sorted({r["file"] for r in forms}) == files and len(forms) == 6
    assert len(list((out / "forms").glob("part-*.parquet"))) == 2     # one part per run
    errors = pq.read_table(out / "errors").to_pylist()
    assert [Path(e["file"]).name for e in errors] == ["missing.txt"]
    inds = pq.read_table(out / "indicators")
    assert inds.schema.field("weight").type == "double"
    assert (out / "duplicates" / "part-0.parquet").exists()


def test_cli_score(corpus, tmp_path):
    from click.testing import CliRunner

    from cli import main

    out, report = tmp_path / "s.csv", tmp_path / "r.html"
    res = CliRunner().invoke(main, ["score", str(corpus), "-o", str(out), "--no-nlp",
                                    "--workers", "1", "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert "已评分 3 个文件，6 张表" in res.output
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    res = CliRunner().invoke(main, ["score", str(tmp_path / "missing.txt"), "-o", str(out),
                                    "--no-nlp", "--workers", "1"])
    assert res.exit_code == 1 and "1 条错误记录" in res.output
    res = CliRunner().invoke(main, ["score", str(corpus), "-o", str(tmp_path / "s.json")])
    assert res.exit_code == 2 and ".csv, .xlsx or .parquet" in res.output


def test_damaged_office_and_pdf_files_are_error_rows(tmp_path):
    """Truncated xlsx, a zip-bomb-like docx, an encrypted and a corrupt pdf: one error row each."""
    import zipfile

    pytest.importorskip("docx")
    src = tmp_path / "src"
    good_x = formgen.write_corpus(src, 1, "xlsx", seed=1)[0]
    good_d = formgen.write_corpus(src / "d", 1, "docx", seed=2)[0]
    bad = tmp_path / "bad"
    bad.mkdir()
    data = good_x.read_bytes()
    (bad / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    with zipfile.ZipFile(good_d) as z, \
            zipfile.ZipFile(bad / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            body = z.read(info.filename)
            if info.filename == "word/document.xml":
                para = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"
                body = body.split(b"</w:body>")[0] + para * 300_000 + b"</w:body></w:document>"
            out.writestr(info, body)
    (bad / "encrypted.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Filter/Standard/V 2/R 3/O<00>/U<00>/P -4>>endobj\n"
        b"trailer<</Encrypt 1 0 R/Root 2 0 R>>\n%%EOF")
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 12)
    out = tmp_path / "s.csv"
    stats = score([str(bad), str(good_x)], str(out), workers=1, no_nlp=True, progress=False)
    errors = read_csv(tmp_path / "s.errors.csv")
    assert sorted(Path(e["file"]).name for e in errors) == [
        "bomb.docx", "corrupt.pdf", "encrypted.pdf", "truncated.xlsx"]
    assert stats.forms == 1


def test_output_inside_the_scored_folder_is_not_read_back(corpus, tmp_path):
    out = corpus / "scores.xlsx"
    score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False)
    stats = score([str(corpus)], str(out), workers=1, no_nlp=True, resume=True, progress=False)
    assert (stats.files, stats.skipped, stats.errors) == (0, 3, 0)
    stats = score([str(corpus)], str(out), workers=2, no_nlp=True, progress=False)
    assert (stats.files, stats.errors) == (3, 0)


@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM"])
def test_killed_run_resumes_without_loss_or_duplicates(tmp_path, sig):
    """A real `pianchai score` on two workers, killed mid-run, then rerun with --resume."""
    import signal
    import subprocess
    import sys
    import time

    formgen.write_corpus(tmp_path / "in", 300, "txt", seed=8)
    out = tmp_path / "s.csv"
    cmd = [sys.executable, "-m", "cli", "score", str(tmp_path / "in"), "-o", str(out),
           "--no-nlp", "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = journal_path(str(out))
    deadline = time.time() + 20
    while time.time() < deadline and proc.poll() is None:
        if journal.exists() and journal.stat().st_size > 20_000:
            break
        time.sleep(0.02)
    proc.send_signal(getattr(signal, sig))
    proc.communicate(timeout=20)        # returns only once no worker holds stderr open
    if proc.returncode != 0:            # killed before the end: the journal holds the work
        assert journal.exists() and not out.exists()
    done = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = read_csv(out)
    assert len(rows) == 300 and len({r["file"] for r in rows}) == 300
    assert not journal.exists()


def test_a_file_that_takes_too_long_is_an_error_row(corpus, tmp_path):
    import time

    def slow_judge(items):
        time.sleep(5)
        return fake_judge(items)

    files = sorted(str(p) for p in corpus.iterdir())
    out = tmp_path / "s.csv"
    t0 = time.perf_counter()
    stats = score(files[:2], str(out), workers=1, judge=slow_judge, timeout=0.3, progress=False)
    assert time.perf_counter() - t0 < 4
    errors = read_csv(tmp_path / "s.errors.csv")
    assert [e["stage"] for e in errors] == ["timeout", "timeout"] and stats.forms == 0


def test_a_second_run_on_the_same_output_is_refused(tmp_path):
    from batch.sink import OutputError, Sink

    first = Sink(str(tmp_path / "s.csv"))
    with pytest.raises(OutputError, match="another"):
        Sink(str(tmp_path / "s.csv"), resume=True)
    first.close()
    Sink(str(tmp_path / "s.csv"), resume=True).close()     # free again once the first is done


def test_xlsx_tables_longer_than_a_sheet_continue_on_the_next(corpus, tmp_path, monkeypatch):
    import batch.sink
    from openpyxl import load_workbook

    monkeypatch.setattr(batch.sink, "XLSX_MAX_ROWS", 10)
    out = tmp_path / "s.xlsx"
    stats = score([str(corpus)], str(out), workers=1, no_nlp=True, progress=False)
    wb = load_workbook(out, read_only=True)
    sheets = [n for n in wb.sheetnames if n.startswith("指标")]
    assert sheets[:2] == ["指标", "指标 2"]
    assert sum(sum(1 for _ in wb[n].iter_rows()) - 1 for n in sheets) == stats.indicators
    # and resume reads every one of them back
    stats = score([str(corpus)], str(out), workers=1, no_nlp=True, resume=True, progress=False)
    assert stats.skipped == 3


def test_parquet_output_leaves_pandas_unloaded_and_still_usable(corpus, tmp_path):
    """pyarrow would import pandas (a third of a second per run) to ask whether our lists are
    pandas objects; the sink writes without it, and pandas still works afterwards."""
    import subprocess
    import sys

    out = tmp_path / "s.parquet"
    code = (
        "import sys\n"
        "from batch.score import score\n"
        f"score([{str(corpus)!r}], {str(out)!r}, workers=1, no_nlp=True, progress=False)\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
        "import pyarrow.parquet as pq\n"
        f"df = pq.read_table({str(out / 'indicators')!r}).to_pandas()\n"
        "assert len(df) > 0 and 'pandas' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
