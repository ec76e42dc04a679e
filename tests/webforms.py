"""Small 自评表 forms for the annotate / web / browser tests, written at test time.

An invented project (a district library's book purchases) in the layout of a 财政项目支出绩效自评表:
title, year, metadata, funds block, goals, indicator table, total. `rows()` gives the grid with ""
under merges; `write_text` writes it tab-separated, `write_xlsx` as a workbook with real merges,
a column width and a fill, so tests can see the original formatting survive annotation.
"""
from __future__ import annotations

from pathlib import Path

WIDTH = 9
VAGUE = "由于客观原因未完成。下一步将进一步加强管理。"

# (level1, level2, indicator, target, actual, weight, score, explanation)
INDICATORS = [
    ("产出指标", "数量指标", "新购图书册数", "≥30000册", "26000册", "20", "17", VAGUE),
    ("", "质量指标", "图书验收合格率", "100%", "100%", "20", "20", ""),
    ("", "时效指标", "图书上架及时率", "≥95%", "90%", "10", "8", ""),
    ("效益指标", "社会效益指标", "年借阅人次", "≥50000人次", "52000人次", "20", "20", ""),
    ("满意度指标", "服务对象满意度指标", "读者满意度", "≥90%", "93%", "20", "20", ""),
]
TOTAL_SCORE = "94"      # the scores add up to 94.5: an arithmetic error on purpose
FIRST_INDICATOR_ROW = 13  # 1-based row of the first indicator row, text line or worksheet row


def rows(project: str = "社区图书室图书更新与流通服务") -> list[list[str]]:
    def pad(*cells):
        return list(cells) + [""] * (WIDTH - len(cells))

    out = [
        pad("财政项目支出绩效自评表"),
        pad("(2023 年度)"),
        pad("项目名称", project),
        pad("主管部门", "某区文化和旅游局", "", "", "实施单位", "某区图书馆"),
        pad("项目资金 (元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
        pad("", "年度资金总额", "600000.00", "580000.00", "551000.00", "10", "95.00", "9.5"),
        pad("", "其中：当年财政拨款", "600000.00", "580000.00", "551000.00", "—"),
        pad("", "上年结转资金", "", "", "", "—"),
        pad("", "其他资金", "", "", "", "—"),
        pad("年度总体目标", "预算目标", "", "", "实际完成情况"),
        pad("", "为全区32个社区图书室补充新书并开展借阅服务。", "", "", "补充新书2.6万册，完成借阅服务。"),
        pad("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
            "偏差原因分析及改进措施"),
    ]
    for ind in INDICATORS:
        out.append(pad("", *ind))
    out.append(pad("总分", "", "", "", "", "", "100", TOTAL_SCORE))
    return out


def merges(n_rows: int) -> list[str]:
    """Merged ranges (Excel notation) of the grid `rows()` returns."""
    last_ind = FIRST_INDICATOR_ROW + len(INDICATORS) - 1
    return ["A1:I1", "A2:I2", "B3:I3", "B4:D4", "F4:I4", "A5:B5", "A6:A9", "B10:D10", "E10:I10",
            "B11:D11", "E11:I11", f"A12:A{last_ind}", f"B{FIRST_INDICATOR_ROW}:B{FIRST_INDICATOR_ROW + 2}",
            f"A{n_rows}:F{n_rows}"]


def write_text(path: Path, project: str | None = None) -> Path:
    grid = rows(project) if project else rows()
    path.write_text("\n".join("\t".join(r) for r in grid) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, project: str | None = None, sheet: str = "自评表") -> Path:
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    grid = rows(project) if project else rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(grid, 1):
        for c, text in enumerate(row, 1):
            if text == "":
                continue
            value: object = text
            if r >= 6 and c >= 3 and r not in (10, 11, 12):
                try:
                    value = float(text) if "." in text else int(text)
                except ValueError:
                    pass
            ws.cell(r, c, value)
    for rng in merges(len(grid)):
        ws.merge_cells(rng)
    ws.column_dimensions["I"].width = 48
    ws["A1"].font = Font(bold=True, size=14)
    ws["D12"].fill = PatternFill("solid", fgColor="C6E0B4")
    wb.save(path)
    return path
