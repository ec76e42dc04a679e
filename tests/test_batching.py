"""Chunks of files judged in one classifier call give exactly the rows of judging form by form."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import batch.rows as rows
from fakes import FakeVerdict
from nlp.judge import DEFAULT_MODEL
from nlp.runtime import BATCH_MIN

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("formgen", ROOT / "bench" / "formgen.py")
formgen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(formgen)

pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped classifier model")


def test_a_chunk_judged_at_once_scores_exactly_as_form_by_form(tmp_path, monkeypatch):
    files = [str(p) for p in formgen.write_corpus(tmp_path / "in", 40, "txt", per_file=2, seed=21)]
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    files.insert(3, str(tmp_path / "in" / "empty.txt"))
    engine = rows.make_engine(None, False)
    codes = rows.rule_codes()
    calls: list[int] = []
    judge = engine.judge.judge

    def counting(items):
        calls.append(len(items))
        return judge(items)

    engine.judge.judge = counting
    chunked = rows.score_files(files, engine, codes)
    assert len(calls) == 1 and calls[0] >= 3 * BATCH_MIN     # one call, on the batch path

    calls.clear()
    monkeypatch.setattr(rows, "_judge_ahead", lambda forms, rec: None)  # the engine asks per form
    one_by_one = [rows.score_file(f, engine, codes) for f in files]
    assert sum(c < BATCH_MIN for c in calls) > 20               # mostly the per-text path
    assert chunked == one_by_one
    judged = [r for res in chunked for r in res["indicators"] if r.get("cause")]
    assert len(judged) >= 3 * BATCH_MIN
    assert [e["stage"] for res in chunked for e in res["errors"]] == ["read"]


def test_a_failing_chunk_call_falls_back_to_each_form(tmp_path):
    """A classifier error in the chunk's call is charged to the form that causes it, not the chunk."""
    files = [str(p) for p in formgen.write_corpus(tmp_path / "in", 6, "txt", seed=22)]
    poison = "因疫情影响"

    def judge(items):
        if any(poison in it["text"] for it in items):
            raise ValueError("cannot judge")
        p = {"specific": 1.0, "generic": 0.0, "absent": 0.0}
        return [FakeVerdict("specific", "specific", p, p, False) for _ in items]

    engine = rows.make_engine(None, False, judge=judge)
    out = rows.score_files(files, engine)
    bad = {res["file"] for res in out if res["errors"]}
    poisoned = {f for f in files if poison in Path(f).read_text(encoding="utf-8")}
    assert bad == poisoned and len(poisoned) < len(files)
    assert all(e["stage"] == "check" for res in out for e in res["errors"])
