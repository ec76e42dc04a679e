"""Machine-readable reports: JSON (forms with their findings) and CSV (one finding a row)."""
from __future__ import annotations

import csv
import io
import json

from reports.summary import summarize
from rules.run import FileResult

CSV_FIELDS = ["file", "form", "project", "sheet", "line", "field", "column", "code", "level", "rule",
              "indicator", "message", "suggestion"]


def to_json(results: list[FileResult]) -> str:
    forms, errors = [], []
    for r in results:
        if r.error is not None:
            errors.append({"file": r.file, "stage": r.error.stage, "message": r.error.message,
                           "where": r.error.where})
        for form, findings in zip(r.forms, r.findings):
            d = form.to_dict()
            d["file"] = r.file
            d["findings"] = [f.to_dict() for f in findings]
            forms.append(d)
    return json.dumps({"forms": forms, "errors": errors, "summary": summarize(results)},
                      ensure_ascii=False, indent=1)


def to_csv(results: list[FileResult]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in results:
        if r.error is not None:
            w.writerow({"file": r.file, "code": "PC000", "level": "error", "rule": "unreadable",
                        "message": f"[{r.error.stage}] {r.error.message}"})
        for f in r.all_findings():
            w.writerow(f.to_dict())
    return buf.getvalue()
