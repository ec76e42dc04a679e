"""Properties of the readers and the interpreter, over inputs hypothesis makes up: whatever the
cells or the bytes, reading ends in forms or in the product's one error type, FormError, naming
the file — never another exception, never a number JSON cannot hold, never a hang.

Reads run in a killable reader child (forms.isolate) with a 20 s deadline, so an input that hangs
a parser fails the test instead of hanging it; the child reports any exception other than
FormError by name rather than turning it into one.
"""
from __future__ import annotations

import json
import os
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import cases
import formspec
from forms.cells import Table
from forms.errors import FormError
from forms.interpret import interpret
from forms.isolate import Isolated

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                           HealthCheck.too_slow], derandomize=True)

WORDS = ["财政项目支出绩效自评表", "项目名称", "主管部门", "实施单位", "年度资金总额", "年初预算数",
         "全年预算数", "全年执行数", "分值", "执行率", "得分", "一级指标", "二级指标", "三级指标",
         "年度指标值", "实际完成值", "偏差原因分析及改进措施", "产出指标", "数量指标", "效益指标",
         "满意度指标", "总分", "合计", "权重", "≥", "≤", "%", "=100%", "—", "及时", "（2023年度）",
         "由于", "下一步将", "万元", "人次"]
NUMBER = st.one_of(st.integers(-10**6, 10**6).map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr),
                   st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
                   st.integers(0, 10**400).map(str),
                   st.sampled_from(["1,234.5", "１００", "9（扣1分）", "≥95%", "<=4小时", "1e400", "-0"]))
CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), max_size=12)
ODD = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\r\n"), max_size=8)
CELL = st.one_of(st.sampled_from(WORDS), NUMBER, CJK, ODD, st.just(""))
ROWS = st.lists(st.lists(CELL, max_size=12), min_size=1, max_size=40)


def outcome(path: str) -> tuple[str, object]:
    """Read `path` (in the reader child): ("forms", JSON of the forms), ("error", message) for a
    FormError, ("raised", what) for anything else."""
    from forms.read import read_forms

    try:
        forms = read_forms(path)
    except FormError as e:
        return "error", str(e)
    except Exception as e:          # noqa: BLE001  (the property under test)
        return "raised", f"{type(e).__name__}: {e}"
    return "forms", json.dumps([f.to_dict() for f in forms], ensure_ascii=False, allow_nan=False)


@pytest.fixture(scope="module")
def reader():
    with Isolated(timeout=20) as r:
        r.start()
        yield r


def _assert_clear(reader, path: Path) -> None:
    kind, what = reader.run(str(path), outcome, str(path))
    assert kind != "raised", f"{path.name}: {what}"
    if kind == "error":
        assert what.startswith(str(path)) and "\n" not in what, what


@SETTINGS
@given(rows=ROWS)
def test_the_interpreter_takes_any_cells(rows):
    for form in interpret([Table(rows)], "cells.txt"):
        json.dumps(form.to_dict(), ensure_ascii=False, allow_nan=False)


@SETTINGS
@given(rows=ROWS, encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-16-le"]))
def test_any_tab_separated_cells_read_or_fail_clearly(reader, tmp_path, rows, encoding):
    text = "\n".join("\t".join(r) for r in rows)
    path = tmp_path / "cells.txt"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:          # gb18030 has every code point but not every string form
        return
    _assert_clear(reader, path)


MAGIC = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<html><table><tr><td>",
         b"\xff\xfe", b"\xef\xbb\xbf"]
SUFFIXES = [".txt", ".xlsx", ".xls", ".docx", ".pdf", ".html", ".dat", ""]


@settings(SETTINGS, max_examples=150)
@given(head=st.sampled_from(MAGIC), body=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_read_or_fail_clearly(reader, tmp_path, head, body, suffix):
    path = tmp_path / f"bytes{suffix}"
    path.write_bytes(head + body)
    _assert_clear(reader, path)


class Clean(dict):
    """A clean form's bytes by format (short repr: hypothesis prints its arguments)."""

    def __repr__(self) -> str:
        return "<clean forms>"


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Clean:
    folder = tmp_path_factory.mktemp("clean")
    return Clean({fmt: formspec.render(cases.MOF, fmt, folder).read_bytes() for fmt in formspec.RENDERERS})


def _mutate(data: bytes, seed: int, flips: int) -> bytes:
    rnd = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        i = rnd.randrange(len(out))
        out[i] = rnd.randrange(256) if rnd.random() < 0.7 else out[(i * 7) % len(out)]
    if rnd.random() < 0.2:
        del out[rnd.randrange(len(out)):]
    return bytes(out)


def _mutate_zip(data: bytes, seed: int, flips: int, path: Path) -> bytes:
    """The same package with one XML part damaged (bytes changed before compression), so the
    damage reaches the XML parsers rather than stopping at the zip's checksums."""
    src = path.with_suffix(".src")
    src.write_bytes(data)
    with zipfile.ZipFile(src) as z:
        names = [n for n in z.namelist() if n.endswith(".xml")]
        victim = random.Random(seed).choice(names)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for n in z.namelist():
                part = z.read(n)
                out.writestr(n, _mutate(part, seed, flips) if n == victim else part)
    src.unlink()
    return path.read_bytes()


@settings(SETTINGS, max_examples=60)
@given(fmt=st.sampled_from(sorted(formspec.RENDERERS)), seed=st.integers(0, 2**32), flips=st.integers(1, 40))
def test_damaged_forms_read_or_fail_clearly(reader, clean, tmp_path, fmt, seed, flips):
    path = tmp_path / f"damaged{formspec.SUFFIX[fmt]}"
    if fmt in ("xlsx", "docx"):
        _mutate_zip(clean[fmt], seed, flips, path)
    else:
        path.write_bytes(_mutate(clean[fmt], seed, flips))
    _assert_clear(reader, path)
    os.unlink(path)
