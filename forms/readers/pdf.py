"""PDF files → Tables, page by page: pdfium first (forms.readers.pdfium, the same Tables about ten
times faster), pdfplumber for the pages it is unsure of and for files pdfium cannot open. A file
whose pages are all images without a text layer is refused as scanned.

What follows is how the Tables are made (forms.readers.pdfium rebuilds the same from pdfium).

On each page the ruled tables (`find_tables`) become Tables named "page N" (or "page N table K"
when a page has several). A cell covered by a span comes back from pdfplumber as None: the reader
finds the cell rectangle that covers that slot and applies the `merged` policy of
forms.readers.common ("first": "" there, the default; "down": the text when the slot is below the
cell's first column; "repeat": the text), the same as for the other formats. Line breaks from wrapping are undone
(no space between CJK characters). Text outside the tables — a title, "（2021 年度）" — becomes a
one-cell-per-line Table placed by its position on the page ("page N text").

A page with no ruled table (a scan run through OCR, a text-only export) still reads: its text
lines are split into cells on tabs or runs of two or more spaces. `lines` are 1-based row numbers
within the page's table or text. Encrypted, corrupt and oversize files raise FormError.

pdfminer is guarded where a few hundred bytes can make it loop or allocate without end: a chain of
references that comes back to itself (`4 0 obj 4 0 R`) reads as a missing object, as the PDF
standard treats a dangling reference, instead of being followed forever; and the stream decoders
(Flate, LZW, RunLength) stop at MAX_STREAM_BYTES per stream and MAX_DECODED_BYTES per file, before
the output is allocated, instead of inflating a 1 MiB stream into gigabytes. A page with more
ruling lines than MAX_EDGES is refused before table finding, which compares every pair of them.
"""
from __future__ import annotations

import io
import re
import threading
import zlib

from forms.cells import Table
from forms.errors import FormError
from forms.readers.common import check_file_size, clean_cell, merged_mode, table_from_grid

MAX_PAGES = 2000
MAX_STREAM_BYTES = 32 * 2**20      # one decoded stream (a form page's content is a few KiB)
MAX_DECODED_BYTES = 128 * 2**20    # all streams of one file (embedded CJK fonts included)
MAX_EDGES = 5000                   # ruling lines and rectangle sides on one page
MAX_REFERENCE_CHAIN = 32
_SPLIT = re.compile(r"\t+| {2,}|\u3000{1,}")
_EPS = 0.5


def read(path: str, merged: str | None = None) -> list[Table]:
    mode = merged_mode(merged)
    check_file_size(path)
    _check_streams(path)
    from forms.readers import pdfium  # the fast path; pdfplumber reads the pages it is unsure of

    try:
        pages = pdfium.read_pages(path, mode, MAX_PAGES)
    except pdfium.Unreadable as e:
        if e.password:
            raise FormError(path, "encrypted PDF: cannot read it without the password") from None
        return [t for tables in _plumber(path, mode).values() for t in tables]
    except pdfium.TooManyPages as e:
        raise FormError(path, f"refused: {e.args[0]} pages, over the {MAX_PAGES} page limit") from None
    if any(p.scanned for p in pages) and not any(p.chars for p in pages if not p.scanned):
        raise FormError(path, f"scanned, no text layer: {sum(p.scanned for p in pages)} page(s) "
                              f"of images without text; run OCR on it first")
    unsure = {k for k, p in enumerate(pages, 1) if p.tables is None}
    slow = _plumber(path, mode, unsure) if unsure else {}
    return [t for k, p in enumerate(pages, 1)
            for t in (slow.get(k, []) if p.tables is None else p.tables)]


_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_OBJ = re.compile(rb"\bobj\b")


def _check_streams(path: str) -> None:
    """Refuse a file whose Flate streams unpack beyond the limits, before pdfium (which has no such
    limit) decodes them: each stream is inflated here in bounded steps, layer by layer."""
    with open(path, "rb") as fh:
        data = fh.read()
    total = 0
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        head = data[max(0, m.start() - 2048):m.start()]
        starts = [o.end() for o in _OBJ.finditer(head)]
        head = head[starts[-1]:] if starts else head
        layers = head.count(b"FlateDecode") + head.count(b"/Fl ") + head.count(b"/Fl]")
        body = data[m.end():end]
        for _ in range(layers):
            try:
                inflater = zlib.decompressobj()
                body = inflater.decompress(body, MAX_STREAM_BYTES + 1)
            except zlib.error:
                break               # not ours to judge: the reader reports a damaged stream
            if len(body) > MAX_STREAM_BYTES:
                raise FormError(path, f"refused: a stream unpacks to more than "
                                      f"{MAX_STREAM_BYTES // 2**20} MiB")
        total += len(body)
        if total > MAX_DECODED_BYTES:
            raise FormError(path, f"refused: its streams unpack to more than "
                                  f"{MAX_DECODED_BYTES // 2**20} MiB")


def _plumber(path: str, mode: str, only: set[int] | None = None) -> dict[int, list[Table]]:
    """The Tables of each page (of the pages numbered in `only`), read with pdfplumber."""
    import pdfplumber  # lazy: only PDFs pay for pdfminer

    _guard_pdfminer()
    _budget.left = MAX_DECODED_BYTES
    try:
        pdf = pdfplumber.open(path)
    except Exception as e:  # pdfminer raises PDFSyntaxError, PSEOF, PDFPasswordIncorrect, ...
        raise FormError(path, _why(e)) from None
    try:
        try:
            pages = pdf.pages
        except Exception as e:
            raise FormError(path, _why(e)) from None
        if len(pages) > MAX_PAGES:
            raise FormError(path, f"refused: {len(pages)} pages, over the {MAX_PAGES} page limit")
        tables: dict[int, list[Table]] = {}
        for number, page in enumerate(pages, 1):
            if only is not None and number not in only:
                continue
            try:
                tables[number] = _page(page, number, mode)
            except FormError:
                raise
            except Exception as e:
                raise FormError(path, _why(e), where=f"page {number}") from None
            finally:
                page.close()  # drops the page's cached layout objects: memory stays flat
        return tables
    finally:
        # not pdf.close(): it walks pdf.pages, parsing them again when they failed to load (for a
        # page tree that loops, forever); every page read was closed above
        if not pdf.stream_is_external:
            pdf.stream.close()


def _why(e: Exception) -> str:
    refused = _refusal(e)
    if refused is not None:
        return f"refused: {refused}"
    if any("Password" in type(x).__name__ or "Encrypt" in type(x).__name__ for x in _chain(e)):
        return "encrypted PDF: cannot read it without the password"
    name = type(e).__name__
    detail = f": {e}" if str(e) else ""
    return f"not a readable PDF ({name}{detail})"


def _page(page, number: int, mode: str) -> list[Table]:
    edges = len(page.lines) + 4 * len(page.rects) + len(page.curves)
    if edges > MAX_EDGES:
        raise _Refused(f"{edges:,} ruling lines on one page (limit {MAX_EDGES:,}): finding its "
                       f"tables would compare every pair")
    found = page.find_tables()
    if found and all(len({c[0] for c in t.cells}) == 1 for t in found):
        found = []      # a frame and row rules with no inner verticals: the cells are in the text
    if not found:
        grid = [r for r in _word_rows(page) if any(r)]
        width = max((len(r) for r in grid), default=0)
        table = table_from_grid([r + [""] * (width - len(r)) for r in grid], f"page {number}")
        return [table] if table is not None else []

    # Items placed by their top coordinate: tables and runs of text lines between them.
    items: list[tuple[float, Table]] = []
    several = len(found) > 1
    for k, t in enumerate(found, 1):
        table = table_from_grid(_grid(t, mode), f"page {number} table {k}" if several else f"page {number}")
        if table is not None:
            items.append((t.bbox[1], table))
    boxes = [t.bbox for t in found]

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_lines = page.filter(outside).extract_text_lines()
    runs: list[list[dict]] = []
    for line in text_lines:
        # Start a new run whenever a table lies between this line and the previous one.
        if runs and not any(runs[-1][-1]["top"] < b[1] < line["top"] for b in boxes):
            runs[-1].append(line)
        else:
            runs.append([line])
    for run in runs:
        texts = [clean_cell(line["text"]) for line in run]
        rows = [[t] for t in texts if t]
        if rows:
            items.append((run[0]["top"], Table(rows=rows, name=f"page {number} text")))
    items.sort(key=lambda item: item[0])
    return [t for _, t in items]


def _word_rows(page) -> list[list[str]]:
    """Page text as rows of cells: words on one baseline form a row, and a horizontal gap wider
    than about one and a half characters starts a new cell (a single space stays inside it)."""
    words = page.extract_words(keep_blank_chars=True, use_text_flow=False)
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    rows = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        cells = [line[0]["text"]]
        for prev, w in zip(line, line[1:]):
            size = max(w["bottom"] - w["top"], 1.0)
            if w["x0"] - prev["x1"] > 1.5 * size:
                cells.append(w["text"])
            else:
                cells[-1] += (" " if w["x0"] - prev["x1"] > 0.2 * size else "") + w["text"]
        rows.append([clean_cell(c) for part in cells for c in _SPLIT.split(part)])
    return rows


def _grid(t, mode: str) -> list[list[str]]:
    """The table's cells with every spanned (None) slot filled by the merge policy."""
    rows = t.rows
    data = t.extract()
    cells: list[tuple[tuple[float, float, float, float], str]] = []
    for row, texts in zip(rows, data):
        for bbox, text in zip(row.cells, texts):
            if bbox is not None:
                cells.append((bbox, clean_cell(text)))
    xs = sorted({c[0] for c in t.cells})
    grid = []
    for row, texts in zip(rows, data):
        top = row.bbox[1]
        out = []
        for j, text in enumerate(texts):
            if text is None:
                x = xs[j] if j < len(xs) else None
                text = ""
                if x is not None and mode != "first":
                    for (x0, y0, x1, y1), covering in cells:
                        if x0 - _EPS <= x < x1 - _EPS and y0 - _EPS <= top < y1 - _EPS:
                            if mode == "repeat" or abs(x0 - x) <= _EPS:
                                text = covering
                            break
                out.append(text)
            else:
                out.append(clean_cell(text))
        grid.append(out)
    return grid


# ---- guards around pdfminer ----------------------------------------------------------------------

class _Refused(Exception):
    """A limit was reached inside pdfminer; carried out through its own exception wrapping."""


def _chain(e: BaseException | None) -> list[BaseException]:
    """`e` and the errors it wraps (pdfplumber wraps pdfminer's: PdfminerException(inner))."""
    out: list[BaseException] = []
    while e is not None and len(out) < 10:
        out.append(e)
        inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else None
        e = inner or e.__cause__ or e.__context__
    return out


def _refusal(e: BaseException | None) -> str | None:
    """The message of a _Refused anywhere in `e`'s chain."""
    return next((str(x) for x in _chain(e) if isinstance(x, _Refused)), None)


_budget = threading.local()      # bytes the current file may still decode (set by read())
_guarded = False


def _spend(n: int) -> int:
    """Room left for one stream, after `n` bytes more; _Refused past either limit."""
    left = getattr(_budget, "left", MAX_DECODED_BYTES) - n
    _budget.left = left
    if left < 0:
        raise _Refused(f"its streams unpack to more than {MAX_DECODED_BYTES // 2**20} MiB")
    return left


def _inflate(decompressor, data: bytes) -> bytes:
    """Decompress at most MAX_STREAM_BYTES (and what the file's budget allows) from `data`."""
    room = min(MAX_STREAM_BYTES, getattr(_budget, "left", MAX_DECODED_BYTES))
    out = decompressor.decompress(data, room + 1)
    if len(out) > room:
        if room < MAX_STREAM_BYTES:
            _spend(len(out))
        raise _Refused(f"a stream unpacks to more than {MAX_STREAM_BYTES // 2**20} MiB "
                       f"(a compression bomb?)")
    _spend(len(out))
    return out


class _BoundedDecompressor:
    def __init__(self, *args, **kwargs):
        self._d = zlib.decompressobj(*args, **kwargs)

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        return _inflate(self._d, data)

    def flush(self, *args) -> bytes:
        return b""

    def __getattr__(self, name):
        return getattr(self._d, name)


class _BoundedZlib:
    """The part of the zlib module pdfminer.pdftypes uses, with the output bounded."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *args, **kwargs) -> bytes:
        d = zlib.decompressobj()
        out = _inflate(d, data)
        if not d.eof:
            raise zlib.error("incomplete or truncated stream")
        return out

    decompressobj = _BoundedDecompressor


def _lzwdecode(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        out += chunk
        if len(out) > MAX_STREAM_BYTES:
            raise _Refused(f"a stream unpacks to more than {MAX_STREAM_BYTES // 2**20} MiB "
                           f"(a compression bomb?)")
    _spend(len(out))
    return bytes(out)


def _rldecode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5), counting the output before it is made."""
    out = bytearray()
    i, n = 0, len(data)
    while i < n and data[i] != 128:
        length = data[i]
        if length < 128:
            out += data[i + 1:i + 2 + length]
            i += 2 + length
        else:
            out += data[i + 1:i + 2] * (257 - length)
            i += 2
        if len(out) > MAX_STREAM_BYTES:
            raise _Refused(f"a stream unpacks to more than {MAX_STREAM_BYTES // 2**20} MiB "
                           f"(a compression bomb?)")
    _spend(len(out))
    return bytes(out)


def _guard_pdfminer() -> None:
    """Install the guards (once per process)."""
    global _guarded
    if _guarded:
        return
    from pdfminer import pdftypes

    resolve = pdftypes.PDFObjRef.resolve

    def resolve_chain(self, default=None):
        # pdfminer's resolve1 follows references while the result is a reference: a loop
        # would never end. Follow the chain here, and read a loop as a missing object.
        seen = {self.objid}
        x = resolve(self, default)
        while isinstance(x, pdftypes.PDFObjRef):
            if x.objid in seen or len(seen) >= MAX_REFERENCE_CHAIN:
                return default
            seen.add(x.objid)
            x = resolve(x, default)
        return x

    pdftypes.PDFObjRef.resolve = resolve_chain
    pdftypes.zlib = _BoundedZlib
    pdftypes.lzwdecode = _lzwdecode
    pdftypes.rldecode = _rldecode
    _guarded = True
