"""Errors a user can act on: each names the file and, where known, the place in it."""
from __future__ import annotations

import re

MAX_MESSAGE = 300


class FormError(Exception):
    """A file that cannot be read as a form. `stage` is read / interpret / check."""

    def __init__(self, file: str, message: str, *, where: str | None = None, stage: str = "read"):
        self.file = file
        self.where = where
        self.stage = stage
        self.message = _one_line(message)
        super().__init__(str(self))

    def __reduce__(self):
        # passed between processes (forms.isolate, batch workers): rebuild from the fields
        return _rebuild, (self.file, self.message, self.where, self.stage)

    def __str__(self) -> str:
        place = f"{self.file}:{self.where}" if self.where else self.file
        return f"{place}: {self.message}"


def _rebuild(file: str, message: str, where: str | None, stage: str) -> FormError:
    return FormError(file, message, where=where, stage=stage)


def _one_line(message: str) -> str:
    """A message that fits a report line: a library's multi-line explanation joined, a dump of
    what it choked on cut short."""
    message = re.sub(r"\s*[\r\n]+\s*", " ", message).strip()
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…"
