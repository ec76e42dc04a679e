"""The web API's edges: /api/explain refuses unknown fields and a missing text (422) with
messages that read cleanly, unreadable uploads are explained in Chinese, and the README's
/api/health example is what the server answers."""
import json
import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conftest import ROOT
from rules.engine import Engine
from test_web import FakeJudge
from web.app import Settings, create_app


def client(tmp_path):
    return TestClient(create_app(judge=FakeJudge(), engine=Engine(), settings=Settings(tmp_dir=str(tmp_path))),
                      base_url="http://127.0.0.1:8000")


def test_explain_refuses_unknown_fields_and_a_missing_text(tmp_path):
    with client(tmp_path) as c:
        r = c.post("/api/explain", json={"txt": "由于客观原因未完成。"})
        assert r.status_code == 422
        assert r.json()["message"] == "text: Field required; txt: Extra inputs are not permitted"
        r = c.post("/api/explain", json={})
        assert r.status_code == 422 and r.json()["message"] == "text: Field required"
        r = c.post("/api/explain", json=["由于客观原因"])
        assert r.status_code == 422 and not r.json()["message"].startswith(":")
        for body in (c.post("/api/explain", json={"text": "x", "weight": "十分"}).json(),):
            assert not re.search(r"(^|; ): ", body["message"])
        assert c.post("/api/explain", json={"text": ""}).status_code == 200


def test_unreadable_upload_is_explained_in_chinese(tmp_path):
    with client(tmp_path) as c:
        r = c.post("/api/check", files={"file": ("broken.xlsx", b"PK\x03\x04" + b"\0" * 100, "application/octet-stream")})
        assert r.status_code == 422
        assert r.json()["message"] == "broken.xlsx: 无法读取的 xlsx 文件：文件不完整或已损坏"


def test_readme_health_example_matches_the_server(tmp_path):
    with client(tmp_path) as c:
        served = c.get("/api/health").json()
    for readme in (ROOT / "README.md", ROOT / "web" / "README.md"):
        text = readme.read_text(encoding="utf-8")
        shown = re.search(r"`GET /api/health`[^{]*?`(\{[^`]*\})`", text)
        assert shown, readme
        assert json.loads(shown.group(1)) == served, readme
