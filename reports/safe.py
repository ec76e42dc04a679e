"""What pianchai writes stays inert, valid and whole, whatever the forms held.

- Text from a form never becomes a live formula. In a workbook a text cell is written as a string
  (openpyxl would make any text starting with "=" a formula: `=HYPERLINK("http://…?"&A1)` sends a
  cell away when the sheet is opened, and a genuine target "=100%" would turn into the number 1).
  In CSV, which has no types, a text starting with = + - @ tab or CR gets a leading apostrophe
  (the OWASP rule against CSV injection); so does one starting with an apostrophe, so reading our
  own CSV back (`--resume`) gives the text exactly.
- Text is valid UTF-8: a file name that is not (a folder copied from a GBK system) shows its
  undecodable bytes as \\xNN instead of failing the output.
- A file is written to a temporary name beside its target and moved into place, so a reader never
  sees half of it; a full disk is an OSError the caller reports, with nothing left behind.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r", "'")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_TEXT = 32767


def printable(text: str) -> str:
    """`text` with anything UTF-8 cannot encode escaped (bytes of a file name as \\xNN)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:      # a lone surrogate that did not come from a file name
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


_SURROGATE = re.compile("[\ud800-\udfff]")


def printable_json(text: str) -> str:
    """JSON text (json.dumps with ensure_ascii=False) made printable: the escapes printable()
    writes are themselves escaped, so the document still parses."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: printable(m.group()).replace("\\", "\\\\"), text)


def printable_row(row: dict) -> dict:
    """A row whose texts are all printable (a new dict only when one was not)."""
    if all(not isinstance(v, str) or v.isascii() or printable(v) is v for v in row.values()):
        return row
    return {k: printable(v) if isinstance(v, str) else v for k, v in row.items()}


def csv_text(value):
    """A CSV field that a spreadsheet will not run: risky texts get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_CSV_RISKY):
        return "'" + value
    return value


def csv_row(row: dict) -> dict:
    return {k: csv_text(v) for k, v in row.items()}


def from_csv_text(value: str) -> str:
    """The text csv_text was given (our own CSV read back)."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r'":
        return value[1:]
    return value


def xlsx_text(value):
    """A value openpyxl accepts as cell text: control characters it refuses dropped, cut at
    Excel's cell limit. Non-text values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_XLSX.sub("", printable(value))
    if len(value) > XLSX_MAX_TEXT:
        value = value[:XLSX_MAX_TEXT - 1] + "…"
    return value


def keep_text(cell) -> None:
    """A cell openpyxl typed as a formula because its text starts with "=": make it text again."""
    if cell.data_type == "f" and isinstance(cell.value, str):
        cell.data_type = "s"


def append_text_row(ws, values) -> None:
    """ws.append(values) with every text written as text (see keep_text)."""
    values = [xlsx_text(v) for v in values]
    ws.append(values)
    row = ws.max_row
    for col, v in enumerate(values, 1):
        if isinstance(v, str) and v.startswith("="):
            keep_text(ws.cell(row, col))


def write_only_cells(ws, values) -> list:
    """Cells for a write-only worksheet's append, texts kept as text."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for v in values:
        v = xlsx_text(v)
        if isinstance(v, str) and v.startswith("="):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            v = cell
        out.append(v)
    return out


def temp_beside(target: Path, suffix: str = ".tmp") -> str:
    """A new empty file next to `target` (same file system, so os.replace is atomic), with the
    permissions a new file would get."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.resolve().parent)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    os.close(fd)
    return name


def write_atomic(path: str | os.PathLike, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write `data` to `path` through a temporary file; OSError (disk full, …) leaves nothing."""
    target = Path(path)
    name = temp_beside(target)
    try:
        if isinstance(data, str):
            data = printable(data).encode(encoding)
        with open(name, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.unlink(name)
