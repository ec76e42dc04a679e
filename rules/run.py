"""Check files: read forms, run the rules, keep going past a bad file."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from forms.errors import FormError
from forms.model import Form
from forms.read import read_forms
from rules.engine import Engine, Finding


@dataclass
class FileResult:
    """What checking one file produced: its forms with their findings, or the error that
    stopped it."""

    file: str
    forms: list[Form] = field(default_factory=list)
    findings: list[list[Finding]] = field(default_factory=list)
    error: FormError | None = None

    def all_findings(self) -> list[Finding]:
        return [f for per_form in self.findings for f in per_form]

    def relabel(self, name: str) -> None:
        """Report everything under `name` instead of the path that was read (`check -` reads
        standard input through a temporary file)."""
        self.file = name
        if self.error is not None:
            self.error.file = name
        for f in self.all_findings():
            f.file = name
        for form in self.forms:
            parts = [form, form.funds, form.total, *form.indicators]
            for part in parts:
                if part.source is not None:
                    part.source.file = name


def check_file(path: str, engine: Engine, read: Callable[[str], list[Form]] = read_forms) -> FileResult:
    """`read` is forms.read.read_forms or a stoppable stand-in (forms.isolate.Isolated.read_forms)."""
    result = FileResult(path)
    try:
        result.forms = read(path)
    except FormError as e:
        result.error = e
        return result
    for form in result.forms:
        try:
            result.findings.append(engine.check(form))
        except Exception as e:  # a rule bug must not lose the rest of the batch
            result.findings.append([])
            result.error = FormError(path, f"checking form {form.source.form if form.source else '?'} "
                                           f"failed: {type(e).__name__}: {e}", stage="check")
    return result
