"""One entry point from a path to forms: sniff the format by content, read cells, interpret."""
from __future__ import annotations

import importlib
from pathlib import Path

from forms.errors import FormError
from forms.interpret import interpret
from forms.model import Form


def read_forms(path: str | Path) -> list[Form]:
    """Every form in the file, or FormError naming the file and what is wrong with it."""
    from forms.sniff import sniff

    path = str(path)
    p = Path(path)
    if not p.exists():
        raise FormError(path, "no such file")
    if p.is_dir():
        raise FormError(path, "is a folder, not a form file")
    if not p.is_file():   # a named pipe would wait for a writer forever; a device never ends
        raise FormError(path, "not a regular file (a pipe, socket or device)")
    if p.stat().st_size == 0:
        raise FormError(path, "file is empty")
    fmt = sniff(path)
    reader = importlib.import_module(f"forms.readers.{fmt}")
    try:
        tables = reader.read(path)
    except FormError:
        raise
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as e:
        raise FormError(path, f"cannot read as {fmt}: {type(e).__name__}: {e}") from e
    forms = interpret(tables, path)
    if not any(f.indicators or f.unreadable for f in forms):
        raise FormError(path, "no 自评表 found: no indicator table (一级指标/三级指标/年度指标值 header) "
                              "in this file", stage="interpret")
    return [f for f in forms if f.indicators or f.project or f.unreadable]
