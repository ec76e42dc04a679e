"""What every reader produces: tables of cell texts, with where each row came from.

A reader (text, xlsx, xls, docx, pdf, html) only turns a file into `Table`s; the header-driven
interpreter (`forms.interpret`) turns tables into forms. Keeping that line sharp is what lets one
interpreter serve every format.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Table:
    """Rows of cell texts from one sheet, page, document table or text file.

    `rows[i][j]` is the text of column j in row i (empty string for an empty cell; a merged cell's
    text repeated in every cell it covers, except where the reader says otherwise). `lines[i]` is
    the 1-based line or row number of `rows[i]` in the source, so findings can point there. `name`
    is the sheet name, page label or table label (None for a plain text file).
    """

    rows: list[list[str]]
    lines: list[int] = field(default_factory=list)
    name: str | None = None

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = list(range(1, len(self.rows) + 1))
