"""PATH arguments → files: files as given, folders walked, globs expanded; sorted, deduplicated."""
from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Iterable, Iterator

SUFFIXES = {".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".et", ".docx", ".pdf", ".html", ".htm"}


def expand(paths: Iterable[str]) -> Iterator[str]:
    """Yield every file the arguments name. A folder yields its form files (by suffix),
    recursively; a glob yields its matches; anything else is yielded as is, so a missing file
    reaches the reader and is reported as an error row rather than silently skipped."""
    seen: set[str] = set()
    for arg in paths:
        if any(ch in arg for ch in "*?[") and not os.path.exists(arg):
            found = sorted(glob.glob(arg, recursive=True))
        elif os.path.isdir(arg):
            found = sorted(str(p) for p in Path(arg).rglob("*")
                           if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            found = [arg]
        for f in found:
            if f not in seen:
                seen.add(f)
                yield f
