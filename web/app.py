"""The drafting page and its JSON API: live verdicts on one explanation, and form upload → report
and annotated workbook.

    POST /api/explain   {"text", "indicator"?, "target"?, "actual"?, "weight"?, "score"?} → verdict
    POST /api/check     multipart "file" (+ "no_nlp") → {"forms", "errors", "summary"} (check --format json)
    POST /api/annotate  multipart "file" (+ "no_nlp") → the annotated .xlsx
    GET  /api/health    → {"ok": true, ...}
    GET  /              → the page (web/static, served locally; no CDN)

Limits: uploads over `Settings.max_upload_bytes` → 413 (the body is counted while it arrives, so
a missing or false Content-Length does not help); a check running past `Settings.timeout_s` → 504;
an unreadable file → 422 with the reader's message. Uploads live in a TemporaryDirectory deleted
before the response is sent: nothing stays on disk. Errors are JSON {"error", "message"}.

The classifier and the rule engine are built once, on first use (or at start-up, warmed by the
lifespan), and shared by all requests; both are thread-safe.
"""
from __future__ import annotations

import asyncio
import json
import os
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
from pydantic import BaseModel
from starlette.exceptions import HTTPException

STATIC = Path(__file__).resolve().parent / "static"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")
_CHUNK = 256 * 1024


@dataclass
class Settings:
    """Limits of the web app. Environment overrides: PIANCHAI_MAX_UPLOAD_MB, PIANCHAI_TIMEOUT_S."""

    max_upload_bytes: int = 10 * 2**20
    timeout_s: float = 30.0
    max_text_chars: int = 5000            # one explanation; forms' longest are ~1000
    max_json_bytes: int = 256 * 1024      # /api/explain request body
    workers: int = 2                      # threads running checks (checks are CPU-bound)
    tmp_dir: str | None = None            # parent of the per-request temp folders (default: system)

    @classmethod
    def from_env(cls) -> "Settings":
        s = cls()
        if os.environ.get("PIANCHAI_MAX_UPLOAD_MB"):
            s.max_upload_bytes = int(float(os.environ["PIANCHAI_MAX_UPLOAD_MB"]) * 2**20)
        if os.environ.get("PIANCHAI_TIMEOUT_S"):
            s.timeout_s = float(os.environ["PIANCHAI_TIMEOUT_S"])
        return s


class ExplainIn(BaseModel):
    text: str = ""
    indicator: str = ""
    target: str = ""
    actual: str = ""
    weight: float | None = None
    score: float | None = None


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
    """ASGI middleware: 413 once a request body grows past the cap for its path."""

    def __init__(self, app, limit_for: Callable[[str], tuple[int, int]]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        limit, shown = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                return await _send_json(send, 413, _too_large(shown))
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, _too_large(shown))
            return message

        return await self.app(scope, counted, send)


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


def create_app(judge=None, engine=None, settings: Settings | None = None) -> FastAPI:
    """The app. `judge` (nlp.judge.Judge-like: `.judge(text, indicator=…)`) and `engine`
    (rules.engine.Engine) default to the shipped model and the project's config, built lazily."""
    settings = settings or Settings.from_env()
    services = _Services(judge, engine)
    pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="pianchai-check")
    warm = judge is None

    @asynccontextmanager
    async def lifespan(app):
        if warm:
            try:  # load the model now so the first keystroke is answered warm
                await asyncio.get_running_loop().run_in_executor(None, services.judge)
            except Exception:  # reported per request instead (503)
                pass
        yield
        pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="pianchai", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    upload_limit = settings.max_upload_bytes + 64 * 1024   # multipart framing and form fields
    app.add_middleware(_BodyLimit, limit_for=lambda path: (settings.max_json_bytes,) * 2
                       if path == "/api/explain" else (upload_limit, settings.max_upload_bytes))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        body = {"error": detail.get("error", _reason(exc.status_code)), **detail}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        parts = ["/".join(str(x) for x in e.get("loc", ())[1:]) + ": " + e.get("msg", "") for e in exc.errors()]
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
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        else:
            response.headers.setdefault("Content-Security-Policy",
                                        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'")
        return response

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/health")
    def health():
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
        name = Path((upload.filename or "upload").replace("\\", "/")).name or "upload"
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
            try:
                return await asyncio.wait_for(loop.run_in_executor(pool, work, path, name), settings.timeout_s)
            except asyncio.TimeoutError:
                raise HTTPException(504, {"error": "timeout",
                                          "message": f"{name}: checking took longer than "
                                                     f"{settings.timeout_s:g} s and was abandoned"}) from None

    def _check(path: str, name: str, no_nlp: bool):
        from rules.run import check_file

        result = check_file(path, services.engine(no_nlp))
        if result.error is not None and not result.forms:
            raise HTTPException(422, {"error": "unreadable", "stage": result.error.stage,
                                      "message": f"{name}: {result.error.message}"})
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
            placed = annotate(path, result.findings, result.forms, out)
            with open(out, "rb") as f:
                return f.read(), len(placed)
        return work

    @app.post("/api/check")
    async def check(file: UploadFile = File(...), no_nlp: bool = Form(False)):
        return await _run(file, check_work(no_nlp))

    @app.post("/api/annotate")
    async def annotate(file: UploadFile = File(...), no_nlp: bool = Form(False)):
        data, n = await _run(file, annotate_work(no_nlp))
        stem = Path(Path((file.filename or "form").replace("\\", "/")).name).stem or "form"
        download = f"{stem}.checked.xlsx"
        return Response(data, media_type=XLSX_TYPE, headers={
            "Content-Disposition": f"attachment; filename=\"checked.xlsx\"; filename*=UTF-8''{quote(download)}",
            "X-Pianchai-Findings": str(n)})

    return app


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
