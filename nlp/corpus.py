"""Reading and validating labelled explanation files (JSONL, schema in corpus/SCHEMA.md)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus" / "explanations"
DEV_SET = ROOT.parent / "shared" / "data" / "dev_explanations.jsonl"
LABELS = ("specific", "generic", "absent")
REQUIRED = ("id", "text", "cause", "measure")
OPTIONAL_STR = ("writer", "sector", "kind", "style", "level1", "level2", "indicator", "target", "actual",
                "cause_note", "note")


class CorpusError(ValueError):
    pass


def validate_row(row, where: str) -> dict:
    if not isinstance(row, dict):
        raise CorpusError(f"{where}: expected a JSON object")
    for key in REQUIRED:
        if key not in row:
            raise CorpusError(f"{where}: missing field {key!r}")
    if not isinstance(row["id"], str) or not row["id"]:
        raise CorpusError(f"{where}: id must be a non-empty string")
    if not isinstance(row["text"], str):
        raise CorpusError(f"{where}: text must be a string")
    for axis in ("cause", "measure"):
        if row[axis] not in LABELS:
            raise CorpusError(f"{where}: {axis} must be one of {', '.join(LABELS)}, got {row[axis]!r}")
    for key in ("weight", "score"):
        if row.get(key) is not None and not isinstance(row[key], (int, float)):
            raise CorpusError(f"{where}: {key} must be a number")
    for key in OPTIONAL_STR:
        if row.get(key) is not None and not isinstance(row[key], str):
            raise CorpusError(f"{where}: {key} must be a string")
    return row


def iter_jsonl(path: Path):
    """(where, object, error) for every non-blank line: where is "file:line"; error is None or
    why the line is not JSON."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{lineno}", json.loads(line), None
            except json.JSONDecodeError as exc:
                yield f"{path}:{lineno}", None, f"invalid JSON ({exc.msg})"


def read_labelled(path: Path) -> list[dict]:
    """Every row of a labelled file, validated; the first bad line raises CorpusError."""
    rows = []
    for where, row, error in iter_jsonl(path):
        if error:
            raise CorpusError(f"{where}: {error}")
        rows.append(validate_row(row, where))
    return rows


def corpus_files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    return sorted(corpus_dir.glob("*.jsonl"))


def read_corpus(paths) -> list[dict]:
    """The rows of every file; a row without a `writer` is the file's own (its name without .jsonl):
    leave-one-writer-out cross-validation needs one on every row."""
    rows, seen = [], {}
    for path in paths:
        for row in read_labelled(Path(path)):
            row.setdefault("writer", Path(path).stem)
            if row["id"] in seen:
                raise CorpusError(f"{path}: duplicate id {row['id']!r} (also in {seen[row['id']]})")
            seen[row["id"]] = path
            rows.append(row)
    return rows


def data_hash(paths) -> str:
    h = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
