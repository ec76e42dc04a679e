"""Word documents (.docx) → Tables, in document order.

Every table in the body is a Table ("table 1", "table 2", …; a document often holds several
forms). Paragraph text outside tables — a title, "（2021年度）", a 项目名称 line — is emitted as a
Table of one-cell rows ("text before table N") just before the table it precedes, so the
interpreter can take the year from it; text after the last table is "text after tables".

Merged cells follow the `merged` policy of forms.readers.common: by default a horizontal span
(gridSpan) has its text in its first grid column and "" in the others, and a vertical merge
(vMerge continue) is "" below its first row; "down" carries the text down the first column (level
labels on every row), "repeat" fills every covered slot. Cells are read from the XML, so a
spanned cell is one element, never a repeated python-docx cell object. Rows start at their grid
column (gridBefore) and are padded to the table's width. `lines` are 1-based row numbers inside the table (paragraph numbers for text).
The zip is checked for bombs before the main part is parsed (with lxml, not python-docx: only
the body is needed).
"""
from __future__ import annotations

import re
import zipfile
import zlib

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import (MAX_CELLS, MAX_ROWS, check_file_size, check_zip, clean_cell,
                                  merged_mode, table_from_grid, text_table)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(path: str, merged: str | None = None) -> list[Table]:
    mode = merged_mode(merged)
    check_file_size(path)
    check_zip(path, "docx")
    body = _body(path)
    tables: list[Table] = []
    paragraphs: list[tuple[int, str]] = []
    n_tables = 0
    n_para = 0
    used = [0, 0]            # cells and rows made so far, across the document's tables
    for el in _body_items(body):
        if el.tag == _W + "p":
            n_para += 1
            paragraphs.append((n_para, _para_text(el)))
        elif el.tag == _W + "tbl":
            n_tables += 1
            text = text_table(paragraphs, f"text before table {n_tables}")
            if text is not None:
                tables.append(text)
            paragraphs = []
            table = _table(el, f"table {n_tables}", path, mode, used)
            if table is not None:
                tables.append(table)
    text = text_table(paragraphs, "text after tables" if n_tables else "text")
    if text is not None:
        tables.append(text)
    return tables


def _body(path: str):
    """The main document part's w:body, parsed with lxml straight from the zip.

    python-docx would also load styles, numbering, headers and the theme — about ten times the
    work for text we never use. The parser resolves no entities and fetches nothing.
    """
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as z:
            name = _main_part(z)
            data = z.read(name)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                 remove_comments=True)
        root = etree.fromstring(data, parser)
    except KeyError as e:
        raise FormError(path, f"not a docx document: no {e.args[0] if e.args else 'word/document.xml'} part") from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, etree.XMLSyntaxError, ValueError) as e:
        raise FormError(path, f"not a readable docx document ({type(e).__name__}: {e})") from None
    body = root.find(_W + "body")
    if body is None:
        raise FormError(path, "not a docx document: the main part has no body")
    return body


def _main_part(z: zipfile.ZipFile) -> str:
    """The officeDocument part named by _rels/.rels (word/document.xml in every file seen)."""
    names = set(z.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    rels = z.read("_rels/.rels").decode("utf-8", "replace")
    m = re.search(r'Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"|Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"',
                  rels)
    if not m:
        raise KeyError("word/document.xml")
    return m.group(1) or m.group(2)


def _body_items(body):
    """Paragraphs and tables of the body in order, looking inside content controls (w:sdt)."""
    for el in body.iterchildren():
        if el.tag in (_W + "p", _W + "tbl"):
            yield el
        elif el.tag == _W + "sdt":
            content = el.find(_W + "sdtContent")
            if content is not None:
                yield from _body_items(content)


def _para_text(p) -> str:
    """A paragraph's visible text: runs' w:t, tabs and breaks (no deleted or field-code text)."""
    parts = []
    for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        if el.tag == _W + "t":
            parts.append(el.text or "")
        elif el.tag == _W + "tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc) -> str:
    """Direct paragraphs of a cell joined by line breaks (cleaned); nested tables' text appended."""
    texts = []
    for child in tc.iterchildren():
        if child.tag == _W + "p":
            texts.append(_para_text(child))
        elif child.tag == _W + "tbl":
            for inner in child.iter(_W + "p"):
                texts.append(_para_text(inner))
    return clean_cell("\n".join(t for t in texts if t.strip()))


def _int_attr(el, name: str, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, int(el.get(_W + name, default)))
    except (TypeError, ValueError):
        return default


def _table(tbl, name: str, path: str, mode: str, used: list[int]) -> Table | None:
    """`used` counts the cells and rows made so far in the file; each is checked against the
    limits before the slots are made (a gridSpan of 1000 on every cell is 1000 slots each)."""
    grid: list[list[str]] = []
    previous: list[str] = []

    def spend(cells: int, rows: int = 0) -> None:
        used[0] += cells
        used[1] += rows
        if used[0] > MAX_CELLS:
            raise FormError(path, f"refused: more than {MAX_CELLS:,} cells (counting spanned ones)",
                            where=name)
        if used[1] > MAX_ROWS:
            raise FormError(path, f"refused: more than {MAX_ROWS:,} rows", where=name)

    for tr in tbl.iterchildren(_W + "tr"):
        trpr = tr.find(_W + "trPr")
        before = _int_attr(trpr.find(_W + "gridBefore") if trpr is not None else None, "val", 0)
        spend(min(before, 1000), 1)
        row = [""] * min(before, 1000)
        for tc in tr.iterchildren(_W + "tc", _W + "sdt"):
            for cell in ([tc] if tc.tag == _W + "tc" else tc.iter(_W + "tc")):
                tcpr = cell.find(_W + "tcPr")
                span = 1
                vmerge = None
                if tcpr is not None:
                    span = max(1, min(_int_attr(tcpr.find(_W + "gridSpan"), "val", 1), 1000))
                    vm = tcpr.find(_W + "vMerge")
                    if vm is not None:
                        vmerge = vm.get(_W + "val", "continue")
                spend(span)
                if vmerge == "continue":
                    col = len(row)
                    text = previous[col] if mode != "first" and col < len(previous) else ""
                else:
                    text = _cell_text(cell)
                row.append(text)
                row.extend([text if mode == "repeat" else ""] * (span - 1))
        grid.append(row)
        previous = row
    return table_from_grid(grid, name)
