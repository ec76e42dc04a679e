"""The web app through FastAPI's TestClient: /api/explain, /api/check, /api/annotate, the page and
its assets, and the limits (size cap → 413, unreadable → 422, timeout → 504, nothing left on disk)."""
import io
import re
import threading
import time
import warnings
from pathlib import Path

import openpyxl
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import webforms
from rules.engine import Engine
from fakes import FakeVerdict
from web.app import STATIC, Settings, create_app

VAGUE = webforms.VAGUE


class FakeJudge:
    """Marks every "客观原因" as vague; records what it was asked."""

    def __init__(self):
        self.calls = []

    def judge(self, text, indicator="", target="", actual="", weight=None, score=None):
        self.calls.append({"text": text, "indicator": indicator, "target": target, "actual": actual,
                           "weight": weight, "score": score})
        vague = [{"phrase": "客观原因", "start": m.start(), "end": m.end(), "axis": "cause",
                  "reason": "未说明是什么客观情况", "suggestion": "写明哪个环节、什么因素导致未完成"}
                 for m in re.finditer("客观原因", text)]
        cause = "generic" if vague else ("absent" if not text else "specific")
        p = {"specific": 0.0, "generic": 0.0, "absent": 0.0}
        return FakeVerdict(cause, "generic", {**p, cause: 1.0}, {**p, "generic": 1.0}, True,
                           {"cause_clauses": [], "measure_clauses": [], "vague": vague,
                            "suggestions": [v["suggestion"] for v in vague]})


@pytest.fixture
def work(tmp_path):
    d = tmp_path / "work"
    d.mkdir()
    return d


RULES_ONLY = object()


def client(work, judge=None, engine=RULES_ONLY, **limits):
    """A TestClient over the app; by default a fake judge and a rules-only engine (engine=None:
    the app builds its engine from the judge, as in production)."""
    settings = Settings(tmp_dir=str(work), **limits)
    engine = Engine() if engine is RULES_ONLY else engine
    # the app answers only requests addressed to its bound host (127.0.0.1), not "testserver"
    return TestClient(create_app(judge=judge or FakeJudge(), engine=engine, settings=settings),
                      base_url="http://127.0.0.1:8000")


def upload(path: Path, name: str | None = None):
    return {"file": (name or path.name, path.read_bytes(), "application/octet-stream")}


def test_explain_returns_verdict_and_passes_the_context(work):
    judge = FakeJudge()
    with client(work, judge=judge) as c:
        r = c.post("/api/explain", json={"text": VAGUE, "indicator": "新购图书册数", "target": "≥30000册",
                                         "actual": "26000册", "weight": 20, "score": 17})
    assert r.status_code == 200
    d = r.json()
    assert d["text"] == VAGUE and d["cause"] == "generic" and d["flagged"] is True
    assert d["evidence"]["vague"][0]["phrase"] == "客观原因"
    assert judge.calls[-1] == {"text": VAGUE, "indicator": "新购图书册数", "target": "≥30000册",
                               "actual": "26000册", "weight": 20.0, "score": 17.0}
    assert r.headers["cache-control"] == "no-store"


def test_explain_rejects_bad_input_clearly(work):
    with client(work, max_text_chars=50) as c:
        assert c.post("/api/explain", json={"text": "x" * 51}).json()["error"] == "text too long"
        r = c.post("/api/explain", json={"text": "x", "weight": "十分"})
        assert r.status_code == 422 and "weight" in r.json()["message"]
        r = c.post("/api/explain", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422
        r = c.post("/api/explain", content=b"x" * (300 * 1024), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_explain_with_the_shipped_classifier(work):
    pytest.importorskip("nlp.judge")
    from nlp.judge import load_judge

    try:
        judge = load_judge()
    except FileNotFoundError as e:
        pytest.skip(f"no shipped model: {e}")
    with client(work, judge=judge) as c:
        d = c.post("/api/explain", json={"text": VAGUE, "indicator": "新购图书册数"}).json()
    assert d["flagged"] is True and d["cause"] in ("generic", "absent")
    phrases = {(v["phrase"], v["start"], v["end"]) for v in d["evidence"]["vague"]}
    assert all(VAGUE[s:e] == p for p, s, e in phrases)
    assert any(p == "客观原因" for p, _, _ in phrases)


def test_check_text_form(work, tmp_path):
    src = webforms.write_text(tmp_path / "form.txt")
    with client(work) as c:
        r = c.post("/api/check", files=upload(src, "某区图书馆自评表.txt"))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["summary"]["forms"] == 1 and report["errors"] == []
    form = report["forms"][0]
    assert form["project"] == "社区图书室图书更新与流通服务"
    codes = {f["code"] for f in form["findings"]}
    assert {"PC101", "PC201", "PC302"} <= codes
    assert all(f["file"] == "某区图书馆自评表.txt" for f in form["findings"])
    assert str(work) not in r.text                      # no server path leaks into the report
    assert all(f["cell"] is None for f in form["findings"])
    assert list(work.iterdir()) == []


def test_check_xlsx_gives_cells_and_uses_the_classifier(work, tmp_path):
    src = webforms.write_xlsx(tmp_path / "form.xlsx")
    judge = FakeJudge()
    with client(work, judge=judge, engine=None) as c:   # engine built from the judge on first use
        r = c.post("/api/check", files=upload(src))
    assert r.status_code == 200, r.text
    findings = r.json()["forms"][0]["findings"]
    row = webforms.FIRST_INDICATOR_ROW + 2
    assert any(f["code"] == "PC201" and f["cell"] == f"I{row}" and f["sheet"] == "自评表" for f in findings)
    assert any(c["text"] == VAGUE for c in judge.calls)  # the explanation went to the judge
    assert list(work.iterdir()) == []


def test_check_rules_only(work, tmp_path):
    src = webforms.write_text(tmp_path / "form.txt")
    judge = FakeJudge()
    with client(work, judge=judge, engine=None) as c:
        r = c.post("/api/check", files=upload(src), data={"no_nlp": "true"})
    assert r.status_code == 200 and judge.calls == []


def test_annotate_returns_the_workbook(work, tmp_path):
    src = webforms.write_xlsx(tmp_path / "form.xlsx")
    with client(work) as c:
        r = c.post("/api/annotate", files=upload(src, "图书馆.xlsx"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "%E5%9B%BE%E4%B9%A6%E9%A6%86.checked.xlsx" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["pianchai", "自评表"]
    assert int(r.headers["x-pianchai-findings"]) == wb["pianchai"].max_row - 1
    assert list(work.iterdir()) == []


def test_upload_over_the_cap_is_413(work, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 5000)
    with client(work, max_upload_bytes=4096) as c:
        r = c.post("/api/check", files=upload(big))
        assert r.status_code == 413 and "limit" in r.json()["message"]
        # just over the file cap but within the multipart allowance: caught while saving
        r = c.post("/api/annotate", files=upload(big))
        assert r.status_code == 413
        # far over: refused from Content-Length before the body is read
        r = c.post("/api/check", files={"file": ("x.txt", b"a" * 200_000)})
        assert r.status_code == 413 and "4 KB" in r.json()["message"]
    assert list(work.iterdir()) == []


def test_unreadable_file_is_422_with_the_reason(work, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("这不是自评表\n只是几行字\n", encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with client(work) as c:
        r = c.post("/api/check", files=upload(bad))
        assert r.status_code == 422
        assert r.json()["error"] == "unreadable" and r.json()["message"].startswith("notes.txt: ")
        assert "自评表" in r.json()["message"]
        r = c.post("/api/annotate", files=upload(broken))
        assert r.status_code == 422 and r.json()["message"].startswith("broken.xlsx: ")
        r = c.post("/api/check", files={"file": ("empty.txt", b"")})
        assert r.status_code == 422 and "empty" in r.json()["message"]
        r = c.post("/api/check")
        assert r.status_code == 422 and "file" in r.json()["message"]
    assert list(work.iterdir()) == []


def test_slow_check_times_out_with_504(work, tmp_path):
    release = threading.Event()

    class Slow(Engine):
        def check(self, form):
            release.wait(5)
            return super().check(form)

    src = webforms.write_text(tmp_path / "form.txt")
    try:
        with client(work, engine=Slow(), timeout_s=1.5) as c:
            t = time.perf_counter()
            r = c.post("/api/check", files=upload(src))
            assert time.perf_counter() - t < 4.5
        assert r.status_code == 504 and "1.5 s" in r.json()["message"]
    finally:
        release.set()
    assert list(work.iterdir()) == []


def test_page_and_assets_are_local(work):
    with client(work) as c:
        page = c.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assets = [a for a in re.findall(r'(?:src|href)="([^"]+)"', page.text) if a != "data:,"]
        assert sorted(assets) == ["/static/app.css", "/static/app.js"]
        for a in assets:
            assert c.get(a).status_code == 200
    for f in STATIC.iterdir():
        assert not re.search(r"https?://", f.read_text(encoding="utf-8")), f"{f.name} loads from outside"


def test_serve_binds_loopback_by_default():
    from cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"
