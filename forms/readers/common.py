"""What the binary readers share: cell text clean-up, number rendering, size guards, grids.

Every reader hands the interpreter the same kind of cell text: no line breaks left by wrapping
(a break next to a CJK character is dropped, any other becomes one space), no-break and
ideographic spaces at the ends stripped, numbers written as a person reads them ("10", not
"10.0").

Merged or spanned cells are handled the same way in every format, chosen by `merged`:
- "down" (the default): the text is carried down the merge's first column, so every row of a
  vertical merge has it (level labels, one explanation written for two rows), while a horizontal
  merge stays one filled cell (a title or a text across columns is not doubled). A number merged
  over rows is one value for the group and stays in the top row only.
- "first": the text sits in the merge's top-left slot only, the covered slots are "" — the shape
  PDF text extraction gives.
- "repeat": the text is repeated in every slot the merge covers, across and down.
"""
from __future__ import annotations

import math
import os
import re
import zipfile

from forms.cells import Table
from forms.errors import FormError
from forms.quantity import parse_number

# Limits that keep one hostile or broken file from taking the machine down. Real forms are a few
# hundred KiB; these are orders of magnitude above that.
MAX_FILE_BYTES = 200 * 1024 * 1024          # on disk, any binary format
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024      # xlsx/docx: sum of declared uncompressed sizes
MAX_ZIP_RATIO = 200                         # a member this much bigger than its compressed size...
MAX_ZIP_RATIO_FLOOR = 16 * 1024 * 1024      # ...and above this size, is treated as a zip bomb
MAX_ZIP_MEMBERS = 10_000                    # parts of an xlsx/docx (a real one has tens)
MAX_CELLS = 1_000_000                       # cells in one file's grids, after merges
MAX_ROWS = 100_000                          # rows in one file (a thousand forms)
MAX_SPAN = 1000                             # rowspan/colspan honoured at most this far

MERGED_MODES = ("first", "down", "repeat")
MERGED = "down"


def merged_mode(merged: str | None) -> str:
    """The merge policy a reader was asked for (None → the default, MERGED)."""
    mode = MERGED if merged is None else merged
    if mode not in MERGED_MODES:
        raise ValueError(f"merged must be one of {MERGED_MODES}, not {mode!r}")
    return mode

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_BREAK_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*\r?\n[ \t]*|[ \t]*\r?\n[ \t]*(?=[{_CJK}])")
_BREAK_ANY = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t]*")
_STRIP = " \t\r\n\u00a0\u3000\u200b\ufeff"


def clean_cell(text: str | None) -> str:
    """One cell's text as the interpreter wants it: wrapping undone, ends stripped."""
    if not text:
        return ""
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    if "\n" in text or "\r" in text:
        text = _BREAK_CJK.sub("", text.strip(_STRIP))
        text = _BREAK_ANY.sub(" ", text)
    return text.strip(_STRIP)


def number_text(value: float, percent: bool = False, decimals: int | None = None) -> str:
    """A spreadsheet number as its text: 10.0 → "10", 9.5 → "9.5", 0.95 as percent → "95%".

    `decimals` (from a number format like 0.00) pads to that many places, as the sheet shows it.
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if percent:
        value = value * 100
    if decimals is not None and decimals > 0:
        text = f"{value:.{decimals}f}"
    elif float(value).is_integer():
        text = str(int(value))
    else:
        text = f"{value:.15g}"
        if "e" in text:
            text = f"{value:f}".rstrip("0").rstrip(".")
    return text + "%" if percent else text


_DECIMALS = re.compile(r"0\.(0+)")


def format_hint(number_format: str | None) -> tuple[bool, int | None]:
    """(is percent, decimals) from an Excel number format such as '0.00%' or '#,##0.00'."""
    if not number_format or number_format == "General":
        return False, None
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]', "", number_format.split(";")[0])
    m = _DECIMALS.search(fmt)
    return "%" in fmt, (len(m.group(1)) if m else None)


def check_file_size(path: str, limit: int = MAX_FILE_BYTES) -> int:
    """The file's size; FormError if it is empty or over `limit`."""
    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise FormError(path, f"cannot open: {e.strerror or e}") from None
    if size == 0:
        raise FormError(path, "empty file")
    if size > limit:
        raise FormError(path, f"file is {size // (1024 * 1024)} MiB, over the {limit // (1024 * 1024)} MiB limit for this format")
    return size


def check_zip_members(path: str) -> None:
    """Refuse a zip whose directory lists more than MAX_ZIP_MEMBERS parts, from the count in its
    end record, before zipfile builds an object for each (a damaged zip is left to zipfile)."""
    import struct

    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536 - 22))
            tail = f.read()
    except OSError as e:
        raise FormError(path, f"cannot open: {e.strerror or e}") from None
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        return
    count = struct.unpack_from("<H", tail, end + 10)[0]
    if count == 0xFFFF:                       # zip64: the count is in the zip64 end record
        z64 = tail.rfind(b"PK\x06\x06", 0, end)
        if z64 >= 0 and z64 + 40 <= len(tail):
            count = struct.unpack_from("<Q", tail, z64 + 32)[0]
    if count > MAX_ZIP_MEMBERS:
        raise FormError(path, f"refused: the zip archive lists {count:,} members "
                              f"(limit {MAX_ZIP_MEMBERS:,})")


def check_zip(path: str, kind: str) -> None:
    """Refuse a truncated zip or a zip bomb before any library unpacks it.

    Only the central directory is read: declared uncompressed sizes are summed and compared with
    the limits, and each member's compression ratio is checked.
    """
    check_zip_members(path)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise FormError(path, f"not a readable {kind} file: the zip container is truncated or corrupt") from None
    except OSError as e:
        raise FormError(path, f"cannot open: {e.strerror or e}") from None
    total = 0
    for info in infos:
        total += info.file_size
        if (info.file_size > MAX_ZIP_RATIO_FLOOR
                and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)):
            raise FormError(path, f"refused: member {info.filename} would unpack to {info.file_size:,} bytes "
                                  f"from {info.compress_size:,} (zip bomb?)", where=info.filename)
    if total > MAX_UNZIPPED_BYTES:
        raise FormError(path, f"refused: {kind} would unpack to {total:,} bytes, over the "
                              f"{MAX_UNZIPPED_BYTES:,} byte limit")


def fill_grid(height: int, width: int, values: dict[tuple[int, int], str],
              merges: list[tuple[int, int, int, int]], path: str, where: str | None,
              merged: str = "first") -> list[list[str]]:
    """A full `height` × `width` grid of texts; each merge (r0, c0, r1, c1, 0-based inclusive)
    spreads its top-left text by the `merged` policy. A merge reaching past the last filled row or
    column extends the grid (its text is shown there); merges starting outside it are ignored."""
    if merged != "first":
        for r0, c0, r1, c1 in merges:
            if values.get((r0, c0)):
                height = max(height, r1 + 1)
                width = max(width, (c1 if merged == "repeat" else c0) + 1)
    if height * width > MAX_CELLS:
        raise FormError(path, f"refused: {height} rows × {width} columns is over the {MAX_CELLS:,} cell limit",
                        where=where)
    grid = [[""] * width for _ in range(height)]
    for (r, c), text in values.items():
        if r < height and c < width:
            grid[r][c] = text
    for r0, c0, r1, c1 in merges:
        if r0 >= height or c0 >= width or merged == "first":
            continue
        text = grid[r0][c0]
        if not text:
            continue
        # A number merged over several rows is one value for the group (a shared weight):
        # copying it down would count it once per row.
        numeric = parse_number(text) is not None
        for r in range(r0, min(r1, height - 1) + 1):
            row = grid[r]
            if merged == "repeat":
                for c in range(c0, min(c1, width - 1) + 1):
                    row[c] = text
            elif merged == "down":
                if numeric:
                    break
                row[c0] = text
            else:
                break
    return grid


def table_from_grid(grid: list[list[str]], name: str | None, first_line: int = 1) -> Table | None:
    """A Table of the grid's non-empty rows, each keeping its source row number; None if all empty.

    Trailing empty columns are trimmed so every row has the same, useful width.
    """
    width = 0
    for row in grid:
        for c in range(len(row) - 1, -1, -1):
            if row[c]:
                width = max(width, c + 1)
                break
    rows, lines = [], []
    for i, row in enumerate(grid):
        if any(row):
            rows.append((row + [""] * width)[:width])
            lines.append(first_line + i)
    if not rows:
        return None
    return Table(rows=rows, lines=lines, name=name)


def text_table(paragraphs: list[tuple[int, str]], name: str | None) -> Table | None:
    """Text outside any table (a title, "（2021年度）") as one-cell rows, with their positions."""
    kept = [(line, clean_cell(t)) for line, t in paragraphs]
    kept = [(line, t) for line, t in kept if t]
    if not kept:
        return None
    return Table(rows=[[t] for _, t in kept], lines=[line for line, _ in kept], name=name)
