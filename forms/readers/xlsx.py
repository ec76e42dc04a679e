"""Excel 2007+ workbooks (.xlsx/.xlsm) → one Table per non-empty worksheet.

openpyxl in normal mode (read-only mode has no merged ranges). A merged range's top-left value is
spread by the `merged` policy (forms.readers.common: top-left only by default, "down", "repeat");
rows are full width ("" for empty cells) so a list index is the column index; `lines` are
worksheet row numbers (empty rows are left out, numbers kept). Cached formula results are read
(`data_only`; a formula saved without a cached value reads ""), numbers are written as the sheet
shows them ("10", "9.5", a percent-formatted 0.95 as "95%"). The zip is checked for bombs first.
"""
from __future__ import annotations

import datetime as dt
import warnings
import zipfile

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import (check_file_size, check_zip, clean_cell, fill_grid, format_hint,
                                  merged_mode, number_text, table_from_grid)


def read(path: str, merged: str | None = None) -> list[Table]:
    mode = merged_mode(merged)
    check_file_size(path)
    check_zip(path, "xlsx")
    import openpyxl  # imported here: commands that never see a workbook don't pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Workbook contains no default style" and the like
            wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, AttributeError,
            SyntaxError) as e:
        # SyntaxError covers xml.etree ParseError: a member cut off mid-XML.
        raise FormError(path, f"not a readable xlsx workbook ({type(e).__name__}: {e})") from None
    try:
        tables = []
        for ws in wb.worksheets:
            table = _sheet(ws, path, mode)
            if table is not None:
                tables.append(table)
        return tables
    finally:
        wb.close()


def _sheet(ws, path: str, mode: str) -> Table | None:
    values: dict[tuple[int, int], str] = {}
    height = width = 0
    # ws._cells holds only the cells present in the file; iter_rows would create every cell up
    # to max_row × max_column, which a stray format on row 1,048,576 makes enormous.
    for (r, c), cell in ws._cells.items():
        text = _text(cell)
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
