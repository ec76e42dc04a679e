"""Every hostile file (tests/hostile/cases.py) through `check`, `score` and the web server, each
command in a process capped at 1 GiB of address space: each file ends in one clear line naming it
or in a correct read, all of them within 30 s, and the clean files around them still give their
forms."""
from __future__ import annotations

import copy
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port

import cases
from hostile_run import PER_FILE_S, ROOT, capped, hostile, pianchai  # noqa: F401

ALL = cases.CASES + cases.GOOD
ERRORS = [c for c in ALL if not c.reads]
READS = [c for c in ALL if c.reads]


def _check_reads(case, forms_by_file: dict[str, list[dict]], names: dict[str, str]) -> None:
    """The case gave forms; with `like`, the same facts as its clean twin (after `edit`)."""
    got = cases.essence(forms_by_file.get(names[case.name], []))
    assert got and got[0]["indicators"], f"{case.name}: no form read"
    if case.like:
        want = copy.deepcopy(cases.essence(forms_by_file[names[case.like]]))
        if case.edit:
            case.edit(want)
        assert got == want, case.name


def _no_infinity(name: str):
    raise AssertionError(f"{name} in the JSON report (a number no float holds)")


def test_check_ends_every_file_clearly(hostile, tmp_path):
    files = [hostile[c.name] for c in ALL]
    out = tmp_path / "report.json"
    t = time.perf_counter()
    r = pianchai("check", "--no-nlp", "--format", "json", "-o", str(out),
                 *[os.fsencode(f) for f in files], timeout=PER_FILE_S)
    elapsed = time.perf_counter() - t
    assert r.returncode == 1, r.stderr.decode(errors="replace")
    assert b"Traceback" not in r.stderr, r.stderr.decode(errors="replace")
    report = json.loads(out.read_text(encoding="utf-8"), parse_constant=_no_infinity)  # valid UTF-8
    names = {c.name: str(hostile[c.name]).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
             for c in ALL}
    errors = {e["file"]: e for e in report["errors"]}
    forms: dict[str, list[dict]] = {}
    for f in report["forms"]:
        forms.setdefault(f["file"], []).append(f)
    for case in ERRORS:
        e = errors.get(names[case.name])
        assert e is not None, f"{case.name}: no error reported"
        assert re.search(case.error, e["message"]), f"{case.name}: {e['message']}"
        assert "\n" not in e["message"] and len(e["message"]) < 300, case.name
    for case in READS:
        assert names[case.name] not in errors, f"{case.name}: {errors.get(names[case.name])}"
        _check_reads(case, forms, names)
    assert "root:" not in out.read_text(encoding="utf-8")      # no external entity was resolved
    assert not Path("/tmp/pianchai_traversal_probe").exists()
    print(f"check: {len(files)} files in {elapsed:.1f} s")


def test_check_human_report_is_one_line_per_bad_file(hostile):
    files = [hostile[c.name] for c in ERRORS]
    r = pianchai("check", "--no-nlp", *[os.fsencode(f) for f in files], timeout=PER_FILE_S)
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    lines = r.stdout.decode("utf-8").splitlines()
    for f in files:
        mine = [line for line in lines if line.startswith(f"{f}:")]
        assert len(mine) == 1, f"{f}: {mine}"


def test_score_keeps_the_good_rows_and_finishes(hostile, tmp_path):
    folder = next(iter(hostile.values())).parent
    out = tmp_path / "scores.csv"
    report = tmp_path / "report.html"
    t = time.perf_counter()
    r = pianchai("score", str(folder), "-o", str(out), "--report", str(report), "--no-nlp",
                 "--workers", "2", timeout=2 * PER_FILE_S)
    elapsed = time.perf_counter() - t
    stderr = r.stderr.decode(errors="replace")
    assert r.returncode == 1, stderr
    assert "Traceback" not in stderr and "条错误记录" in stderr and "个文件未能评分" in stderr
    read = lambda p: list(csv.DictReader(open(p, newline="", encoding="utf-8-sig")))  # noqa: E731
    forms = read(out)
    errors = {e["file"]: e for e in read(tmp_path / "scores.errors.csv")}
    names = {c.name: str(hostile[c.name]).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
             for c in ALL}
    scored = {f["file"] for f in forms}
    suffixed = {c.name for c in ALL if hostile[c.name].is_file() and hostile[c.name].suffix.lower() in
                {".txt", ".xlsx", ".xls", ".docx", ".pdf", ".html"}}   # what a folder scan picks up
    for case in ALL:
        if case.name not in suffixed:
            continue
        name = names[case.name]
        if case.reads:
            assert name in scored and name not in errors, f"{case.name}: {errors.get(name)}"
        else:
            assert name in errors and re.search(case.error, errors[name]["message"]), \
                f"{case.name}: {errors.get(name)}"
    assert report.stat().st_size > 0
    assert not list(tmp_path.glob(".*")), "temporary files left"
    assert not (tmp_path / "scores.csv.partial.jsonl").exists()
    print(f"score: {len(suffixed)} files in {elapsed:.1f} s")


# ---- the web server ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    """`pianchai serve` in a process capped at 1 GiB, with a 10 s check timeout."""
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port),
                             "--timeout", "10"], cwd=ROOT, preexec_fn=capped,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/api/health", timeout=1)
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("server did not start: " + proc.stderr.read().decode(errors="replace"))
            time.sleep(0.1)
    with httpx.Client(base_url=base, timeout=2 * PER_FILE_S) as client:
        yield client
    proc.terminate()
    proc.wait(10)


def test_web_check_answers_every_file_and_stays_up(hostile, server):
    for case in ALL:
        path = hostile[case.name]
        if not path.is_file():
            continue                    # a pipe cannot be uploaded
        name = os.fsencode(path.name).decode("utf-8", "replace")
        t = time.perf_counter()
        with open(path, "rb") as fh:
            r = server.post("/api/check", files={"file": (name, fh)}, data={"no_nlp": "true"})
        took = time.perf_counter() - t
        assert took < PER_FILE_S, case.name
        body = r.json()
        if case.reads:
            assert r.status_code == 200 and body["forms"], f"{case.name}: {r.status_code} {body}"
        else:
            assert 400 <= r.status_code < 500, f"{case.name}: {r.status_code} {body}"
            assert body["message"].startswith(name) or r.status_code == 413, f"{case.name}: {body}"
        t = time.perf_counter()
        health = server.get("/api/health")
        assert health.status_code == 200 and time.perf_counter() - t < 0.1, case.name
