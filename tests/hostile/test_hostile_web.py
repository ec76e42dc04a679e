"""The local server against a hostile web page and hostile clients: another site's page cannot
post to it (Origin) or reach it under its own name (Host, DNS rebinding), nor frame it; a slow
upload is cut off; odd names and texts get 4xx, not 500; a reader stuck on a file is killed
while /api/health keeps answering."""
from __future__ import annotations

import re
import socket
import threading
import time
import warnings

import httpx
import pytest

import cases
import stuck
from conftest import free_port
from hostile_run import ROOT  # noqa: F401  (puts tests/ and tests/hostile on sys.path)
from rules.engine import Engine
from web.app import Settings, _Readers, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FORM = cases.EXAMPLE.read_bytes()


def _client(tmp_path, **settings) -> TestClient:
    app = create_app(judge=object(), engine=Engine(), settings=Settings(tmp_dir=str(tmp_path), **settings))
    return TestClient(app, base_url="http://127.0.0.1:8000")


def _upload(c, **kw):
    return c.post("/api/check", files={"file": ("form.txt", FORM)}, data={"no_nlp": "true"}, **kw)


def test_a_foreign_host_is_refused(tmp_path):
    with _client(tmp_path) as c:
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example:8000"):
            r = _upload(c, headers={"host": host})
            assert r.status_code == 403 and r.json()["error"] == "forbidden host", host
            assert c.get("/api/health", headers={"host": host}).status_code == 403
        for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
            assert c.get("/api/health", headers={"host": host}).status_code == 200, host
    assert list(tmp_path.iterdir()) == []


def test_an_address_bound_to_every_interface_takes_ip_hosts_only(tmp_path):
    with _client(tmp_path, host="0.0.0.0") as c:
        assert c.get("/api/health", headers={"host": "192.168.1.20:8000"}).status_code == 200
        assert c.get("/api/health", headers={"host": "evil.example:8000"}).status_code == 403


def test_a_cross_origin_request_is_refused(tmp_path):
    with _client(tmp_path) as c:
        for headers in ({"origin": "http://evil.example"}, {"origin": "null"},
                        {"origin": "http://127.0.0.1:9999"}, {"sec-fetch-site": "cross-site"}):
            r = _upload(c, headers=headers)
            assert r.status_code == 403 and r.json()["error"] == "cross-origin", headers
            r = c.post("/api/explain", json={"text": "x"}, headers=headers)
            assert r.status_code == 403, headers
        r = _upload(c, headers={"origin": "http://127.0.0.1:8000", "sec-fetch-site": "same-origin"})
        assert r.status_code == 200 and r.json()["forms"]


def test_no_page_may_frame_the_server(tmp_path):
    with _client(tmp_path) as c:
        for path in ("/", "/api/health"):
            r = c.get(path)
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
            assert r.headers["x-frame-options"] == "DENY"


def test_odd_names_and_texts_are_4xx_not_500(tmp_path):
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\x00b\x01.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + FORM + \
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"no_nlp\"\r\n\r\ntrue\r\n--{boundary}--\r\n".encode()
    with _client(tmp_path) as c:
        r = c.post("/api/check", content=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        assert r.status_code == 200 and r.json()["forms"][0]["file"] == "ab.txt"
        r = c.post("/api/explain", content=b'{"text": "\\ud800"}', headers={"content-type": "application/json"})
        assert r.status_code == 422 and "surrogate" in r.json()["message"]
    assert list(tmp_path.iterdir()) == []


# ---- a live server: slow clients and stuck readers -------------------------------------------------

@pytest.fixture
def live():
    """Serve an app on a free port in this process; yields (base url, app setter)."""
    import uvicorn

    servers = []

    def start(app) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
        threading.Thread(target=server.run, daemon=True).start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        servers.append(server)
        return f"http://127.0.0.1:{port}"
    yield start
    for server in servers:
        server.should_exit = True


def test_a_slow_upload_is_cut_off(tmp_path, live):
    base = live(create_app(judge=object(), engine=Engine(),
                           settings=Settings(tmp_dir=str(tmp_path), body_timeout_s=1.0)))
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
                  b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\nslow")
        t = time.perf_counter()
        reply = b""
        while chunk := s.recv(4096):        # the server answers, then closes the connection
            reply += chunk
        assert time.perf_counter() - t < 5
    assert reply.startswith(b"HTTP/1.1 408") and b"did not arrive within 1 s" in reply
    assert httpx.get(base + "/api/health").status_code == 200


class _StuckReaders(_Readers):
    """The server's own reader children (fork server), each read spinning in C code."""

    def run(self, file, fn, *args, **kw):
        return super().run(file, stuck.spin, **kw)


def test_a_stuck_reader_is_killed_and_health_answers_meanwhile(tmp_path, live):
    app = create_app(judge=object(), engine=Engine(), settings=Settings(tmp_dir=str(tmp_path), timeout_s=2),
                     readers=_StuckReaders(2, 2.0))
    base = live(app)
    replies = []

    def post():
        replies.append(httpx.post(base + "/api/check", files={"file": ("form.txt", FORM)},
                                  data={"no_nlp": "true"}, timeout=30))
    posts = [threading.Thread(target=post) for _ in range(2)]      # every reader stuck
    t = time.perf_counter()
    for p in posts:
        p.start()
    time.sleep(0.5)
    with httpx.Client(base_url=base) as client:
        while any(p.is_alive() for p in posts):
            h = time.perf_counter()
            assert client.get("/api/health").status_code == 200
            assert time.perf_counter() - h < 0.1
            time.sleep(0.2)
    assert time.perf_counter() - t < 10
    for r in replies:
        assert r.status_code == 422, r.text
        assert re.match(r"form.txt: 已停止：处理超过 2 秒仍未完成", r.json()["message"])   # reports.messages
    assert len(replies) == 2
    r = httpx.post(base + "/api/check", files={"file": ("form.txt", FORM)}, data={"no_nlp": "true"}, timeout=30)
    assert r.status_code == 422          # fresh readers, stuck again, answered again
