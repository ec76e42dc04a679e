"""Invented 自评表 for benchmarks and tests: MOF-family forms with random indicators and
explanations composed from fragments, written as tab-separated text, xlsx or docx.

Every project, department and sentence here is made up. `make_form(rng)` returns a grid of cells
(the rows of the MOF template: title, 项目名称, 主管部门/实施单位, funds block, goals, indicator
header, indicator rows, 总分); the writers lay the same grid out in each format.
"""
from __future__ import annotations

import random
from pathlib import Path

WIDTH = 9

DEPARTMENTS = ["滨江区教育局", "青禾县交通运输局", "临川市卫生健康委员会", "南屿区民政局",
               "东陵县农业农村局", "北岸市文化和旅游局", "西坪区应急管理局", "桐山县水务局"]
IMPLEMENTERS = ["第一实验学校", "公路养护中心", "疾病预防控制中心", "社会福利院", "农业技术推广站",
                "图书馆", "应急指挥中心", "河道管理所", "信息中心"]
PROJECTS = ["校舍维修改造", "农村公路养护", "慢性病筛查", "养老服务补贴", "高标准农田建设",
            "公共文化活动", "应急物资储备", "河道清淤整治", "政务信息系统运维", "职业技能培训"]
INDICATORS = [
    ("产出指标", "数量指标", "完成维修面积", "≥12000平方米", "num", "平方米"),
    ("产出指标", "数量指标", "培训人次", "≥800人次", "num", "人次"),
    ("产出指标", "数量指标", "巡查次数", "≥24次", "num", "次"),
    ("产出指标", "质量指标", "验收合格率", "≥95%", "pct", "%"),
    ("产出指标", "质量指标", "设备完好率", "≥98%", "pct", "%"),
    ("产出指标", "时效指标", "项目按期完成率", "=100%", "pct", "%"),
    ("产出指标", "时效指标", "资金拨付及时性", "及时", "word", ""),
    ("产出指标", "成本指标", "单位成本控制", "≤350元/平方米", "cost", "元/平方米"),
    ("效益指标", "社会效益指标", "服务覆盖人数", "≥5000人", "num", "人"),
    ("效益指标", "社会效益指标", "群众知晓率", "≥90%", "pct", "%"),
    ("效益指标", "经济效益指标", "带动就业人数", "≥60人", "num", "人"),
    ("效益指标", "生态效益指标", "水质达标率", "≥85%", "pct", "%"),
    ("效益指标", "可持续影响指标", "长效管理机制", "健全", "word", ""),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "pct", "%"),
]
CAUSES = [
    "受汛期持续降雨影响，{n}个施工点停工{d}天",
    "两家供应商延期交货{d}天，设备安装顺延",
    "原定第四季度的{n}期培训因场地改造取消",
    "由于客观原因，部分工作未能按计划推进",
    "因疫情影响，项目实施进度有所滞后",
    "{n}个乡镇因征地协调未完成，延迟开工",
    "年初指标值设定偏高，与实际需求不匹配",
    "招标流程两次流标，合同签订推迟至{m}月",
]
MEASURES = [
    "已于次年{m}月前完成剩余工程量，由项目办负责督办",
    "下一步将进一步加强管理，确保完成目标",
    "后续将加大工作力度，不断提高服务水平",
    "已在次年合同中写明逾期违约金，由采购科每月核对交付进度",
    "剩余{n}期培训已列入次年一季度计划，由培训科负责",
    "今后将合理设置绩效目标值，加强跟踪监控",
]
BOILERPLATE = ("因部分工作推进不及时，导致该指标未能全部完成，下一步我单位将认真总结经验，"
               "进一步加强项目管理，确保各项工作按期保质完成。")


def _explanation(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return BOILERPLATE
    fill = {"n": rng.randint(2, 9), "d": rng.randint(10, 60), "m": rng.randint(2, 11)}
    text = rng.choice(CAUSES).format(**fill) + "。" + rng.choice(MEASURES).format(**fill) + "。"
    if rng.random() < 0.05:
        text = text[:-6]          # cut off mid-sentence, as exports do
    return text


def make_form(rng: random.Random, k: int = 0) -> list[list[str]]:
    """The cell grid of one invented form."""
    year = rng.choice([2021, 2022, 2023])
    dept = rng.choice(DEPARTMENTS)
    project = f"{rng.choice(PROJECTS)}项目（{k + 1}号）"
    budget = rng.randint(20, 900) * 10000.0
    executed = round(budget * rng.uniform(0.85, 1.0), 2)
    rate = round(100 * executed / budget, 2)
    fund_score = round(min(10.0, 10 * rate / 100), 2)
    n = rng.randint(7, 11)
    chosen = rng.sample(INDICATORS, n)
    chosen.sort(key=lambda t: INDICATORS.index(t))
    weights = [90 // n] * n
    weights[-1] += 90 - sum(weights)
    rows = [["财政项目支出绩效自评表"] + [""] * (WIDTH - 1),
            [f"({year} 年度)"] + [""] * (WIDTH - 1),
            ["项目名称", project] + [""] * (WIDTH - 2),
            ["主管部门", dept, "", "", "实施单位", rng.choice(IMPLEMENTERS), "", "", ""],
            ["项目资金 (元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""],
            ["", "年度资金总额", f"{budget:.2f}", f"{budget:.2f}", f"{executed:.2f}", "10",
             f"{rate:.2f}", f"{fund_score:g}", ""],
            ["", "其中：当年财政拨款", f"{budget:.2f}", f"{budget:.2f}", f"{executed:.2f}", "—", "", "", ""],
            ["", "上年结转资金", "", "", "", "—", "", "", ""],
            ["", "其他资金", "", "", "", "—", "", "", ""],
            ["年度总体目标", "预算目标", "", "", "实际完成情况", "", "", "", ""],
            ["", f"按期完成{project}各项任务，保障服务正常运行。", "", "",
             "项目总体按计划实施，个别指标未完全达到预期。", "", "", "", ""],
            ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
             "偏差原因分析及改进措施"]]
    total = fund_score
    for (l1, l2, name, target, kind, unit), w in zip(chosen, weights):
        miss = rng.random() < 0.3
        score, expl = float(w), ""
        if kind == "word":
            actual = "基本及时" if miss and name.endswith("性") else ("较为健全" if miss else target)
        else:
            value = float("".join(ch for ch in target if ch.isdigit() or ch == "."))
            if kind == "cost":
                got = value * (rng.uniform(1.02, 1.2) if miss else rng.uniform(0.9, 1.0))
            else:
                got = value * (rng.uniform(0.7, 0.97) if miss else rng.uniform(1.0, 1.1))
            got = round(min(got, 100.0) if kind == "pct" else got, 2 if kind != "num" else 0)
            actual = f"{got:g}{unit}"
        if miss:
            score = round(w * rng.uniform(0.5, 0.95), 1)
            if rng.random() > 0.1:         # a few lost points are left unexplained
                expl = _explanation(rng)
        total += score
        rows.append(["", l1, l2, name, target, actual, str(w), f"{score:g}", expl])
    rows.append(["", "总分", "", "", "", "", "100", f"{round(total, 2):g}", ""])
    return rows


def forms(n: int, seed: int = 7) -> list[list[list[str]]]:
    rng = random.Random(seed)
    return [make_form(rng, k) for k in range(n)]


# ---- writers --------------------------------------------------------------------------------

def write_text(path: Path, grids: list[list[list[str]]]) -> None:
    lines: list[str] = []
    for g in grids:
        lines.extend("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) for row in g)
        lines.append("")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_xlsx(path: Path, grids: list[list[list[str]]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "自评表"
    r = 1
    for g in grids:
        for k, row in enumerate(g):
            for c, value in enumerate(row, start=1):
                if value != "":
                    ws.cell(r, c, _number(value))
            if k < 2:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=WIDTH)
            r += 1
        r += 1
    wb.save(path)


def _number(v: str):
    try:
        return float(v) if "." in v else int(v)
    except ValueError:
        return v


def write_docx(path: Path, grids: list[list[list[str]]]) -> None:
    import docx

    doc = docx.Document()
    for g in grids:
        doc.add_paragraph(g[0][0])
        doc.add_paragraph(g[1][0])
        body = g[2:]
        table = doc.add_table(rows=len(body), cols=WIDTH)
        for r, row in enumerate(body):
            cells = table.rows[r].cells
            for c, value in enumerate(row):
                if value:
                    cells[c].text = value
    doc.save(path)


def embedded_font() -> str:
    """Register (once) a TrueType font made here, a plain box for every ASCII, CJK and full-width
    character, and return its name. PDFs written with it embed their font, as office suites'
    exports do; reportlab's STSong-Light is a CID font that is not embedded. Needs fontTools."""
    import tempfile

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = "FormgenSong"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    points = [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2000, 0x2800),   # punctuation, ≥, ★
              *range(0x3000, 0x3040), *range(0x4E00, 0xA000), *range(0xFF00, 0xFFF0)]
    glyph = {cp: f"g{cp:04X}" for cp in points}

    def box(width: int):
        pen = TTGlyphPen(None)
        pen.moveTo((50, -80))
        pen.lineTo((50, 760))
        pen.lineTo((width - 50, 760))
        pen.lineTo((width - 50, -80))
        pen.closePath()
        return pen.glyph()

    half, full = box(500), box(1000)
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", *glyph.values()])
    fb.setupCharacterMap(glyph)
    fb.setupGlyf({".notdef": full, **{g: half if cp < 0x100 else full for cp, g in glyph.items()}})
    fb.setupHorizontalMetrics({".notdef": (1000, 50),
                               **{g: (500 if cp < 0x100 else 1000, 50) for cp, g in glyph.items()}})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": name, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    with tempfile.NamedTemporaryFile(suffix=".ttf", delete=False) as fh:
        fb.save(fh)
    pdfmetrics.registerFont(TTFont(name, fh.name))
    return name


def write_pdf(path: Path, grids: list[list[list[str]]], font: str = "STSong-Light") -> None:
    """One form per page (landscape A4), wrapped cells, in `font` (default: reportlab's built-in
    CID font; embedded_font() for a font embedded in the file)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    if font == "STSong-Light" and font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cell", fontName=font, fontSize=6.5, leading=8)
    title = ParagraphStyle("title", fontName=font, fontSize=12, leading=16)
    widths = [42, 52, 60, 70, 60, 60, 30, 30, 330]
    story = []
    for k, g in enumerate(grids):
        if k:
            story.append(PageBreak())
        story.append(Paragraph(g[0][0], title))
        story.append(Paragraph(g[1][0], style))
        body = [[Paragraph(c, style) if c else "" for c in row] for row in g[2:]]
        t = Table(body, colWidths=widths)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, "black"),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(t)
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=20, rightMargin=20,
                      topMargin=20, bottomMargin=20).build(story)


WRITERS = {"txt": write_text, "xlsx": write_xlsx, "docx": write_docx, "pdf": write_pdf}


def write_corpus(folder: Path, n: int, fmt: str, *, per_file: int = 1, seed: int = 7,
                 pdf_font: str | None = None) -> list[Path]:
    """n forms in files of `per_file` forms each; returns the paths. `pdf_font`: see write_pdf."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for start in range(0, n, per_file):
        grids = [make_form(rng, k) for k in range(start, min(n, start + per_file))]
        p = folder / f"form_{start:06d}.{fmt}"
        if fmt == "pdf" and pdf_font:
            write_pdf(p, grids, pdf_font)
        else:
            WRITERS[fmt](p, grids)
        paths.append(p)
    return paths
