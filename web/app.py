"""The drafting page and its JSON API: live verdicts on one explanation, and form upload → report
and annotated workbook.

    POST /api/explain   {"text", "indicator"?, "target"?, "actual"?, "weight"?, "score"?} → verdict
    POST /api/check     multipart "file" (+ "no_nlp") → {"forms", "errors", "summary"} (check --format json)
    POST /api/annotate  multipart "file" (+ "no_nlp") → the annotated .xlsx
    GET  /api/health    → {"ok": true, ...}
    GET  /              → the page (web/static, served locally; no CDN)

Limits: uploads over `Settings.max_upload_bytes` → 413 (the body is counted while it arrives, so
a missing or false Content-Length does not help); a body still arriving after
`Settings.body_timeout_s` → 408; an unreadable file → 422 with the reader's message. Reading runs
in a child process (forms.isolate, one per check thread) that is killed when it passes
`Settings.timeout_s` (→ 422) or its memory ceiling, so a hostile upload cannot hang or exhaust the
server; rules and classifier still running a second after the timeout → 504. Uploads live in a
TemporaryDirectory deleted before the response is sent: nothing stays on disk. Errors are JSON
{"error", "message"}.

The server answers only its own page: a request whose Host is not the bound address (DNS
rebinding) or whose Origin is another site (any page the user visits can post a form to
localhost) is refused with 403, and no page may frame it (frame-ancestors 'none').

The classifier and the rule engine are built once, on first use (or at start-up, warmed by the
lifespan), and shared by all requests; both are thread-safe.
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import queue
import re
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, field_validator
from starlette.exceptions import HTTPException

from forms.errors import FormError

STATIC = Path(__file__).resolve().parent / "static"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")
_CHUNK = 256 * 1024
_GRACE_S = 1.0          # after the read timeout, before a slow check is answered 504
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}
_WILDCARD = {"0.0.0.0", "::", ""}
CSP = "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'"


@dataclass
class Settings:
    """Limits of the web app. Environment overrides: PIANCHAI_MAX_UPLOAD_MB, PIANCHAI_TIMEOUT_S."""

    max_upload_bytes: int = 10 * 2**20
    timeout_s: float = 30.0
    max_text_chars: int = 5000            # one explanation; forms' longest are ~1000
    max_json_bytes: int = 256 * 1024      # /api/explain request body
    workers: int = 2                      # threads running checks (checks are CPU-bound)
    tmp_dir: str | None = None            # parent of the per-request temp folders (default: system)
    host: str = "127.0.0.1"               # the bound address: requests must name it in Host
    allowed_hosts: tuple[str, ...] = ()   # other names this server is reached by
    body_timeout_s: float = 60.0          # a request body must have arrived by then

    @classmethod
    def from_env(cls) -> "Settings":
        s = cls()
        if os.environ.get("PIANCHAI_MAX_UPLOAD_MB"):
            s.max_upload_bytes = int(float(os.environ["PIANCHAI_MAX_UPLOAD_MB"]) * 2**20)
        if os.environ.get("PIANCHAI_TIMEOUT_S"):
            s.timeout_s = float(os.environ["PIANCHAI_TIMEOUT_S"])
        return s


class ExplainIn(BaseModel):
    model_config = ConfigDict(extra="forbid")     # a misspelt field is an error, not ignored

    text: str
    indicator: str = ""
    target: str = ""
    actual: str = ""
    weight: float | None = None
    score: float | None = None

    @field_validator("text", "indicator", "target", "actual")
    @classmethod
    def _unicode(cls, v: str) -> str:
        try:  # JSON may carry "\ud800": a lone surrogate no reply can encode
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("not valid Unicode text (a lone surrogate)") from None
        return v


class _Services:
    """The judge and engines, built once on first use (thread-safe)."""

    def __init__(self, judge, engine):
        self._judge = judge
        self._engine = engine
        self._engine_rules = engine
        self._lock = threading.Lock()

    def judge(self):
        if self._judge is None:
            with self._lock:
                if self._judge is None:
                    from nlp.judge import load_judge

                    self._judge = load_judge()
        return self._judge

    def engine(self, no_nlp: bool = False):
        if no_nlp:
            if self._engine_rules is None:
                with self._lock:
                    if self._engine_rules is None:
                        self._engine_rules = _build_engine(None)
            return self._engine_rules
        if self._engine is None:
            judge = self.judge()
            batch = getattr(judge, "judge_many", None) or (lambda items: [judge.judge(**i) for i in items])
            with self._lock:
                if self._engine is None:
                    self._engine = _build_engine(batch)
        return self._engine


def _build_engine(batch_judge):
    """The rule engine with the project's config (./pianchai.toml or pyproject), as `check` builds it."""
    from rules.config import load_config
    from rules.engine import Engine

    return Engine(load_config(None), batch_judge)


class _BodyLimit:
    """ASGI middleware: 413 once a request body grows past the cap for its path, 408 when it is
    still arriving `timeout` seconds after the first read (a slow upload holds a worker)."""

    def __init__(self, app, limit_for: Callable[[str], tuple[int, int]], timeout: float):
        self.app = app
        self.limit_for = limit_for
        self.timeout = timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        limit, shown = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                return await _send_json(send, 413, _too_large(shown))
        seen = 0
        loop = asyncio.get_running_loop()
        deadline = None
        done = False

        async def counted():
            nonlocal seen, deadline, done
            if done:                        # after the body: waiting for a disconnect is fine
                return await receive()
            if deadline is None:
                deadline = loop.time() + self.timeout
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise HTTPException(408, {"error": "timeout",
                                          "message": f"the request body did not arrive within "
                                                     f"{self.timeout:g} s"},
                                    headers={"Connection": "close"}) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, _too_large(shown), headers={"Connection": "close"})
                done = not message.get("more_body", False)
            return message

        return await self.app(scope, counted, send)


class _SameOrigin:
    """ASGI middleware: 403 for a Host that is not this server's (DNS rebinding: a foreign name
    resolved to 127.0.0.1) and for an Origin other than the server's own page."""

    def __init__(self, app, settings: "Settings"):
        self.app = app
        self.names = _LOCAL_NAMES | {settings.host.strip("[]").lower()} | \
            {h.lower() for h in settings.allowed_hosts}
        self.any_address = settings.host in _WILDCARD

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1")
        if not self._host_ok(host):
            return await _send_json(send, 403, {"error": "forbidden host",
                                                "message": f"Host {host!r} is not this server's address"})
        origin = headers.get(b"origin")
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
        own = f"{scope.get('scheme', 'http')}://{host}".lower()
        if (origin is not None and origin.decode("latin-1").lower() != own) or site == "cross-site":
            return await _send_json(send, 403, {"error": "cross-origin",
                                                "message": "requests from other sites are refused"})
        return await self.app(scope, receive, send)

    def _host_ok(self, host: str) -> bool:
        name = host.lower()
        if name.startswith("["):                          # [::1]:8000
            name = name[1:name.find("]")] if "]" in name else ""
        elif name.count(":") == 1:
            name = name.split(":")[0]
        if name in self.names:
            return True
        if self.any_address:                              # bound to every address: IPs are ours
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False


class _Readers:
    """One reader child per check thread (forms.isolate), started from a fork server: this
    process runs threads and must not fork itself."""

    def __init__(self, n: int, timeout: float):
        self.n = n
        self.timeout = timeout
        self._free: queue.Queue | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._free is None:
                from forms.isolate import Isolated

                free: queue.Queue = queue.Queue()
                for _ in range(self.n):
                    reader = Isolated(timeout=self.timeout, start="forkserver")
                    reader.start()
                    free.put(reader)
                self._free = free

    def run(self, file: str, fn: Callable, *args, **kw):
        self.start()
        reader = self._free.get()
        try:
            return reader.run(file, fn, *args, **kw)
        finally:
            self._free.put(reader)

    def close(self) -> None:
        with self._lock:
            free, self._free = self._free, None
        while free is not None and not free.empty():
            free.get_nowait().close()


def _too_large(limit: int) -> dict:
    return {"error": "too large", "message": f"request too large: the limit is {_mb(limit)}"}


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n // 1024} KB"


async def _send_json(send, status: int, body: dict) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})


def create_app(judge=None, engine=None, settings: Settings | None = None, readers=None) -> FastAPI:
    """The app. `judge` (nlp.judge.Judge-like: `.judge(text, indicator=…)`) and `engine`
    (rules.engine.Engine) default to the shipped model and the project's config, built lazily;
    `readers` (tests) replaces the reader children: `.run(file, fn, *args, doing=…, passes=…)`."""
    settings = settings or Settings.from_env()
    services = _Services(judge, engine)
    pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="pianchai-check")
    readers = readers or _Readers(settings.workers, settings.timeout_s)
    warm = judge is None

    @asynccontextmanager
    async def lifespan(app):
        if hasattr(readers, "start"):
            await asyncio.get_running_loop().run_in_executor(None, readers.start)
        if warm:
            try:  # load the model now so the first keystroke is answered warm
                await asyncio.get_running_loop().run_in_executor(None, services.judge)
            except Exception:  # reported per request instead (503)
                pass
        yield
        pool.shutdown(wait=False, cancel_futures=True)
        if hasattr(readers, "close"):
            readers.close()

    app = FastAPI(title="pianchai", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    upload_limit = settings.max_upload_bytes + 64 * 1024   # multipart framing and form fields
    app.add_middleware(_BodyLimit, limit_for=lambda path: (settings.max_json_bytes,) * 2
                       if path == "/api/explain" else (upload_limit, settings.max_upload_bytes),
                       timeout=settings.body_timeout_s)
    app.add_middleware(_SameOrigin, settings=settings)      # outermost: checked first

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        body = {"error": detail.get("error", _reason(exc.status_code)), **detail}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            where = "/".join(str(x) for x in e.get("loc", ())[1:])
            parts.append(f"{where}: {e.get('msg', '')}" if where else e.get("msg", ""))
        return JSONResponse({"error": "invalid request", "message": "; ".join(parts) or "invalid request"},
                            status_code=422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        return JSONResponse({"error": "internal error", "message": f"{type(exc).__name__}: {exc}"},
                            status_code=500)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/health")
    async def health():      # on the event loop: answers even while every check thread is busy
        return {"ok": True, "max_upload_bytes": settings.max_upload_bytes, "timeout_s": settings.timeout_s}

    @app.post("/api/explain")
    def explain(body: ExplainIn):
        if len(body.text) > settings.max_text_chars:
            raise HTTPException(422, {"error": "text too long",
                                      "message": f"text of {len(body.text)} characters; the limit is "
                                                 f"{settings.max_text_chars}"})
        try:
            judge = services.judge()
        except Exception as e:
            raise HTTPException(503, {"error": "classifier unavailable", "message": f"{type(e).__name__}: {e}"})
        verdict = judge.judge(body.text, indicator=body.indicator, target=body.target, actual=body.actual,
                              weight=body.weight, score=body.score)
        return {"text": body.text, **verdict.to_dict()}

    async def _run(upload: UploadFile, work: Callable[[str, str], Any]):
        """Save the upload in a fresh temp folder, run `work(path, shown_name)` in a worker thread
        under the timeout, delete the folder, return what `work` returned."""
        name = _shown_name(upload.filename)
        suffix = Path(name).suffix.lower()
        suffix = suffix if _SUFFIX.match(suffix) else ""
        with tempfile.TemporaryDirectory(prefix="pianchai-", dir=settings.tmp_dir,
                                         ignore_cleanup_errors=True) as tmp:
            path = os.path.join(tmp, "upload" + suffix)
            size = 0
            with open(path, "wb") as out:
                while chunk := await upload.read(_CHUNK):
                    size += len(chunk)
                    if size > settings.max_upload_bytes:
                        raise HTTPException(413, {"error": "too large",
                                                  "message": f"{name}: file larger than the "
                                                             f"{_mb(settings.max_upload_bytes)} limit"})
                    out.write(chunk)
            if size == 0:
                raise HTTPException(422, {"error": "unreadable", "message": f"{name}: file is empty"})
            loop = asyncio.get_running_loop()
            try:  # the read stops itself at timeout_s (→ 422); rules get a moment more
                return await asyncio.wait_for(loop.run_in_executor(pool, work, path, name),
                                              settings.timeout_s + _GRACE_S)
            except asyncio.TimeoutError:
                raise HTTPException(504, {"error": "timeout",
                                          "message": f"{name}: checking took longer than "
                                                     f"{settings.timeout_s:g} s and was abandoned"}) from None

    def _check(path: str, name: str, no_nlp: bool):
        from rules.run import check_file

        def read(p: str):
            from forms.read import read_forms

            return readers.run(p, read_forms, p)

        from reports.messages import reader_error

        result = check_file(path, services.engine(no_nlp), read)
        if result.error is not None and not result.forms:
            raise HTTPException(422, {"error": "unreadable", "stage": result.error.stage,
                                      "message": f"{name}: {reader_error(result.error.message)}"})
        return result

    def check_work(no_nlp: bool):
        def work(path: str, name: str) -> dict:
            from reports.machine import to_json

            from forms.sniff import sniff

            result = _check(path, name, no_nlp)
            spreadsheet = sniff(path) in ("xlsx", "xls")
            text = to_json([result])
            text = text.replace(json.dumps(path, ensure_ascii=False)[1:-1], name)
            report = json.loads(text)
            for form in report["forms"]:
                for f in form["findings"]:
                    f["cell"] = _cell(f) if spreadsheet else None
            return report
        return work

    def annotate_work(no_nlp: bool):
        def work(path: str, name: str) -> tuple[bytes, int]:
            from reports.workbook import annotate

            result = _check(path, name, no_nlp)
            out = os.path.join(os.path.dirname(path), "annotated.xlsx")
            try:   # opens the upload again: reader work, in the reader child
                placed = readers.run(path, annotate, path, result.findings, result.forms, out,
                                     doing="annotating")
            except FormError as e:
                from reports.messages import reader_error

                raise HTTPException(422, {"error": "unreadable", "stage": e.stage,
                                          "message": f"{name}: {reader_error(e.message)}"}) from None
            with open(out, "rb") as f:
                return f.read(), len(placed)
        return work

    @app.post("/api/check")
    async def check(file: UploadFile = File(...), no_nlp: bool = Form(False)):
        return await _run(file, check_work(no_nlp))

    @app.post("/api/annotate")
    async def annotate(file: UploadFile = File(...), no_nlp: bool = Form(False)):
        data, n = await _run(file, annotate_work(no_nlp))
        stem = Path(_shown_name(file.filename, "form")).stem or "form"
        download = f"{stem}.checked.xlsx"
        return Response(data, media_type=XLSX_TYPE, headers={
            "Content-Disposition": f"attachment; filename=\"checked.xlsx\"; filename*=UTF-8''{quote(download)}",
            "X-Pianchai-Findings": str(n)})

    return app


def _shown_name(filename: str | None, default: str = "upload") -> str:
    """The upload's own name, without folders or characters a message or header cannot carry
    (a NUL, control characters, lone surrogates)."""
    name = Path((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF)
    return name[:200] or default


def _cell(f: dict) -> str | None:
    """Spreadsheet-style reference of a finding (E12) where its row and column are known."""
    if f.get("column") is None or f.get("line") is None:
        return None
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(f['column'] + 1)}{f['line']}"


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"
