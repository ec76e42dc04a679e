"""Excel 97–2003 workbooks (.xls, OLE2/BIFF) → one Table per non-empty sheet, with xlrd.

Opened with `formatting_info=True` so merged ranges (and number formats, for "95%") are known; a
merged range's top-left text is spread by the `merged` policy (forms.readers.common). Rows are
full width, `lines` are sheet row numbers (1-based), names are sheet names — as in the xlsx reader.
An xlsx or HTML file merely named .xls never gets here: `forms.sniff` routes it by content.

Rows are loaded ragged (as long as their last stored cell): xlrd would otherwise pad every row to
the widest, and a merged range reaching the sheet's last cell would make 16 million cells out of
a 15 KiB file. The stored cells are counted before any is read.
"""
from __future__ import annotations

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import (MAX_CELLS, check_file_size, clean_cell, fill_grid, format_hint,
                                  merged_mode, number_text, table_from_grid)

MAX_XLS_BYTES = 64 * 1024 * 1024  # xlrd holds the whole workbook; BIFF forms are far smaller


def read(path: str, merged: str | None = None) -> list[Table]:
    mode = merged_mode(merged)
    check_file_size(path, MAX_XLS_BYTES)
    import xlrd

    try:
        try:
            book = xlrd.open_workbook(path, formatting_info=True, on_demand=True, ragged_rows=True)
        except NotImplementedError:  # formatting_info unsupported for this file: lose merges only
            book = xlrd.open_workbook(path, on_demand=True, ragged_rows=True)
    except Exception as e:  # XLRDError, CompoundDocError, struct.error, AssertionError, ...
        if _encrypted(path, e):
            raise FormError(path, "encrypted workbook: save it without a password and read that") from None
        raise FormError(path, f"not a readable xls workbook ({type(e).__name__}: {e})") from None
    try:
        tables = []
        for index in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(index)
                table = _sheet(book, sheet, path, mode)
            except FormError:
                raise
            except Exception as e:
                raise FormError(path, f"sheet {index + 1} cannot be read ({type(e).__name__}: {e})",
                                where=f"sheet {index + 1}") from None
            if table is not None:
                tables.append(table)
            book.unload_sheet(index)
        return tables
    finally:
        book.release_resources()


_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")   # a stream name in the OLE2 directory


def _encrypted(path: str, error: Exception) -> bool:
    """A password-protected workbook: an xls whose BIFF stream is encrypted (xlrd says so), or an
    xlsx saved with a password, which Office wraps in an OLE2 container with an EncryptedPackage
    stream (so it is sniffed as xls)."""
    if "encrypted" in str(error).lower():
        return True
    with open(path, "rb") as fh:
        return _ENCRYPTED_PACKAGE in fh.read(MAX_XLS_BYTES)


def _sheet(book, sheet, path: str, mode: str) -> Table | None:
    import xlrd

    stored = sum(sheet.row_len(r) for r in range(sheet.nrows))
    if stored > MAX_CELLS:
        raise FormError(path, f"refused: {stored:,} cells, over the {MAX_CELLS:,} cell limit", where=sheet.name)
    empty = (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR)
    values: dict[tuple[int, int], str] = {}
    height = width = 0
    for r in range(sheet.nrows):
        types = sheet.row_types(r)
        if all(kind in empty for kind in types):
            continue
        row = sheet.row_values(r)
        for c, kind in enumerate(types):
            if kind in empty:
                continue
            text = _text(book, sheet, xlrd.sheet.Cell(kind, row[c]), r, c, xlrd)
            if text:
                values[(r, c)] = text
                height, width = max(height, r + 1), max(width, c + 1)
    if not values:
        return None
    merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
    return table_from_grid(fill_grid(height, width, values, merges, path, sheet.name, mode), sheet.name)


def _text(book, sheet, cell, r: int, c: int, xlrd) -> str:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return clean_cell(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if kind == xlrd.XL_CELL_DATE:
        try:
            d = xlrd.xldate_as_datetime(cell.value, book.datemode)
        except Exception:
            return number_text(cell.value)
        return d.date().isoformat() if (d.hour, d.minute, d.second) == (0, 0, 0) else d.isoformat(sep=" ")
    if kind == xlrd.XL_CELL_NUMBER:
        percent, decimals = False, None
        if book.formatting_info:
            try:
                xf = book.xf_list[sheet.cell_xf_index(r, c)]
                percent, decimals = format_hint(book.format_map[xf.format_key].format_str)
            except (IndexError, KeyError, AttributeError):
                pass
        return number_text(cell.value, percent, decimals)
    return clean_cell(str(cell.value))
