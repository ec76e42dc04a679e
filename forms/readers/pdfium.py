"""PDF pages → Tables from pdfium: characters with their boxes, ruling lines, the grid rebuilt.

Why: pdfplumber parses PDF in pure Python (pdfminer) at tens of milliseconds a page, which made
PDF archives the slow part of `pianchai score`. pdfium (pypdfium2, BSD/Apache) parses in C. This
module takes from it each page's characters (text and box) and drawn lines, and rebuilds what
forms.readers.pdf builds from pdfplumber, with pdfplumber's "lines" thresholds and order: edges
snapped and joined within 3 pt, cells the smallest rectangles between connected intersections,
tables the groups of cells sharing corners, a character in the cell that holds its centre, text
lines clustered by top within 3 pt, words split at spaces and at gaps over 3 pt. Same rules, so
both paths give the same Tables (tests compare them).

`read_pages` returns None for a page the fast path is not sure of, and forms.readers.pdf reads
that page with pdfplumber: a rotated page or rotated text, a character without a Unicode mapping,
curves or diagonal lines among the drawing, or a character centre or word gap within a hair of a
threshold (the two engines' character boxes differ by a few tenths of a point, so there they
could decide differently). Lines and text inside form XObjects count, placed by their matrices.
A page with images and no text layer is a scan.
"""
from __future__ import annotations

import ctypes
import re
import threading
from bisect import bisect_right
from dataclasses import dataclass

from forms.cells import Table
from forms.readers.common import clean_cell, table_from_grid

TOLERANCE = 3.0     # pdfplumber's snap, join, intersection, edge length and text tolerances
# pdfium's character boxes sit up to ~0.3 pt from pdfminer's: a centre or gap closer than this to
# a threshold could fall on the other side there
MARGIN = 0.75
_EPS = 0.5          # as forms.readers.pdf: slack when a spanned slot looks for its covering cell
_SPLIT = re.compile(r"\t+| {2,}|\u3000{1,}")   # as forms.readers.pdf: cells within a line of text

_LOCK = threading.Lock()        # pdfium is not thread-safe: one document at a time per process


class Unreadable(Exception):
    """pdfium cannot open the file; `password` when it is encrypted."""

    def __init__(self, message: str, password: bool = False):
        super().__init__(message)
        self.password = password


class TooManyPages(Exception):
    """More pages than the caller's limit (the count is args[0])."""


@dataclass(slots=True)
class PageRead:
    """One page: its Tables, or `tables` None when the fast path is unsure of it."""

    tables: list[Table] | None
    chars: int          # characters in the text layer (-1: not read, the page being unsure)
    images: int         # image objects drawn on the page

    @property
    def scanned(self) -> bool:
        return self.chars == 0 and self.images > 0


# A page ruled with more lines than this goes to forms.readers.pdf, which refuses it by its limit.
MAX_EDGES = 5000


def read_pages(path: str, mode: str, max_pages: int) -> list[PageRead]:
    """Every page of the PDF, read by pdfium; Unreadable when pdfium cannot open it,
    TooManyPages when it has more than `max_pages`."""
    import pypdfium2 as pdfium

    with _LOCK:
        try:
            doc = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as e:
            raise Unreadable(str(e), password="password" in str(e).lower()) from None
        try:
            count = len(doc)
            if count > max_pages:
                raise TooManyPages(count)
            return [_read_page(doc, k, mode) for k in range(count)]
        finally:
            doc.close()


# ---- pdfium → characters and edges -----------------------------------------------------------

def _read_page(doc, index: int, mode: str) -> PageRead:
    import pypdfium2.raw as raw

    page = raw.FPDF_LoadPage(doc.raw, index)
    if not page:
        return PageRead(None, -1, 0)
    textpage = raw.FPDFText_LoadPage(page)
    try:
        if not textpage:
            return PageRead(None, -1, 0)
        h_edges, v_edges, images, sure = _drawing(raw, page, textpage)
        if len(h_edges) + len(v_edges) > MAX_EDGES:
            return PageRead(None, -1, images)   # pdfplumber's reader refuses it, with its reason
        chars = _chars(raw, textpage) if sure and raw.FPDFPage_GetRotation(page) == 0 else None
        if chars is None:
            return PageRead(None, -1, images)
        if not chars:
            return PageRead([], 0, images)
        return PageRead(_tables(chars, h_edges, v_edges, index + 1, mode), len(chars), images)
    finally:
        if textpage:
            raw.FPDFText_ClosePage(textpage)
        raw.FPDF_ClosePage(page)


def _drawing(raw, page, textpage) -> tuple[list, list, int, bool]:
    """(horizontal edges (y, x0, x1), vertical edges (x, y0, y1), image count, sure), y downwards."""
    h_edges: list[tuple[float, float, float]] = []
    v_edges: list[tuple[float, float, float]] = []
    images = 0
    m = raw.FS_MATRIX()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    px, py = ctypes.c_float(), ctypes.c_float()
    box = [ctypes.c_float() for _ in range(4)]
    for obj, outer in _objects(raw, page, m):
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            raw.FPDFPageObj_GetMatrix(obj, m)
            a, b, c, d, _, _ = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if b or c or a <= 0 or d <= 0:
                return h_edges, v_edges, images, False          # rotated, mirrored or skewed text
            if raw.FPDFTextObj_GetText(obj, textpage, None, 0) <= 2:
                # drawn text that is not in the text layer: pdfium drops a lone glyph it has no
                # outline for (a CJK font neither embedded nor installed), pdfminer does not
                return h_edges, v_edges, images, False
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            raw.FPDFPath_GetDrawMode(obj, fill, stroke)
            if not fill.value and not stroke.value:
                continue                                        # a clipping path draws nothing
            raw.FPDFPageObj_GetMatrix(obj, m)
            a, b, c, d, e, f = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            start = prev = None
            for s in range(raw.FPDFPath_CountSegments(obj)):
                seg = raw.FPDFPath_GetPathSegment(obj, s)
                raw.FPDFPathSegment_GetPoint(seg, px, py)
                x, y = px.value, py.value
                point = (a * x + c * y + e, -(b * x + d * y + f))
                kind_s = raw.FPDFPathSegment_GetType(seg)
                if kind_s == raw.FPDF_SEGMENT_MOVETO:
                    start = prev = point
                    continue
                if kind_s == raw.FPDF_SEGMENT_BEZIERTO:
                    raw.FPDFPageObj_GetBounds(obj, *box)
                    if min(box[2].value - box[0].value, box[3].value - box[1].value) > TOLERANCE:
                        return h_edges, v_edges, images, False  # a drawn curve: pdfplumber's edges
                    prev = point
                    continue
                if prev is not None and not _edge(prev, point, h_edges, v_edges):
                    return h_edges, v_edges, images, False      # a diagonal rule (斜线表头)
                prev = point
                if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                    if not _edge(prev, start, h_edges, v_edges):
                        return h_edges, v_edges, images, False
                    prev = start
    return h_edges, v_edges, images, True


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _objects(raw, page, m):
    """The page's drawn objects, those inside form XObjects included, each with the matrix from
    its XObject's space to the page (identity for the page's own objects)."""
    stack = [(raw.FPDFPage_GetObject(page, k), _IDENTITY)
             for k in reversed(range(raw.FPDFPage_CountObjects(page)))]
    while stack:
        obj, outer = stack.pop()
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_FORM:
            yield obj, outer
            continue
        raw.FPDFPageObj_GetMatrix(obj, m)
        inner = _compose((m.a, m.b, m.c, m.d, m.e, m.f), outer)
        stack.extend((raw.FPDFFormObj_GetObject(obj, i), inner)
                     for i in reversed(range(raw.FPDFFormObj_CountObjects(obj))))


def _compose(m: tuple, outer: tuple) -> tuple:
    """The matrix m followed by outer (PDF's row-vector convention: p · m · outer)."""
    if outer is _IDENTITY:
        return m
    a, b, c, d, e, f = m
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _edge(p, q, h_edges: list, v_edges: list) -> bool:
    """Record the segment p–q as an edge (1 pt or longer); False for a long diagonal."""
    (x0, y0), (x1, y1) = p, q
    if y0 == y1:
        if abs(x1 - x0) >= 1:
            h_edges.append((y0, min(x0, x1), max(x0, x1)))
    elif x0 == x1:
        if abs(y1 - y0) >= 1:
            v_edges.append((x0, min(y0, y1), max(y0, y1)))
    elif max(abs(x1 - x0), abs(y1 - y0)) > TOLERANCE:
        return False
    return True


def _chars(raw, textpage) -> list[tuple] | None:
    """[(text, x0, top, x1, bottom, centre x, centre y)] in pdfium's text order, y downwards;
    None when unsure."""
    n = raw.FPDFText_CountChars(textpage)
    if n <= 0:
        return []
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = raw.FPDFText_GetText(textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[:max(got - 1, 0) * 2].decode("utf-16-le", "surrogatepass")
    if len(text) != n or any("\ud800" <= ch <= "\udfff" for ch in text):
        # a character beyond the BMP takes two UTF-16 units: read code points one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(n))
    rect = raw.FS_RECTF()
    get_box, generated = raw.FPDFText_GetLooseCharBox, raw.FPDFText_IsGenerated
    chars = []
    for i, ch in enumerate(text):
        if ch in "\r\n" or (ch == " " and generated(textpage, i)):
            continue                            # pdfium's own line breaks and inferred spaces
        if ch in "\ufffd\ufffe\x00":
            return None                         # a glyph without Unicode
        get_box(textpage, i, rect)
        x0, top, x1, bottom = rect.left, -rect.top, rect.right, -rect.bottom
        chars.append((ch, x0, top, x1, bottom, (x0 + x1) / 2, (top + bottom) / 2))
    return chars


# ---- edges → cells → tables (pdfplumber's "lines" strategy) ----------------------------------

class _Unsure(Exception):
    """The page is read by pdfplumber instead."""


def _snap_join(edges: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Edges at positions within TOLERANCE of each other moved to their mean (chained, as
    pdfplumber clusters), then collinear pieces closer than TOLERANCE joined; short ones dropped."""
    if not edges:
        return []
    positions = sorted({e[0] for e in edges})
    cluster: dict[float, int] = {}
    k, last = 0, positions[0]
    for p in positions:
        if p > last + TOLERANCE:
            k += 1
        cluster[p] = k
        last = p
    sums: dict[int, list[float]] = {}
    for e in edges:
        s = sums.setdefault(cluster[e[0]], [0.0, 0])
        s[0] += e[0]
        s[1] += 1
    mean = {k: s[0] / s[1] for k, s in sums.items()}
    by_line: dict[float, list[tuple[float, float]]] = {}
    for pos, a, b in edges:
        by_line.setdefault(mean[cluster[pos]], []).append((a, b))
    out = []
    for pos in sorted(by_line):
        pieces = sorted(by_line[pos], key=lambda ab: ab[0])
        a, b = pieces[0]
        for a2, b2 in pieces[1:]:
            if a2 <= b + TOLERANCE:
                b = max(b, b2)
            else:
                out.append((pos, a, b))
                a, b = a2, b2
        out.append((pos, a, b))
    return [e for e in out if e[2] - e[1] >= TOLERANCE]


def _cells(h_edges: list, v_edges: list) -> list[tuple[float, float, float, float]]:
    """The smallest cell at each intersection, as pdfplumber's intersections_to_cells."""
    points: dict[tuple[float, float], tuple[set, set]] = {}
    for vi, (x, y0, y1) in enumerate(v_edges):
        for hi, (y, x0, x1) in enumerate(h_edges):
            if y0 <= y + TOLERANCE and y1 >= y - TOLERANCE and x0 - TOLERANCE <= x <= x1 + TOLERANCE:
                vs, hs = points.setdefault((x, y), (set(), set()))
                vs.add(vi)
                hs.add(hi)
    below: dict[float, list[float]] = {}
    right: dict[float, list[float]] = {}
    for x, y in points:
        below.setdefault(x, []).append(y)
        right.setdefault(y, []).append(x)
    for ys in below.values():
        ys.sort()
    for xs in right.values():
        xs.sort()
    cells = []
    for x, y in sorted(points):
        vs, hs = points[(x, y)]
        found = None
        for y2 in below[x]:
            if y2 <= y or not vs & points[(x, y2)][0]:
                continue
            for x2 in right[y]:
                if x2 <= x or not hs & points[(x2, y)][1]:
                    continue
                corner = points.get((x2, y2))
                if corner is not None and corner[0] & points[(x2, y)][0] \
                        and corner[1] & points[(x, y2)][1]:
                    found = (x, y, x2, y2)
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _groups(cells: list[tuple]) -> list[list[tuple]]:
    """Cells sharing a corner are one table; tables top to bottom, single cells dropped."""
    parent = list(range(len(cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[float, float], int] = {}
    for i, (x0, y0, x1, y1) in enumerate(cells):
        for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[find(i)] = find(j)
    groups: dict[int, list[tuple]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(find(i), []).append(cell)
    tables = sorted(groups.values(), key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


# ---- characters → text ---------------------------------------------------------------------

def _lines(chars: list[tuple]) -> list[list[tuple]]:
    """Characters in lines (tops within TOLERANCE, chained), top to bottom, each left to right."""
    tops = sorted({c[2] for c in chars})
    index: dict[float, int] = {}
    k, last = 0, tops[0]
    for t in tops:
        if abs(t - last - TOLERANCE) < MARGIN:
            raise _Unsure
        if t > last + TOLERANCE:
            k += 1
        index[t] = k
        last = t
    lines: list[list[tuple]] = [[] for _ in range(k + 1)]
    for c in chars:
        lines[index[c[2]]].append(c)
    for line in lines:
        line.sort(key=lambda c: c[1])
    return [line for line in lines if line]


def _words(line: list[tuple]) -> list[str]:
    """A line's words: a new word at a space, a gap over TOLERANCE or a step back."""
    words: list[str] = []
    cur: list[str] = []
    prev = None
    for c in line:
        ch = c[0]
        if ch.isspace():
            if cur:
                words.append("".join(cur))
            cur, prev = [], None
            continue
        if prev is not None:
            gap = c[1] - prev[3]
            if abs(gap - TOLERANCE) < MARGIN or abs(c[2] - prev[2] - TOLERANCE) < MARGIN:
                raise _Unsure
            if c[1] < prev[1] or gap > TOLERANCE or abs(c[2] - prev[2]) > TOLERANCE:
                words.append("".join(cur))
                cur = []
        cur.append(ch)
        prev = c
    if cur:
        words.append("".join(cur))
    return words


def _text(chars: list[tuple]) -> str:
    """As pdfplumber's extract_text: words joined by a space, lines by a line break."""
    return "\n".join(" ".join(_words(line)) for line in _lines(chars))


# ---- page → Tables ------------------------------------------------------------------------------

def _tables(chars: list[tuple], h_raw: list, v_raw: list, number: int, mode: str) -> list[Table] | None:
    try:
        h_edges, v_edges = _snap_join(h_raw), _snap_join(v_raw)
        found = _groups(_cells(h_edges, v_edges)) if h_edges and v_edges else []
        if found and all(len({c[0] for c in cells}) == 1 for cells in found):
            found = []  # a frame and row rules with no inner verticals: the cells are in the text
        if not found:
            return _text_page(chars, number)
        return _ruled_page(chars, found, number, mode)
    except _Unsure:
        return None


def _inside(c: tuple, x0: float, y0: float, x1: float, y1: float) -> bool:
    """The character's centre in [x0, x1) × [y0, y1), as pdfplumber decides; _Unsure when the
    centre is within MARGIN of an edge it could cross."""
    h, v = c[5], c[6]
    inside = x0 <= h < x1 and y0 <= v < y1
    near = (min(abs(h - x0), abs(h - x1)) < MARGIN and y0 - MARGIN <= v < y1 + MARGIN) or \
           (min(abs(v - y0), abs(v - y1)) < MARGIN and x0 - MARGIN <= h < x1 + MARGIN)
    if near:
        raise _Unsure
    return inside


def _ruled_page(chars: list[tuple], found: list[list[tuple]], number: int, mode: str) -> list[Table]:
    items: list[tuple[float, Table]] = []
    boxes = []
    for k, cells in enumerate(found, 1):
        bbox = (min(c[0] for c in cells), min(c[1] for c in cells),
                max(c[2] for c in cells), max(c[3] for c in cells))
        boxes.append(bbox)
        name = f"page {number} table {k}" if len(found) > 1 else f"page {number}"
        table = table_from_grid(_grid(cells, chars, mode), name)
        if table is not None:
            items.append((bbox[1], table))
    outside = [c for c in chars if not any(_inside(c, *b) for b in boxes)]
    if outside:
        runs: list[list[tuple[float, str]]] = []
        for line in _lines(outside):
            text = " ".join(_words(line)).strip()
            if not text:
                continue
            top = min(c[2] for c in line)
            # a new run whenever a table lies between this line and the previous one
            if runs and not any(runs[-1][-1][0] < b[1] < top for b in boxes):
                runs[-1].append((top, text))
            else:
                runs.append([(top, text)])
        for run in runs:
            rows = [[t] for t in (clean_cell(t) for _, t in run) if t]
            if rows:
                items.append((run[0][0], Table(rows=rows, name=f"page {number} text")))
    items.sort(key=lambda item: item[0])
    return [t for _, t in items]


def _grid(cells: list[tuple], chars: list[tuple], mode: str) -> list[list[str]]:
    """The table's rows of cell texts, a spanned slot filled by the merge policy (as
    forms.readers.pdf._grid does for pdfplumber's tables)."""
    xs = sorted({c[0] for c in cells})
    rows: dict[float, dict[float, tuple]] = {}
    for c in sorted(cells, key=lambda c: (c[1], c[0])):
        rows.setdefault(c[1], {})[c[0]] = c
    inside = _assign(cells, chars)
    texts: dict[tuple, str] = {}
    grid = []
    for top, by_x in rows.items():
        out = []
        for x in xs:
            cell = by_x.get(x)
            if cell is None:
                out.append(None)
                continue
            mine = inside.get(cell)
            texts[cell] = text = clean_cell(_text(mine)) if mine else ""
            out.append(text)
        grid.append((top, out))
    filled = []
    for top, out in grid:
        row = []
        for j, text in enumerate(out):
            if text is None:
                text = ""
                if mode != "first":
                    x = xs[j]
                    for (x0, y0, x1, y1), covering in texts.items():
                        if x0 - _EPS <= x < x1 - _EPS and y0 - _EPS <= top < y1 - _EPS:
                            if mode == "repeat" or abs(x0 - x) <= _EPS:
                                text = covering
                            break
            row.append(text)
        filled.append(row)
    return filled


def _assign(cells: list[tuple], chars: list[tuple]) -> dict[tuple, list[tuple]]:
    """The characters whose centre is in each cell, in page order (as pdfplumber has them),
    found through the grid of the cells' edges rather than by testing every cell."""
    xb = sorted({c[0] for c in cells} | {c[2] for c in cells})
    yb = sorted({c[1] for c in cells} | {c[3] for c in cells})
    col = {x: k for k, x in enumerate(xb)}
    row = {y: k for k, y in enumerate(yb)}
    slot: dict[tuple[int, int], tuple] = {}
    for cell in cells:
        for i in range(col[cell[0]], col[cell[2]]):
            for j in range(row[cell[1]], row[cell[3]]):
                slot[(i, j)] = cell
    inside: dict[tuple, list[tuple]] = {}
    for ch in chars:
        cell = slot.get((bisect_right(xb, ch[5]) - 1, bisect_right(yb, ch[6]) - 1))
        if cell is not None and _inside(ch, *cell):
            inside.setdefault(cell, []).append(ch)
    return inside


def _text_page(chars: list[tuple], number: int) -> list[Table]:
    """A page without a ruled table: rows of cells as forms.readers.pdf._word_rows makes them from
    pdfplumber's words — words on one baseline form a row, and a gap wider than about one and a
    half characters starts a new cell (a single space stays inside it)."""
    lines: list[list[tuple]] = []
    for w in sorted((w for line in _lines(chars) for w in _word_boxes(line)),
                    key=lambda w: (round(w[2]), w[1])):
        if lines and abs(abs(lines[-1][0][2] - w[2]) - TOLERANCE) < MARGIN:
            raise _Unsure
        if lines and abs(lines[-1][0][2] - w[2]) <= TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    rows = []
    for line in lines:
        line.sort(key=lambda w: w[1])
        cells = [line[0][0]]
        for prev, w in zip(line, line[1:]):
            size = max(w[4] - w[2], 1.0)
            gap = w[1] - prev[3]
            if abs(gap - 1.5 * size) < MARGIN or abs(gap - 0.2 * size) < MARGIN:
                raise _Unsure
            if gap > 1.5 * size:
                cells.append(w[0])
            else:
                cells[-1] += (" " if gap > 0.2 * size else "") + w[0]
        rows.append([clean_cell(c) for part in cells for c in _SPLIT.split(part)])
    grid = [r for r in rows if any(r)]
    width = max((len(r) for r in grid), default=0)
    table = table_from_grid([r + [""] * (width - len(r)) for r in grid], f"page {number}")
    return [table] if table is not None else []


def _word_boxes(line: list[tuple]) -> list[tuple]:
    """Words with blanks kept, as (text, x0, top, x1, bottom)."""
    words = []
    cur: list[tuple] = []
    for c in line:
        if cur:
            prev = cur[-1]
            gap = c[1] - prev[3]
            if abs(gap - TOLERANCE) < MARGIN:
                raise _Unsure
            if c[1] < prev[1] or gap > TOLERANCE or abs(c[2] - prev[2]) > TOLERANCE:
                words.append(cur)
                cur = []
        cur.append(c)
    if cur:
        words.append(cur)
    return [("".join(c[0] for c in w), min(c[1] for c in w), min(c[2] for c in w),
             max(c[3] for c in w), max(c[4] for c in w)) for w in words]
