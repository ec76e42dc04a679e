"""The damage extraction and re-posting does to a form, applied to every readable real dev form:
the read must not change (or, where the damage changes the text itself, its numbers must not).

Each case is one class of damage seen in published files: a page number or running title
between two rows, CRLF or GB18030 or a BOM, no-break spaces, blank lines, spaced-out header
words, "98 %" and "≥ 95", full-width digits and punctuation, stray tabs at either end of a line.
Dev files of difficulty ≤ 3 only (tests/real/split.toml): the holdout is never debugged.
Skips when ../shared is absent.
"""
from __future__ import annotations

import json
import re
import tomllib

import pytest

from conftest import ROOT, SHARED
from forms.read import read_forms

FORMS = SHARED / "real" / "forms"
_FULL_DIGITS = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
_HALF_DIGITS = {v: k for k, v in _FULL_DIGITS.items()}


def _dev_files() -> list[str]:
    if not FORMS.exists():
        pytest.skip("../shared is absent: real-form tests skipped")
    holdout = set(tomllib.loads((ROOT / "tests" / "real" / "split.toml").read_text())["holdout"])
    names = []
    for expected in sorted(FORMS.glob("*.expected.json")):
        name = expected.name.split(".")[0]
        if name not in holdout and json.loads(expected.read_text(encoding="utf-8")).get("reader_difficulty", 1) <= 3:
            names.append(name)
    return names


def _header_line(lines: list[str]) -> int | None:
    return next((k for k, line in enumerate(lines) if "三级指标" in line or "指标名称" in line), None)


def _insert_after_first_row(text: str, extra: list[str]) -> str | None:
    lines = text.split("\n")
    k = _header_line(lines)
    if k is None or k + 3 >= len(lines):
        return None
    return "\n".join(lines[:k + 2] + extra + lines[k + 2:])


def _page_break(text: str) -> str | None:
    return _insert_after_first_row(text, ["", "第 1 页，共 2 页", "— 2 —"])


def _running_title(text: str) -> str | None:
    lines = text.split("\n")
    k = _header_line(lines)
    title = next((line for line in lines[:k or 0] if "自评表" in line and len(line) < 60), None)
    if title is None or not re.search(r"\d", lines[k + 1]):
        return None          # no title, or a two-line header (repeating half of it is no page)
    return _insert_after_first_row(text, [title, lines[k]])


def _spaced_header(text: str) -> str:
    lines = text.split("\n")
    k = _header_line(lines)
    if k is not None:
        lines[k] = "\t".join(" ".join(c) if 3 <= len(c) <= 6 else c for c in lines[k].split("\t"))
    return "\n".join(lines)


# name → (damage, encoding, whether only the numbers and names must survive)
DAMAGE = {
    "page number between rows": (_page_break, "utf-8", False),
    "title and header again on the next page": (_running_title, "utf-8", False),
    "CRLF line ends": (lambda t: t.replace("\n", "\r\n"), "utf-8", False),
    "byte-order mark": (lambda t: "\ufeff" + t, "utf-8", False),
    "GB18030": (lambda t: t, "gb18030", False),
    "no-break spaces": (lambda t: t.replace(" ", "\u00a0"), "utf-8", False),
    "blank lines between rows": (lambda t: "\n\n".join(t.split("\n")), "utf-8", False),
    "spaced-out header words": (_spaced_header, "utf-8", False),
    "tabs at both line ends": (lambda t: "\n".join("\t" + line + "\t\t" for line in t.split("\n")), "utf-8", False),
    "a space before %": (lambda t: re.sub(r"(\d)%", r"\1 %", t), "utf-8", True),
    "a space after ≥": (lambda t: re.sub(r"([≥≤>=<])(\d)", r"\1 \2", t), "utf-8", True),
    "full-width digits": (lambda t: t.translate(_FULL_DIGITS), "utf-8", True),
    "full-width punctuation": (lambda t: t.translate(str.maketrans("():,", "（）：，")), "utf-8", True),
}


def _reading(path, numbers_only: bool) -> list:
    out = []
    for form in read_forms(path):
        rows = []
        for i in form.indicators:
            if numbers_only:
                rows.append((bool(i.indicator), i.weight, i.score))
            else:
                rows.append((i.level1, i.level2, i.indicator, i.target, i.actual, i.weight, i.score, i.explanation))
        funds = (form.funds.budget_full_year, form.funds.executed, form.funds.weight, form.funds.score)
        out.append((None if numbers_only else form.project, form.year, rows, funds))
    return out


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_does_not_change_the_reading(tmp_path, damage):
    fn, encoding, numbers_only = DAMAGE[damage]
    tried = changed = 0
    for name in _dev_files():
        text = (FORMS / f"{name}.txt").read_text(encoding="utf-8")
        damaged = fn(text)
        if damaged is None:
            continue
        path = tmp_path / f"{name}.txt"
        path.write_bytes(damaged.encode(encoding))
        tried += 1
        if _reading(path, numbers_only) != _reading(FORMS / f"{name}.txt", numbers_only):
            changed += 1
            print(f"{damage}: {name} read differently")
    assert tried >= 5 and changed == 0
