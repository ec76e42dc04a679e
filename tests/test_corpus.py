"""The training corpus: every file valid, ids unique, labels valid, every 3×3 cell covered."""
import json
from pathlib import Path

import pytest

from nlp.corpus import CorpusError, corpus_files, read_corpus, read_labelled

LABELS = ("specific", "generic", "absent")
FIELDS = ("id", "writer", "sector", "kind", "style", "level1", "level2", "indicator", "target", "actual",
          "weight", "score", "text", "cause", "measure", "note")


@pytest.fixture(scope="module")
def rows():
    return read_corpus(corpus_files())


def test_corpus_files_exist():
    assert corpus_files(), "no corpus/explanations/*.jsonl"


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_every_file_valid(path):
    rows = read_labelled(path)
    for lineno, row in enumerate(rows, 1):
        missing = [f for f in FIELDS if f not in row]
        assert not missing, f"{path.name} row {row.get('id')}: missing {missing}"
        assert row["cause"] in LABELS and row["measure"] in LABELS
        assert isinstance(row["writer"], str) and row["writer"], f"{row['id']}: writer"
        for key in ("weight", "score"):
            assert row[key] is None or isinstance(row[key], (int, float)), f"{row['id']}: {key}"


def test_ids_unique_and_enough_rows(rows):
    assert len({r["id"] for r in rows}) == len(rows)
    assert len(rows) >= 800, f"only {len(rows)} rows"


def test_every_cell_of_the_label_grid_covered(rows):
    cells = {(r["cause"], r["measure"]) for r in rows}
    missing = [(c, m) for c in LABELS for m in LABELS if (c, m) not in cells]
    assert not missing


def test_empty_text_is_absent_absent(rows):
    for r in rows:
        if not r["text"].strip():
            assert (r["cause"], r["measure"]) == ("absent", "absent"), r["id"]


def test_validator_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "t", "cause": "vague", "measure": "absent"}) + "\n")
    with pytest.raises(CorpusError, match=r"bad.jsonl:1: cause"):
        read_labelled(bad)
