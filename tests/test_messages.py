"""The message catalogue (reports/messages.toml): every entry in both languages with the same
fields, every rule documented, every reader error message of forms/ worded by a pattern."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from conftest import ROOT
from reports.messages import catalogue, reader_error, set_lang


def _entries(node, path=()):
    if isinstance(node, dict) and set(node) >= {"zh", "en"}:
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _entries(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _entries(v, (*path, str(i)))


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_entry_has_both_languages_with_the_same_fields():
    entries = list(_entries(catalogue()))
    assert len(entries) > 200
    for path, e in entries:
        assert e["zh"].strip() and e["en"].strip(), path
        assert _fields(e["zh"]) == _fields(e["en"]), path
        assert re.search(r"[\u4e00-\u9fff]", e["zh"]) or not re.search(r"[A-Za-z]", e["zh"]) \
            or path[0] in ("column", "score"), path


def test_every_rule_is_documented_with_its_options():
    from rules.engine import registry

    docs = catalogue()["rules"]
    for code, cls in registry().items():
        assert {"summary", "why", "bad", "good"} <= set(docs[code]), code
        assert set(docs[code].get("options", {})) == set(cls.options), code


def test_every_reader_error_of_forms_is_worded():
    """Each FormError message forms/ can raise (its literal text, with the f-string's fields as
    wildcards) must match a catalogue pattern: a new message without Chinese words fails here."""
    patterns = [re.compile(e["match"], re.S) for e in catalogue()["reader_error"]]
    messages = []
    for path in (ROOT / "forms").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "FormError" and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant):
                    messages.append(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    messages.append("".join(v.value if isinstance(v, ast.Constant) else "1"
                                            for v in arg.values))
    assert len(messages) > 30
    unworded = [m for m in messages if m != "1" and not any(p.fullmatch(m) for p in patterns)]
    assert unworded == []


def test_english_on_request():
    assert reader_error("no such file") == "文件不存在"
    set_lang("en")
    try:
        assert reader_error("not a readable xls workbook (XLRDError: junk)") == \
            "not a readable xls file: damaged or not in this format"
    finally:
        set_lang(None)
