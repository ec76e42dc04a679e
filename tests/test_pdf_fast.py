"""The fast PDF path (forms.readers.pdfium) gives pdfplumber's Tables, and hands over what it cannot.

Forms are rendered at test time (tests/specs, bench/formgen.py). Most use a TrueType font made at
test time and embedded in the file, as office exports do; reportlab's STSong-Light is not
embedded, and without a CJK font on the machine pdfium drops a lone glyph in it.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import formspec  # noqa: E402

from forms.errors import FormError  # noqa: E402
from forms.readers import pdf, pdfium  # noqa: E402

pytest.importorskip("reportlab")
ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("formgen", ROOT / "bench" / "formgen.py")
formgen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(formgen)


def _tables(tables) -> list[tuple]:
    return [(t.name, t.rows, t.lines) for t in tables]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    pytest.importorskip("fontTools")
    folder = tmp_path_factory.mktemp("pdf")
    font = formgen.embedded_font()
    old, formspec._FONT = formspec._FONT, font
    try:
        specs = formspec.render(formspec.load_specs(), "pdf", folder, "specs")
    finally:
        formspec._FONT = old
    forms = formgen.write_corpus(folder / "gen", 6, "pdf", per_file=3, seed=4, pdf_font=font)
    return [specs, *forms]


@pytest.mark.parametrize("merged", ["first", "down", "repeat"])
def test_every_page_is_read_fast_and_as_pdfplumber_reads_it(embedded, merged):
    for path in embedded:
        pages = pdfium.read_pages(str(path), merged, 100)
        assert pages and all(p.tables is not None for p in pages), path.name
        slow = pdf._plumber(str(path), merged)
        assert [_tables(p.tables) for p in pages] == [_tables(slow[k]) for k in sorted(slow)]


def _canvas(path: Path, font: str = "STSong-Light"):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if font == "STSong-Light" and font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    c = canvas.Canvas(str(path))
    c.setFont(font, 10)
    return c


def test_a_page_the_fast_path_is_unsure_of_is_read_by_pdfplumber(tmp_path):
    c = _canvas(tmp_path / "lone.pdf")
    c.drawString(50, 800, "项目名称")
    c.drawString(200, 800, "率")               # one glyph of a font that is not embedded
    c.showPage()
    c.setFont("STSong-Light", 10)
    c.drawString(50, 800, "项目名称")
    c.drawString(200, 800, "测试项目")
    c.saveState()
    c.translate(300, 500)
    c.rotate(90)
    c.drawString(0, 0, "旋转的说明文字")      # rotated text
    c.restoreState()
    c.save()
    pages = pdfium.read_pages(str(tmp_path / "lone.pdf"), "down", 100)
    # Where the machine has a CJK font, pdfium shows the lone glyph and the page is read fast;
    # where it has none, pdfium drops it and the page must go to pdfplumber. Never read wrong.
    first = pages[0].tables
    assert first is None or first[0].rows[0] == ["项目名称", "率"]
    assert pages[1].tables is None
    tables = pdf.read(str(tmp_path / "lone.pdf"))
    assert tables[0].rows[0] == ["项目名称", "率"]
    slow = pdf._plumber(str(tmp_path / "lone.pdf"), "down")
    assert _tables(tables) == _tables(t for k in (1, 2) for t in slow[k])


def test_a_text_page_without_rules_is_read_fast(tmp_path):
    pytest.importorskip("fontTools")
    c = _canvas(tmp_path / "plain.pdf", formgen.embedded_font())
    c.drawString(50, 800, "项目名称")
    c.drawString(200, 800, "测试项目")
    c.drawString(50, 780, "（2021年度）")
    c.save()
    (page,) = pdfium.read_pages(str(tmp_path / "plain.pdf"), "down", 100)
    assert page.tables is not None
    assert page.tables[0].rows == [["项目名称", "测试项目"], ["（2021年度）", ""]]
    assert _tables(page.tables) == _tables(pdf._plumber(str(tmp_path / "plain.pdf"), "down")[1])


def test_a_scan_without_text_layer_is_reported_as_such(tmp_path):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    from forms.read import read_forms

    image = ImageReader(Image.new("L", (200, 100), 200))
    c = _canvas(tmp_path / "scan.pdf")
    for _ in range(2):
        c.drawImage(image, 50, 400, width=400, height=200)
        c.showPage()
    c.save()
    with pytest.raises(FormError, match="scanned, no text layer: 2 page") as e:
        read_forms(tmp_path / "scan.pdf")
    assert e.value.stage == "read" and "自评表" not in str(e.value)
    # a file with a text page is read, scanned pages or not
    c = _canvas(tmp_path / "mixed.pdf")
    c.drawImage(image, 50, 400, width=400, height=200)
    c.showPage()
    c.setFont("STSong-Light", 10)
    c.drawString(50, 800, "项目名称 测试项目")
    c.save()
    assert pdf.read(str(tmp_path / "mixed.pdf"))[0].rows[0][0].startswith("项目名称")


def test_threads_read_pdfs_at_once(embedded):
    """pdfium is not thread-safe: the reader takes a lock (the web app reads in threads)."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [str(p) for p in embedded] * 4
    alone = [_tables(pdf.read(p)) for p in paths]
    with ThreadPoolExecutor(4) as pool:
        assert [_tables(t) for t in pool.map(pdf.read, paths)] == alone


def test_a_table_drawn_inside_a_form_xobject_is_read_fast(tmp_path):
    c = _canvas(tmp_path / "xobject.pdf")
    c.beginForm("grid")
    c.setFont("STSong-Light", 10)
    for k in range(4):                      # a 3 × 3 ruled grid with text in its cells
        c.line(0, 60 * k, 300, 60 * k)
        c.line(100 * k, 0, 100 * k, 180)
    grid = [["一级指标", "二级指标", "三级指标"], ["产出指标", "数量指标", "培训人次"],
            ["效益指标", "社会效益", "覆盖人数"]]
    for r, row in enumerate(grid):
        for col, text in enumerate(row):
            c.drawString(100 * col + 10, 180 - 60 * r - 35, text)
    c.endForm()
    c.saveState()
    c.translate(100, 400)
    c.scale(1.2, 1.2)
    c.doForm("grid")
    c.restoreState()
    c.drawString(100, 700, "财政项目支出绩效自评表")
    c.save()
    (page,) = pdfium.read_pages(str(tmp_path / "xobject.pdf"), "down", 100)
    assert page.tables is not None
    assert [t.rows for t in page.tables] == [[["财政项目支出绩效自评表"]], grid]
    assert _tables(page.tables) == _tables(pdf._plumber(str(tmp_path / "xobject.pdf"), "down")[1])


def test_a_frame_with_row_rules_and_no_inner_verticals_is_read_as_text(tmp_path):
    # each row band is one ruled "cell" spanning the page: the cells are in the text's gaps
    pytest.importorskip("fontTools")
    c = _canvas(tmp_path / "frame.pdf", formgen.embedded_font())
    rows = [("项目名称", "乡村道路养护", ""), ("三级指标", "年度指标值", "实际完成值"),
            ("养护里程", "≥35公里", "31公里")]
    top = 800
    c.rect(40, top - 20 * len(rows), 500, 20 * len(rows))
    for k, cells in enumerate(rows):
        y = top - 20 * (k + 1)
        if k:
            c.line(40, y + 20, 540, y + 20)
        for x, text in zip((50, 220, 390), cells):
            c.drawString(x, y + 6, text)
    c.save()
    (page,) = pdfium.read_pages(str(tmp_path / "frame.pdf"), "down", 100)
    assert page.tables is not None
    assert page.tables[0].rows == [["项目名称", "乡村道路养护", ""], ["三级指标", "年度指标值", "实际完成值"],
                                   ["养护里程", "≥35公里", "31公里"]]
    assert _tables(page.tables) == _tables(pdf._plumber(str(tmp_path / "frame.pdf"), "down")[1])
