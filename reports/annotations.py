"""Findings as code-scanning annotations: SARIF 2.1.0 and GitHub Actions workflow commands.

Both carry the same findings as the human report. In SARIF a finding is a result with its rule,
level (error / warning / note), message and place: the file as a relative URI, the line (a text
line or a spreadsheet row) and, when known, the column; the sheet, project and indicator go in
its properties. A file that could not be read is a tool execution notification, so the run says
it was not complete. Texts are in the catalogue's language (reports.messages).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from reports.messages import file_error, rule_text
from reports.safe import printable_json
from rules.run import FileResult

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _uri(name: str) -> str:
    """A relative URI where the file is under the working folder, else an absolute file URI."""
    p = Path(name)
    try:
        rel = Path(os.path.relpath(p.resolve(), Path.cwd()))
    except ValueError:
        rel = p.resolve()
    if rel.is_absolute() or rel.parts[:1] == ("..",):
        return p.resolve().as_uri()
    return quote(rel.as_posix(), safe="/")


def to_sarif(results: list[FileResult], version: str) -> str:
    from rules.engine import registry

    rules = registry()
    codes = list(rules)
    driver_rules = []
    for code, cls in rules.items():
        driver_rules.append({
            "id": code, "name": cls.name,
            "shortDescription": {"text": rule_text(code) or cls.summary()},
            "fullDescription": {"text": rule_text(code, "why") or cls.summary()},
            "help": {"text": f"pianchai rules {code}"},
            "defaultConfiguration": {"level": _SARIF_LEVEL[cls.level]},
        })
    out, notes = [], []
    for r in results:
        if r.error is not None:
            notes.append({"level": "error", "message": {"text": file_error(r.error)},
                          "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(r.file)}}}]})
        for f in r.all_findings():
            physical: dict = {"artifactLocation": {"uri": _uri(f.file)}}
            if f.line is not None:
                region = {"startLine": max(1, f.line)}
                if f.column is not None:
                    region["startColumn"] = f.column + 1
                physical["region"] = region
            text = f.message + (f"\n→ {f.suggestion}" if f.suggestion else "")
            props = {k: v for k, v in (("sheet", f.sheet), ("project", f.project),
                                       ("indicator", f.indicator), ("field", f.field),
                                       ("form", f.form + 1)) if v not in (None, "")}
            result = {"ruleId": f.code, "level": _SARIF_LEVEL[f.level], "message": {"text": text},
                      "locations": [{"physicalLocation": physical}],
                      "partialFingerprints": {"pianchai/v1": _fingerprint(f)},
                      "properties": props}
            if f.code in codes:
                result["ruleIndex"] = codes.index(f.code)
            out.append(result)
    run = {"tool": {"driver": {"name": "pianchai", "version": version,
                               "informationUri": "https://pypi.org/project/pianchai/",
                               "rules": driver_rules}},
           "invocations": [{"executionSuccessful": not notes,
                            "toolExecutionNotifications": notes}],
           "results": out}
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return printable_json(json.dumps(doc, ensure_ascii=False, indent=1)) + "\n"


def _fingerprint(f) -> str:
    key = "\x1f".join(str(x or "") for x in (f.file, f.project, f.code, f.indicator, f.field, f.message))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _escape(text: str, prop: bool = False) -> str:
    """GitHub's workflow-command escaping: % CR LF always, : and , inside a property."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(results: list[FileResult]) -> str:
    """One `::error file=…,line=…::message` workflow command per finding (GitHub Actions shows
    them on the files of a pull request)."""
    lines = []
    for r in results:
        if r.error is not None:
            lines.append(f"::error file={_escape(r.file, True)},title=pianchai::{_escape(file_error(r.error))}")
        for f in r.all_findings():
            where = [f"file={_escape(f.file, True)}"]
            if f.line is not None:
                where.append(f"line={f.line}")
                if f.column is not None:
                    where.append(f"col={f.column + 1}")
            where.append(f"title={_escape(f'{f.code} {f.rule}', True)}")
            text = f.message + (f"\n→ {f.suggestion}" if f.suggestion else "")
            lines.append(f"::{_GITHUB_LEVEL[f.level]} {','.join(where)}::{_escape(text)}")
    return "\n".join(lines) + ("\n" if lines else "")
