"""PATH arguments → files: files as given, folders walked, globs expanded; sorted, deduplicated."""
from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path
from typing import Iterable, Iterator

SUFFIXES = {".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".et", ".docx", ".pdf", ".html", ".htm"}
#: What pianchai writes itself (annotate's default output): never read back as a form when a
#: folder or glob is walked; named explicitly, it is read like any file.
OWN_OUTPUTS = ("*.checked.xlsx",)


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """True when `path`, or its name, or any folder on it matches one of the glob `patterns`."""
    p = Path(path)
    names = [p.as_posix(), *p.parts]
    return any(fnmatch.fnmatch(n, pat) or fnmatch.fnmatch(n, pat.rstrip("/"))
               for pat in patterns for n in names)


def expand(paths: Iterable[str], exclude: Iterable[str] = ()) -> Iterator[str]:
    """Yield every file the arguments name. A folder yields its form files (by suffix),
    recursively; a glob yields its matches; anything else is yielded as is, so a missing file
    reaches the reader and is reported as an error row rather than silently skipped. Files
    matching `exclude` are left out, and so are pianchai's own outputs met in a folder or glob."""
    exclude = tuple(exclude)
    seen: set[str] = set()
    for arg in paths:
        walked = True
        if any(ch in arg for ch in "*?[") and not os.path.exists(arg):
            found = sorted(glob.glob(arg, recursive=True))
        elif os.path.isdir(arg):
            found = sorted(str(p) for p in Path(arg).rglob("*")
                           if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            found, walked = [arg], False
        for f in found:
            if f in seen or excluded(f, exclude) or (walked and excluded(Path(f).name, OWN_OUTPUTS)):
                continue
            seen.add(f)
            yield f
