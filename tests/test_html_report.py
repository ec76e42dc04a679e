"""The batch HTML report: self-contained, escaped, and with each chart a reviewer needs."""
from __future__ import annotations

import re

from reports.html import BatchSummary, render, write_report


def _summary() -> BatchSummary:
    s = BatchSummary()
    s.observe("forms", {"file": "a.txt", "stated_total": 96.0, "recomputed_total": 91.5,
                        "PC101": 3, "PC404": 2, "PC201": 0})
    s.observe("forms", {"file": "b.txt", "stated_total": 88.0, "recomputed_total": 88.0,
                        "PC101": 1})
    for dept, flagged in [("滨江区教育局", True), ("滨江区教育局", True), ("桐山县水务局", False),
                          ("<script>alert(1)</script>", True)]:
        s.observe("indicators", {"file": "a.txt", "department": dept, "cause": "generic",
                                 "measure": "generic", "flagged": flagged,
                                 "vague_phrases": "进一步加强|客观原因"})
    s.observe("errors", {"file": "c.xlsx", "stage": "read", "message": "not a zip"})
    return s


DUPS = [{"group": 1, "occurrences": 7, "forms": 6, "files": 5, "variants": 2,
         "example": "下一步将进一步加强管理 & <b>确保</b>完成", "sample_files": "a.txt|b<1>.txt"}]


def test_report_has_every_section_and_no_network():
    page = render(_summary(), DUPS, rule_names={"PC101": "Indicator lost points",
                                               "PC404": "Measure is a slogan"})
    for heading in ("自评总分与复算总分分布", "最常见的问题", "反复出现的空泛表述", "各主管部门说明被标记比例",
                    "跨表近似重复的说明", "未能评分的文件"):
        assert heading in page
    assert page.count("<svg") >= 4
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert "<link" not in page


def test_text_from_forms_is_escaped():
    page = render(_summary(), DUPS, rule_names={})
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;确保&lt;/b&gt;" in page and "&amp;" in page
    assert "b&lt;1&gt;.txt" in page


def test_numbers_in_the_charts():
    s = _summary()
    page = render(s, [], rule_names={})
    assert s.mismatch == 1 and s.with_both == 2
    assert "滨江区教育局：2 条中 2 条被标记" in page
    assert "“进一步加强”出现在 4 条说明中" in page
    assert "（未发现）" in page          # no duplicate groups


def test_empty_batch_renders(tmp_path):
    out = tmp_path / "r.html"
    write_report(str(out), BatchSummary(), [])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_failed_files_are_listed_with_stage_and_reason():
    page = render(_summary(), [], rule_names={}, errors_at="s.errors.csv")
    assert "未能评分的文件" in page and "c.xlsx" in page and "读取" in page
    s = BatchSummary()
    for k in range(60):
        s.observe("errors", {"file": f"f{k}.xlsx", "stage": "read", "message": "no such file"})
    page = render(s, [], rule_names={}, errors_at="s.errors.csv")
    assert "f49.xlsx" in page and "f50.xlsx" not in page
    assert "另有 10 条，完整列表见 s.errors.csv" in page and "文件不存在" in page


def test_chart_labels_fit_and_english_on_request():
    from reports.html import hbar_svg, text_width
    from reports.messages import set_lang

    long = "PC106 自评分偏高：得分高于按评分规则计算的分数"
    svg = hbar_svg([(long, 3, long), ("PC101 指标扣分", 1, "")])
    label_x = int(re.search(r'<text x="(\d+)"', svg).group(1))
    assert f">{long}<title>" in svg and label_x >= text_width(long)      # whole, not cut off
    very = "某某市某某区" * 30
    svg = hbar_svg([(very, 1, very)])
    assert "…<title>" in svg and f"<title>{very}</title>" in svg        # cut, whole on hover
    set_lang("en")
    try:
        page = render(_summary(), [], rule_names={})
        assert "Self-scores vs recomputed totals" in page and 'lang="en"' in page
    finally:
        set_lang(None)
