"""Word lists the rules read — direction cues, verbal results, empty explanations — kept as data
files beside this module (rules/*.txt): a comment header saying what belongs, then `[section]`
lines and one entry a line. Loaded once."""
from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def sections(name: str) -> dict[str, tuple[str, ...]]:
    """The entries of rules/NAME.txt by section, in file order; "#" starts a comment."""
    out: dict[str, list[str]] = {}
    current = None
    for line in Path(__file__).with_name(f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
        elif current is None:
            raise ValueError(f"rules/{name}.txt: entry {line!r} before any [section]")
        else:
            current.append(line)
    return {k: tuple(v) for k, v in out.items()}
