"""Counts shared by every renderer."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from rules.run import FileResult


def summarize(results: Iterable[FileResult]) -> dict:
    levels: Counter = Counter()
    codes: Counter = Counter()
    files = forms = lost = unreadable = rows = 0
    for r in results:
        files += 1
        if r.error is not None and not r.forms:
            unreadable += 1
        forms += len(r.forms)
        rows += sum(len(f.unreadable) for f in r.forms)
        lost += sum(1 for f in r.forms for i in f.indicators if i.lost_points > 0)
        for f in r.all_findings():
            levels[f.level] += 1
            codes[f.code] += 1
    return {"files": files, "forms": forms, "unreadable_files": unreadable,
            "lost_point_indicators": lost, "unreadable_rows": rows, "errors": levels["error"], "warnings": levels["warning"],
            "info": levels["info"], "by_code": dict(sorted(codes.items()))}
