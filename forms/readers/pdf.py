"""PDF files → Tables, page by page: pdfium first (forms.readers.pdfium, the same Tables about ten
times faster), pdfplumber for the pages it is unsure of and for files pdfium cannot open. A file
whose pages are all images without a text layer is refused as scanned.

What follows is how the Tables are made (forms.readers.pdfium rebuilds the same from pdfium).

On each page the ruled tables (`find_tables`) become Tables named "page N" (or "page N table K"
when a page has several). A cell covered by a span comes back from pdfplumber as None: the reader
finds the cell rectangle that covers that slot and applies the `merged` policy of
forms.readers.common ("first": "" there, the default; "down": the text when the slot is below the
cell's first column; "repeat": the text), the same as for the other formats. Line breaks from wrapping are undone
(no space between CJK characters). Text outside the tables — a title, "（2021 年度）" — becomes a
one-cell-per-line Table placed by its position on the page ("page N text").

A page with no ruled table (a scan run through OCR, a text-only export) still reads: its text
lines are split into cells on tabs or runs of two or more spaces. `lines` are 1-based row numbers
within the page's table or text. Encrypted, corrupt and oversize files raise FormError.
"""
from __future__ import annotations

import re

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import check_file_size, clean_cell, merged_mode, table_from_grid

MAX_PAGES = 2000
_SPLIT = re.compile(r"\t+| {2,}|\u3000{1,}")
_EPS = 0.5


def read(path: str, merged: str | None = None) -> list[Table]:
    mode = merged_mode(merged)
    check_file_size(path)
    from forms.readers import pdfium  # the fast path; pdfplumber reads the pages it is unsure of

    try:
        pages = pdfium.read_pages(path, mode, MAX_PAGES)
    except pdfium.Unreadable as e:
        if e.password:
            raise FormError(path, "encrypted PDF: cannot read it without the password") from None
        return [t for tables in _plumber(path, mode).values() for t in tables]
    except pdfium.TooManyPages as e:
        raise FormError(path, f"refused: {e.args[0]} pages, over the {MAX_PAGES} page limit") from None
    if any(p.scanned for p in pages) and not any(p.chars for p in pages if not p.scanned):
        raise FormError(path, f"scanned, no text layer: {sum(p.scanned for p in pages)} page(s) "
                              f"of images without text; run OCR on it first")
    unsure = {k for k, p in enumerate(pages, 1) if p.tables is None}
    slow = _plumber(path, mode, unsure) if unsure else {}
    return [t for k, p in enumerate(pages, 1)
            for t in (slow.get(k, []) if p.tables is None else p.tables)]


def _plumber(path: str, mode: str, only: set[int] | None = None) -> dict[int, list[Table]]:
    """The Tables of each page (of the pages numbered in `only`), read with pdfplumber."""
    import pdfplumber  # lazy: only PDFs pay for pdfminer

    try:
        pdf = pdfplumber.open(path)
    except Exception as e:  # pdfminer raises PDFSyntaxError, PSEOF, PDFPasswordIncorrect, ...
        raise FormError(path, _why(e)) from None
    try:
        try:
            pages = pdf.pages
        except Exception as e:
            raise FormError(path, _why(e)) from None
        if len(pages) > MAX_PAGES:
            raise FormError(path, f"refused: {len(pages)} pages, over the {MAX_PAGES} page limit")
        tables: dict[int, list[Table]] = {}
        for number, page in enumerate(pages, 1):
            if only is not None and number not in only:
                continue
            try:
                tables[number] = _page(page, number, mode)
            except FormError:
                raise
            except Exception as e:
                raise FormError(path, _why(e), where=f"page {number}") from None
            finally:
                page.close()  # drops the page's cached layout objects: memory stays flat
        return tables
    finally:
        pdf.close()


def _why(e: Exception) -> str:
    name = type(e).__name__
    if "Password" in name or "Encrypt" in name:
        return "encrypted PDF: cannot read it without the password"
    detail = f": {e}" if str(e) else ""
    return f"not a readable PDF ({name}{detail})"


def _page(page, number: int, mode: str) -> list[Table]:
    found = page.find_tables()
    if not found:
        grid = [r for r in _word_rows(page) if any(r)]
        width = max((len(r) for r in grid), default=0)
        table = table_from_grid([r + [""] * (width - len(r)) for r in grid], f"page {number}")
        return [table] if table is not None else []

    # Items placed by their top coordinate: tables and runs of text lines between them.
    items: list[tuple[float, Table]] = []
    several = len(found) > 1
    for k, t in enumerate(found, 1):
        table = table_from_grid(_grid(t, mode), f"page {number} table {k}" if several else f"page {number}")
        if table is not None:
            items.append((t.bbox[1], table))
    boxes = [t.bbox for t in found]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_lines = page.filter(outside).extract_text_lines()
    runs: list[list[dict]] = []
    for line in text_lines:
        # Start a new run whenever a table lies between this line and the previous one.
        if runs and not any(runs[-1][-1]["top"] < b[1] < line["top"] for b in boxes):
            runs[-1].append(line)
        else:
            runs.append([line])
    for run in runs:
        texts = [clean_cell(line["text"]) for line in run]
        rows = [[t] for t in texts if t]
        if rows:
            items.append((run[0]["top"], Table(rows=rows, name=f"page {number} text")))
    items.sort(key=lambda item: item[0])
    return [t for _, t in items]


def _word_rows(page) -> list[list[str]]:
    """Page text as rows of cells: words on one baseline form a row, and a horizontal gap wider
    than about one and a half characters starts a new cell (a single space stays inside it)."""
    words = page.extract_words(keep_blank_chars=True, use_text_flow=False)
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    rows = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        cells = [line[0]["text"]]
        for prev, w in zip(line, line[1:]):
            size = max(w["bottom"] - w["top"], 1.0)
            if w["x0"] - prev["x1"] > 1.5 * size:
                cells.append(w["text"])
            else:
                cells[-1] += (" " if w["x0"] - prev["x1"] > 0.2 * size else "") + w["text"]
        rows.append([clean_cell(c) for part in cells for c in _SPLIT.split(part)])
    return rows


def _grid(t, mode: str) -> list[list[str]]:
    """The table's cells with every spanned (None) slot filled by the merge policy."""
    rows = t.rows
    data = t.extract()
    cells: list[tuple[tuple[float, float, float, float], str]] = []
    for row, texts in zip(rows, data):
        for bbox, text in zip(row.cells, texts):
            if bbox is not None:
                cells.append((bbox, clean_cell(text)))
    xs = sorted({c[0] for c in t.cells})
    grid = []
    for row, texts in zip(rows, data):
        top = row.bbox[1]
        out = []
        for j, text in enumerate(texts):
            if text is None:
                x = xs[j] if j < len(xs) else None
                text = ""
                if x is not None and mode != "first":
                    for (x0, y0, x1, y1), covering in cells:
                        if x0 - _EPS <= x < x1 - _EPS and y0 - _EPS <= top < y1 - _EPS:
                            if mode == "repeat" or abs(x0 - x) <= _EPS:
                                text = covering
                            break
                out.append(text)
            else:
                out.append(clean_cell(text))
        grid.append(out)
    return grid
