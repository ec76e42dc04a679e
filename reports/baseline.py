"""Accepted findings: a baseline file lists what a reviewer has already seen and accepted on each
form, so the next run reports only what is new (`check --baseline FILE`, `--write-baseline`).

A finding is known by its file (relative to the baseline's folder), project, rule code,
indicator, field and message — not by its line, so a row added above it does not make it new,
while a changed number in its message does. Identical findings are counted, not merged: a second
copy of an accepted finding is new.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from reports.safe import write_atomic
from rules.engine import Finding
from rules.run import FileResult

FORMAT = "pianchai-baseline"
VERSION = 1
_KEYS = ("file", "project", "code", "indicator", "field", "message")


class BaselineError(Exception):
    """A baseline file that cannot be read (not JSON, not a pianchai baseline)."""


def _file(name: str, base: Path) -> str:
    if name.startswith("<"):                    # <stdin>
        return name
    try:
        return Path(os.path.relpath(Path(name).resolve(), base)).as_posix()
    except ValueError:                          # another drive on Windows
        return Path(name).resolve().as_posix()


def _key(f: Finding, base: Path) -> tuple:
    return (_file(f.file, base), f.project, f.code, f.indicator or "", f.field or "", f.message)


def write(path: str | os.PathLike, results: list[FileResult]) -> int:
    """Write every finding of `results` as accepted; the number written."""
    base = Path(path).resolve().parent
    keys = sorted(_key(f, base) for r in results for f in r.all_findings())
    doc = {"format": FORMAT, "version": VERSION,
           "findings": [dict(zip(_KEYS, k)) for k in keys]}
    write_atomic(str(path), json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return len(keys)


def load(path: str | os.PathLike) -> Counter:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise BaselineError(getattr(e, "strerror", None) or type(e).__name__) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"format is not {FORMAT!r}")
    try:
        return Counter(tuple(str(item.get(k) or "") for k in _KEYS) for item in doc["findings"])
    except AttributeError:
        raise BaselineError("findings must be objects") from None


def apply(results: list[FileResult], accepted: Counter, path: str | os.PathLike) -> int:
    """Drop from `results` (in place) the findings `accepted` lists; the number dropped."""
    base = Path(path).resolve().parent
    left = Counter(accepted)
    dropped = 0
    for r in results:
        for per_form in r.findings:
            kept = []
            for f in per_form:
                k = tuple(str(x or "") for x in _key(f, base))
                if left[k] > 0:
                    left[k] -= 1
                    dropped += 1
                else:
                    kept.append(f)
            per_form[:] = kept
    return dropped
