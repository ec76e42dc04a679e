"""HTML pages (and the "Excel" exports that are really HTML) → Tables, with the stdlib parser.

Every `<table>` is a Table ("table 1", "table 2", … in document order; a page often carries several
forms). rowspan/colspan are honoured by the `merged` policy of forms.readers.common: text in
the top-left slot only (default), carried down the first column ("down"), or in every slot
("repeat"); the grid's columns stay aligned either way. Text outside tables — a heading with the year, a
"项目名称：…" line — becomes a Table of one-cell rows placed before the table it precedes.
A table nested in a cell is read as its own table; its text is not repeated in the outer cell.

The charset comes from a BOM, then `<meta charset>` / `http-equiv`, then utf-8 if the bytes decode
strictly, else gb18030 (a superset of gbk/gb2312, the usual encoding of these pages).
`lines` are 1-based row numbers within each table (block numbers for outside text).
"""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import (MAX_CELLS, MAX_ROWS, MAX_SPAN, check_file_size, clean_cell,
                                  merged_mode, table_from_grid, text_table)

MAX_NESTING = 50                   # tables inside tables; forms nest one or two

MAX_HTML_BYTES = 64 * 1024 * 1024
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "gb_2312-80": "gb18030", "utf8": "utf-8"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "title", "center", "section",
          "article", "header", "footer", "caption", "dt", "dd", "blockquote", "pre", "form"}
_SKIP = {"script", "style", "head", "noscript", "template", "xml"}


def read(path: str, merged: str | None = None) -> list[Table]:
    mode = merged_mode(merged)
    check_file_size(path, MAX_HTML_BYTES)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FormError(path, f"cannot open: {e.strerror or e}") from None
    parser = _Parser(path, mode)
    try:
        parser.feed(decode(data))
        parser.close()
    except FormError:
        raise
    except OverflowError as e:
        raise FormError(path, f"refused: {e}") from None
    except Exception as e:  # the stdlib parser is lenient; this is a last guard
        raise FormError(path, f"not a readable HTML page ({type(e).__name__}: {e})") from None
    return parser.finish()


def decode(data: bytes) -> str:
    """The page's text: BOM, then declared charset, then utf-8, then gb18030."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    m = _META.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        enc = _ALIASES.get(enc, enc)
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common: fall through to guessing
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


class _Grid:
    """One table being built: rows of slots, with rowspans carried into the rows below.

    A rowspan is kept as one entry (its first column, width, last row, text), not one per slot it
    covers, and every cell's slots are counted against the file's budget before they are made.
    """

    def __init__(self, name: str, mode: str, budget: "_Budget"):
        self.name = name
        self.mode = mode
        self.budget = budget
        self.rows: list[list[str]] = []
        self.spans: dict[int, tuple[int, int, str]] = {}   # first column → (width, last row, text)
        self.cell: list[str] | None = None
        self.span = (1, 1)

    def start_row(self) -> None:
        self.end_cell()
        self.budget.rows(1)
        self.rows.append([])
        # Slots already filled by rowspans from above at the row's start.
        self._fill_spans(len(self.rows) - 1)

    def _fill_spans(self, r: int) -> None:
        row = self.rows[r]
        while (span := self.spans.get(len(row))) is not None:
            width, last, text = span
            if last < r:
                del self.spans[len(row)]
                break
            first = text if self.mode in ("down", "repeat") else ""
            row.append(first)
            row.extend([text if self.mode == "repeat" else ""] * (width - 1))
            if last == r:
                del self.spans[len(row) - width]

    def start_cell(self, rowspan: int, colspan: int) -> None:
        self.end_cell()
        if not self.rows:
            self.start_row()
        self.budget.cells(rowspan * colspan)       # before a single slot is made
        self.cell = []
        self.span = (rowspan, colspan)

    def end_cell(self) -> None:
        if self.cell is None:
            return
        text = clean_cell("".join(self.cell))
        self.cell = None
        r = len(self.rows) - 1
        row = self.rows[r]
        self._fill_spans(r)
        rowspan, colspan = self.span
        c0 = len(row)
        row.append(text)
        row.extend([text if self.mode == "repeat" else ""] * (colspan - 1))
        if rowspan > 1:
            self.spans[c0] = (colspan, r + rowspan - 1, text)
        self._fill_spans(r)

    def table(self) -> Table | None:
        self.end_cell()
        # Rowspans reaching past the last <tr> extend the table, as browsers draw it.
        while self.spans:
            last = max(last for _, last, _ in self.spans.values())
            if len(self.rows) > last:
                break
            self.budget.rows(1)
            self.rows.append([])
            self._fill_spans(len(self.rows) - 1)
        width = max((len(r) for r in self.rows), default=0)
        grid = [r + [""] * (width - len(r)) for r in self.rows]
        return table_from_grid(grid, self.name)


class _Budget:
    """Slots and rows one page may make, across all its tables (OverflowError past them)."""

    def __init__(self):
        self.n_cells = 0
        self.n_rows = 0

    def cells(self, n: int) -> None:
        self.n_cells += n
        if self.n_cells > MAX_CELLS:
            raise OverflowError(f"more than {MAX_CELLS:,} cells (counting those under rowspan/colspan)")

    def rows(self, n: int) -> None:
        self.n_rows += n
        if self.n_rows > MAX_ROWS:
            raise OverflowError(f"more than {MAX_ROWS:,} rows")


class _Parser(HTMLParser):
    def __init__(self, path: str, mode: str):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.mode = mode
        self.out: list[Table] = []
        self.stack: list[_Grid] = []
        self.n_tables = 0
        self.skip = 0
        self.text: list[str] = []           # current block of outside text
        self.blocks: list[tuple[int, str]] = []
        self.n_blocks = 0
        self.budget = _Budget()

    # outside text ---------------------------------------------------------------------------
    def _flush_block(self) -> None:
        if self.text:
            self.budget.rows(1)
            self.n_blocks += 1
            self.blocks.append((self.n_blocks, "".join(self.text)))
            self.text = []

    def _flush_text(self, name: str) -> None:
        self._flush_block()
        table = text_table(self.blocks, name)
        if table is not None:
            self.out.append(table)
        self.blocks = []

    # parser callbacks ------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        grid = self.stack[-1] if self.stack else None
        if tag == "table":
            self.n_tables += 1
            if not self.stack:
                self._flush_text(f"text before table {self.n_tables}")
            elif grid.cell is not None:
                grid.cell.append("\n")
            if len(self.stack) >= MAX_NESTING:
                raise OverflowError(f"tables nested more than {MAX_NESTING} deep")
            self.stack.append(_Grid(f"table {self.n_tables}", self.mode, self.budget))
        elif grid is not None and tag == "tr":
            grid.start_row()
        elif grid is not None and tag in ("td", "th"):
            a = dict(attrs)
            grid.start_cell(_span(a.get("rowspan")), _span(a.get("colspan")))
        elif tag == "br":
            self._data("\n")
        elif tag in _BLOCK or tag in ("p", "div"):
            if grid is not None and grid.cell is not None:
                grid.cell.append("\n")
            elif grid is None:
                self._flush_block()

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self._data("\n")
        # other void elements carry no text

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        grid = self.stack[-1] if self.stack else None
        if tag == "table" and grid is not None:
            self.stack.pop()
            table = grid.table()
            if table is not None:
                self.out.append(table)
        elif grid is not None and tag in ("td", "th"):
            grid.end_cell()
        elif grid is None and tag in _BLOCK:
            self._flush_block()

    def handle_data(self, data):
        if not self.skip:
            self._data(data)

    def _data(self, data: str) -> None:
        grid = self.stack[-1] if self.stack else None
        if grid is None:
            self.text.append(data)
        elif grid.cell is not None:
            grid.cell.append(data)
        # text between cells (inside <tr> but outside <td>) is markup noise

    def finish(self) -> list[Table]:
        while self.stack:  # an unclosed table at end of file still counts
            self.handle_endtag("table")
        self._flush_text("text after tables" if self.n_tables else "text")
        return self.out


def _span(value: str | None) -> int:
    try:
        n = int(str(value).strip().rstrip(";"))
    except (TypeError, ValueError):
        return 1
    return min(max(n, 1), MAX_SPAN)
