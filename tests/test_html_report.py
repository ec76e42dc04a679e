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
    for heading in ("Self-scores vs recomputed", "Most frequent rule findings",
                    "Vague phrases that recur most", "Departments by share of flagged",
                    "Near-duplicate explanations"):
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
    assert "滨江区教育局: 2 of 2 flagged" in page
    assert "“进一步加强” in 4 explanations" in page
    assert "（未发现）" in page          # no duplicate groups


def test_empty_batch_renders(tmp_path):
    out = tmp_path / "r.html"
    write_report(str(out), BatchSummary(), [])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
