"""Plain text extracted from PDFs: one line a row, cells separated by tabs.

Extractors that lose the tabs keep runs of two or more spaces between cells instead; a file with
no tab at all is split on those.
"""
from __future__ import annotations

import re
from pathlib import Path

from forms.cells import Table
from forms.errors import FormError

_WIDE_GAP = re.compile(r" {2,}")
# Text files beyond this are not forms; refusing them keeps a batch's memory bounded.
MAX_BYTES = 20 * 1024 * 1024


def decode(data: bytes, file: str) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else GB18030, the encodings forms come in."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormError(file, "not readable as UTF-8 or GB18030 text")


def read(path: str) -> list[Table]:
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise FormError(path, f"text file of {size / 2**20:.0f} MB is too large to be a form "
                              f"(limit {MAX_BYTES // 2**20} MB)")
    text = decode(p.read_bytes(), path)
    lines = text.splitlines()
    sep = "\t" if any("\t" in line for line in lines) else None
    rows = [line.split("\t") if sep else _WIDE_GAP.split(line.strip()) for line in lines]
    return [Table(rows, list(range(1, len(rows) + 1)), None)]
