"""`pianchai score --scheduler`: the per-file work on a Dask LocalCluster (two processes)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("formgen", ROOT / "bench" / "formgen.py")
formgen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(formgen)


def test_score_on_a_local_cluster(tmp_path):
    from batch.dask_run import score_on_cluster

    files = [str(p) for p in formgen.write_corpus(tmp_path / "in", 8, "txt", seed=5)]
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "junk.docx").write_bytes(b"\x00\x01PK not a zip" * 50)
    out = tmp_path / "s.parquet"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        stats = score_on_cluster([str(tmp_path / "in")], str(out), cluster.scheduler_address,
                                 no_nlp=True, chunk=3, progress=False)
        assert (stats.files, stats.forms, stats.errors) == (10, 8, 2)
        forms = pq.read_table(out / "forms").to_pylist()
        assert sorted(r["file"] for r in forms) == sorted(files)
        errors = pq.read_table(out / "errors").to_pylist()
        assert sorted(Path(e["file"]).name for e in errors) == ["empty.txt", "junk.docx"]
        # resume: nothing is scored twice, a new file is added as a new part
        formgen.write_corpus(tmp_path / "more", 1, "txt", seed=6)
        (tmp_path / "more" / "草稿").mkdir()
        (tmp_path / "more" / "草稿" / "draft.txt").write_bytes(b"")
        stats = score_on_cluster([str(tmp_path / "in"), str(tmp_path / "more")], str(out),
                                 cluster.scheduler_address, no_nlp=True, resume=True,
                                 progress=False, report=str(tmp_path / "r.html"),
                                 exclude=["*/草稿/*"])
        assert (stats.files, stats.skipped) == (3, 8)     # the two error rows are tried again
    forms = pq.read_table(out / "forms").to_pylist()
    assert len(forms) == 9 and len({r["file"] for r in forms}) == 9
    assert len(pq.read_table(out / "errors").to_pylist()) == 2
    assert "近似重复" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_worker_judges_its_chunk_in_one_call_with_the_same_rows(tmp_path, monkeypatch):
    """score_chunk (what a Dask worker runs) uses the chunk's batch: one classifier call."""
    from batch import dask_run
    from batch.rows import make_engine, score_file
    from nlp.judge import DEFAULT_MODEL, Judge

    if not DEFAULT_MODEL.exists():
        pytest.skip("no shipped classifier model")
    files = [str(p) for p in formgen.write_corpus(tmp_path / "in", 12, "txt", seed=7)]
    calls = []
    judge_many = Judge.judge_many

    def counting(self, items):
        calls.append(len(items))
        return judge_many(self, items)

    monkeypatch.setattr(Judge, "judge_many", counting)
    monkeypatch.setattr(dask_run, "_ENGINES", {})
    got = dask_run.score_chunk(files, None, False)
    assert len(calls) == 1 and calls[0] > 12
    engine = make_engine(None, False)
    assert got == [score_file(f, engine) for f in files]
