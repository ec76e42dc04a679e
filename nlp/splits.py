"""Who may see what: writer folds for cross-validation, the dev set's two halves, and the sets
that are only ever scored.

The protocol (models/MODEL_CARD.md): the headline is leave-one-writer-out cross-validation over
the corpus (a style the model has not seen, not a row it has not seen); the dev set is split once
into a `read` half, whose misclassifications may be read, and a `score_only` half, scored at the
end; the real texts in ../shared/real are scored, never listed.
"""
from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from nlp.corpus import DEV_SET, ROOT

DEV_SPLIT = ROOT / "corpus" / "dev_split.toml"
HALVES = ("read", "score_only")
REAL_DIR = ROOT.parent / "shared" / "real"


# The project team's files: one team, one style, five "writers" only by file. Their cross-validated
# scores are optimistic (the other four files share the style), so calibration is fitted on the
# independent writers' scores alone.
TEAM = frozenset({"part_a", "part_b", "part_c", "part_d", "extra_nlp"})


def writer_of(row: dict) -> str:
    """The row's writer (nlp.corpus.read_corpus fills it in from the file name when absent)."""
    return row["writer"]


def writer_folds(rows: list[dict]) -> list[tuple[str, list[int], list[int]]]:
    """(writer, training indices, test indices) for each writer, in writer order."""
    writers = sorted({writer_of(r) for r in rows})
    return [(w, [i for i, r in enumerate(rows) if writer_of(r) != w],
             [i for i, r in enumerate(rows) if writer_of(r) == w]) for w in writers]


def half_rule(ids) -> dict[str, list[str]]:
    """The rule the committed split was drawn by: rank ids by sha256("dev-half:" + id), first
    half `read`, rest `score_only` (each sorted)."""
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"dev-half:{i}".encode()).hexdigest())
    half = len(ranked) // 2
    return {"read": sorted(ranked[:half]), "score_only": sorted(ranked[half:])}


def dev_halves(path: Path = DEV_SPLIT) -> dict[str, frozenset]:
    """The committed split of the dev set's ids: {"read": …, "score_only": …}."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return {h: frozenset(data[h]) for h in HALVES}


def _is_under(path: Path, folder: Path) -> bool:
    return folder.resolve() in Path(path).resolve().parents


def why_no_errors(path, half: str | None) -> str | None:
    """Why the misclassifications of `path` (restricted to `half` of the dev set) may not be
    listed, or None when they may."""
    path = Path(path)
    if _is_under(path, REAL_DIR):
        return f"{path}: real texts are scored only; their errors are never listed"
    if path.resolve() == DEV_SET.resolve() and half != "read":
        return f"{path}: only the read half's errors may be listed (--dev-half read)"
    return None
