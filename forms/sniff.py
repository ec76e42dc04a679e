"""Which reader a file needs, decided by its content, not only its name.

Budget systems export HTML under an .xls name, users rename xlsx files to .xls, and PDFs arrive
as .dat: the first bytes decide. Returns one of FORMATS. The suffix is only consulted when the
content cannot say (a zip whose directory is unreadable, an OLE2 file that may be a Word .doc).
"""
from __future__ import annotations

import codecs
import os
import re
import zipfile

from forms.errors import FormError

FORMATS = ("text", "xlsx", "xls", "docx", "pdf", "html")

_HEAD = 8192
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|meta|title)\b", re.I)
_XML_SPREADSHEET = re.compile(rb"urn:schemas-microsoft-com:office:spreadsheet", re.I)
_BY_SUFFIX = {
    ".txt": "text", ".tsv": "text", ".csv": "text", ".text": "text",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "xls",
    ".docx": "docx", ".docm": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html",
}
# Text encodings tried in order; gb18030 is a superset of gbk and gb2312.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def sniff(path: str) -> str:
    """The format of the file at `path` ("text", "xlsx", "xls", "docx", "pdf" or "html").

    Raises FormError for a missing, empty or unrecognisable (binary garbage) file.
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(_HEAD)
    except OSError as e:
        raise FormError(path, f"cannot open: {e.strerror or e}") from None
    if size == 0 or not head.strip():
        raise FormError(path, "empty file")
    suffix = os.path.splitext(path)[1].lower()

    if head.startswith(_ZIP):
        return _sniff_zip(path, suffix)
    if head.startswith(_OLE2):
        if suffix in (".doc", ".wps"):
            raise FormError(path, "a legacy Word (.doc) file: save it as .docx and read that")
        return "xls"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    text = decode_text(head, final=size <= len(head))
    if text is not None and not _looks_like_text(text):
        text = None
    if text is None:
        kind = f" with a {suffix} name" if suffix else ""
        raise FormError(path, f"binary content{kind} that is not xlsx, xls, docx, pdf, html or text")
    if _HTML.search(head[:4096].lstrip()):
        return "html"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml") and _XML_SPREADSHEET.search(head):
        raise FormError(path, "an Excel 2003 XML spreadsheet: save it as .xlsx and read that")
    return "text"


def text_encoding(path: str) -> str:
    """The encoding a text file decodes with: "utf-8-sig" (plain utf-8 included) or "gb18030".

    Checks the first 64 KiB; a text reader should still decode with errors="replace".
    """
    with open(path, "rb") as f:
        head = f.read(65536)
        more = bool(f.read(1))
    for enc in TEXT_ENCODINGS:
        if _decodes(head, enc, more):
            return enc
    return "gb18030"


def _sniff_zip(path: str, suffix: str) -> str:
    from forms.readers.common import check_zip_members

    check_zip_members(path)
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        # Truncated or damaged: the name is the best guess; the reader reports the damage.
        fmt = _BY_SUFFIX.get(suffix)
        if fmt in ("xlsx", "docx"):
            return fmt
        if fmt == "xls":
            return "xlsx"
        raise FormError(path, "a damaged zip archive that cannot be identified as xlsx or docx") from None
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    raise FormError(path, "a zip archive that is neither an Excel (.xlsx) nor a Word (.docx) file")


def _decodes(data: bytes, encoding: str, truncated: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(data, final=not truncated)
    except UnicodeDecodeError:
        return False
    return True


def decode_text(data: bytes, final: bool = True) -> str | None:
    """`data` as text, or None when it is not text in an encoding forms come in.

    UTF-16 with a BOM (Excel's "Unicode text" export) or without one (recognised by its NUL
    bytes all falling on one side of each pair); else UTF-8 (with or without BOM); else line by
    line, UTF-8 or GB18030 — a file pasted together from two systems mixes them. `final=False`
    means `data` is a file's head: a character cut at its end is not an error.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        return _decode(data[2:], enc, final, errors="replace")
    if b"\x00" in data:
        return _utf16_without_bom(data, final)
    text = _decode(data, "utf-8-sig", final)
    if text is not None:
        return text
    lines = data.splitlines(keepends=True)
    out = []
    for k, line in enumerate(lines):
        last = k == len(lines) - 1
        for enc in TEXT_ENCODINGS:
            text = _decode(line, enc, final or not last)
            if text is not None:
                out.append(text)
                break
        else:
            return None
    return "".join(out)


def _decode(data: bytes, encoding: str, final: bool, errors: str = "strict") -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)(errors).decode(data, final=final)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes, final: bool) -> str | None:
    """UTF-16 text whose ASCII characters (tabs, newlines, digits) put a NUL in every other
    byte; None for binary data, whose NULs fall anywhere."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd > 8 * even:
        enc = "utf-16-le"
    elif even > 8 * odd:
        enc = "utf-16-be"
    else:
        return None
    text = _decode(data, enc, final)
    if text is None or not any(ch in text for ch in "\t\n"):
        return None
    # random bytes decoded as UTF-16 are almost never ASCII; a form's text has tabs and digits
    if sum(1 for ch in text if ch < "\x80") < len(text) // 50:
        return None
    return text


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")      # control characters but \t\n\v\f\r


def _looks_like_text(text: str) -> bool:
    return len(_CONTROL.findall(text)) <= max(2, len(text) // 200)
