"""The evaluation protocol's splits: writer folds, the dev set's two halves, scored-only sets."""
import json
from pathlib import Path

import pytest

from nlp.corpus import DEV_SET, corpus_files, read_corpus
from nlp.splits import REAL_DIR, dev_halves, half_rule, why_no_errors, writer_folds


def test_every_corpus_row_has_a_writer_and_folds_cover_all():
    rows = read_corpus(corpus_files())
    folds = writer_folds(rows)
    assert len(folds) >= 8
    seen = sorted(i for _, _, test in folds for i in test)
    assert seen == list(range(len(rows)))
    for writer, train, test in folds:
        assert all(rows[i]["writer"] == writer for i in test)
        assert not any(rows[i]["writer"] == writer for i in train)


def test_dev_halves_are_disjoint_and_even():
    halves = dev_halves()
    assert not halves["read"] & halves["score_only"]
    assert abs(len(halves["read"]) - len(halves["score_only"])) <= 1


@pytest.mark.skipif(not DEV_SET.exists(), reason="../shared absent (fresh clone): no dev set")
def test_committed_dev_split_is_the_rule_applied_once():
    ids = [json.loads(line)["id"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    rule = half_rule(ids)
    halves = dev_halves()
    assert {h: sorted(v) for h, v in halves.items()} == rule


def test_errors_are_refused_where_the_protocol_forbids(tmp_path):
    assert why_no_errors(REAL_DIR / "explanations.jsonl", None)
    assert why_no_errors(DEV_SET, None)
    assert why_no_errors(DEV_SET, "score_only")
    assert why_no_errors(DEV_SET, "read") is None
    assert why_no_errors(Path(tmp_path) / "mine.jsonl", None) is None
