"""Excel 2007+ workbooks (.xlsx/.xlsm) → one Table per non-empty worksheet.

openpyxl in normal mode (read-only mode has no merged ranges). A merged range's top-left value is
spread by the `merged` policy (forms.readers.common: top-left only by default, "down", "repeat");
rows are full width ("" for empty cells) so a list index is the column index; `lines` are
worksheet row numbers (empty rows are left out, numbers kept). Cached formula results are read
(`data_only`); a formula saved without a cached value (a workbook written by a program, never
opened in Excel) reads as its formula text ("=SUM(H8:H20)"), so the interpreter reports the cell
as not read instead of taking it for blank. Numbers are written as the sheet shows them ("10",
"9.5", a percent-formatted 0.95 as "95%").

Before openpyxl sees the file, the zip is checked for bombs and every worksheet's XML is streamed
once through expat (no tree, no cells built) to count what openpyxl would build: cells, rows, and
the cells covered by merged ranges and hyperlink ranges (openpyxl makes an object for each covered
cell: one `B3:XFD1048576` merge is 17 billion). A file over the limits is refused then, and a
DOCTYPE (entity tricks; no workbook has one) is refused outright.
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import (MAX_ROWS, check_file_size, check_zip, clean_cell, fill_grid,
                                  format_hint, merged_mode, number_text, table_from_grid)

#: Cells openpyxl may build for one workbook, counting those covered by merged and hyperlink
#: ranges. openpyxl spends about 600 bytes and 16 µs a cell; a real form has a few hundred.
MAX_XLSX_CELLS = 250_000


def read(path: str, merged: str | None = None) -> list[Table]:
    mode = merged_mode(merged)
    check_file_size(path)
    check_zip(path, "xlsx")
    uncached = check_sheets(path)
    import openpyxl  # imported here: commands that never see a workbook don't pay for it

    try:
        with warnings.catch_warnings(), open(path, "rb") as fh:
            warnings.simplefilter("ignore")  # "Workbook contains no default style" and the like
            # a file object, not the name: openpyxl refuses names not ending in .xlsx/.xlsm,
            # and sniffing already found this is a workbook whatever it is called
            wb = openpyxl.load_workbook(fh, data_only=True)
            formulas = None
            if uncached:  # read again for the formula text; rare, so only then
                fh.seek(0)
                formulas = openpyxl.load_workbook(fh, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, AttributeError,
            SyntaxError) as e:
        # SyntaxError covers xml.etree ParseError: a member cut off mid-XML.
        raise FormError(path, f"not a readable xlsx workbook ({type(e).__name__}: {e})") from None
    try:
        tables = []
        for k, ws in enumerate(wb.worksheets):
            table = _sheet(ws, path, mode, formulas.worksheets[k] if formulas else None)
            if table is not None:
                tables.append(table)
        return tables
    finally:
        wb.close()
        if formulas:
            formulas.close()


def _sheet(ws, path: str, mode: str, formulas=None) -> Table | None:
    values: dict[tuple[int, int], str] = {}
    height = width = 0
    # ws._cells holds only the cells present in the file; iter_rows would create every cell up
    # to max_row × max_column, which a stray format on row 1,048,576 makes enormous.
    for (r, c), cell in ws._cells.items():
        text = _text(cell)
        if not text and formulas is not None:
            written = formulas._cells.get((r, c))
            if written is not None and isinstance(written.value, str) and written.value.startswith("="):
                text = written.value
        if text:
            values[(r - 1, c - 1)] = text
            height, width = max(height, r), max(width, c)
    if not values:
        return None
    merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
    grid = fill_grid(height, width, values, merges, path, ws.title, mode)
    return table_from_grid(grid, ws.title)


def _text(cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, str):
        return clean_cell(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        percent, decimals = format_hint(cell.number_format)
        return number_text(v, percent, decimals)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return clean_cell(str(v))


# ---- counting what openpyxl would build, before it builds it ------------------------------------

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$")


class _Refused(Exception):
    pass


def check_sheets(path: str) -> bool:
    """FormError if the worksheets hold more than openpyxl may build (see the module docstring);
    whether any cell holds a formula saved without its value."""
    from xml.parsers import expat

    counts = {"c": 0, "row": 0, "covered": 0, "uncached": 0}
    cell = {"f": False, "v": False, "in_v": False}   # "v": a cached value with some text

    def area(ref: str, what: str) -> None:
        m = _REF.match(ref.strip())
        if not m:
            return                      # openpyxl rejects it itself, with its own error
        c0, r0 = _column(m.group(1)), int(m.group(2))
        c1, r1 = (_column(m.group(3)), int(m.group(4))) if m.group(3) else (c0, r0)
        n = (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
        if n > MAX_XLSX_CELLS:
            raise _Refused(f"{what} range {ref} covers {n:,} cells (limit {MAX_XLSX_CELLS:,})")
        counts["covered"] += n
        if counts["covered"] > MAX_XLSX_CELLS:
            raise _Refused(f"{what} ranges cover more than {MAX_XLSX_CELLS:,} cells")

    def start(name: str, attrs: dict) -> None:
        local = name.rpartition(" ")[2]
        if local == "f":
            cell["f"] = True
        elif local == "v":
            cell["in_v"] = True
        elif local == "c":
            cell["f"] = cell["v"] = False
            counts["c"] += 1
            if counts["c"] + counts["covered"] > MAX_XLSX_CELLS:
                under = " (counting those under merged ranges)" if counts["covered"] else ""
                raise _Refused(f"more than {MAX_XLSX_CELLS:,} cells{under}")
        elif local == "row":
            counts["row"] += 1
            if counts["row"] > MAX_ROWS:
                raise _Refused(f"more than {MAX_ROWS:,} rows")
        elif local == "mergeCell":
            area(attrs.get("ref", ""), "merged")
        elif local == "hyperlink":
            area(attrs.get("ref", ""), "hyperlink")

    def end(name: str) -> None:
        local = name.rpartition(" ")[2]
        if local == "v":
            cell["in_v"] = False
        elif local == "c" and cell["f"] and not cell["v"]:
            counts["uncached"] += 1

    def text(data: str) -> None:
        if cell["in_v"] and data.strip():
            cell["v"] = True

    def doctype(*args) -> None:
        raise _Refused("the sheet declares a DOCTYPE (entity definitions), which no workbook has")

    try:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                parser = expat.ParserCreate(namespace_separator=" ")
                parser.StartElementHandler = start
                parser.EndElementHandler = end
                parser.CharacterDataHandler = text
                parser.StartDoctypeDeclHandler = doctype
                with z.open(name) as f:
                    try:
                        parser.ParseFile(f)
                    except expat.ExpatError:
                        pass                # damaged XML: openpyxl reports it in its own words
    except _Refused as e:
        raise FormError(path, f"refused: {e}") from None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as e:
        raise FormError(path, f"not a readable xlsx workbook ({type(e).__name__}: {e})") from None
    return counts["uncached"] > 0


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n
