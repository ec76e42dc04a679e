"""Plain text extracted from PDFs: one line a row, cells separated by tabs.

Extractors that lose the tabs keep runs of two or more spaces between cells instead; a file with
no tab at all is split on those.
"""
from __future__ import annotations

import re
from pathlib import Path

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import MAX_CELLS, MAX_ROWS
from forms.sniff import decode_text

_WIDE_GAP = re.compile(r" {2,}")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Text files beyond this are not forms; refusing them keeps a batch's memory bounded.
MAX_BYTES = 20 * 1024 * 1024


def decode(data: bytes, file: str) -> str:
    """Text from bytes: UTF-8, GB18030 (line by line, they mix) or UTF-16 (forms.sniff)."""
    text = decode_text(data)
    if text is None:
        raise FormError(file, "not readable as UTF-8, GB18030 or UTF-16 text")
    return text


def read(path: str) -> list[Table]:
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise FormError(path, f"text file of {size / 2**20:.0f} MB is too large to be a form "
                              f"(limit {MAX_BYTES // 2**20} MB)")
    text = decode(p.read_bytes(), path)
    # rows end at line breaks only: str.splitlines() also splits at U+2028, NEL, VT, FF and
    # the like, which sit inside cells pasted from Word or a web page
    lines = _LINE_BREAK.split(text)
    if lines and not lines[-1]:
        lines.pop()
    if len(lines) > MAX_ROWS or len(lines) + text.count("\t") > MAX_CELLS:
        raise FormError(path, f"refused: {len(lines):,} lines and {text.count(chr(9)):,} tabs are over "
                              f"the limit of {MAX_ROWS:,} rows and {MAX_CELLS:,} cells")
    sep = "\t" if any("\t" in line for line in lines) else None
    rows = [line.split("\t") if sep else _WIDE_GAP.split(line.strip()) for line in lines]
    return [Table(rows, list(range(1, len(rows) + 1)), None)]
