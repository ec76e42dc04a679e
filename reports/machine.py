"""Machine-readable reports: JSON (forms with their findings) and CSV (one finding a row).

Both are valid UTF-8 text whatever the file names were, and the CSV is inert in a spreadsheet
(reports.safe): a finding quoting a form's "=HYPERLINK(…)" does not become a formula.
"""
from __future__ import annotations

import csv
import io
import json

from reports.safe import csv_row, printable, printable_json
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
    return printable_json(json.dumps({"forms": forms, "errors": errors, "summary": summarize(results)},
                                     ensure_ascii=False, indent=1))


def to_csv(results: list[FileResult]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in results:
        if r.error is not None:
            w.writerow(csv_row({"file": r.file, "code": "PC000", "level": "error", "rule": "unreadable",
                                "message": f"[{r.error.stage}] {r.error.message}"}))
        for f in r.all_findings():
            w.writerow(csv_row(f.to_dict()))
    return printable(buf.getvalue())
