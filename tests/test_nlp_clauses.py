"""Clause and piece splitting: boundaries and offsets."""
import pytest

from nlp.clauses import split_clauses, split_pieces

CASES = [
    ("", []),
    ("资金下达较晚。", ["资金下达较晚"]),
    ("一是设备老化；二是人员调离。下一步将每月巡检。", ["一是设备老化", "二是人员调离", "下一步将每月巡检"]),
    ("（1）合同推迟签订（2）供应商延期交货", ["（1）合同推迟签订", "（2）供应商延期交货"]),
    ("1.招标流标；2、雨季停工！3.其余7400册次年交货？", ["1.招标流标", "2、雨季停工", "3.其余7400册次年交货"]),
    ("执行率为95.5%，较上年提高1.2个百分点", ["执行率为95.5%，较上年提高1.2个百分点"]),
    ("（一）原因\n（二）措施", ["（一）原因", "（二）措施"]),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_split_clauses(text, expected):
    clauses = split_clauses(text)
    assert [c.text for c in clauses] == expected
    for c in clauses:
        assert text[c.start:c.end] == c.text


def test_decimal_numbers_are_not_enumeration():
    assert len(split_clauses("完成率98.5%，目标值为100%。")) == 1


def test_pieces_split_at_commas_and_keep_clause_index():
    pieces = split_pieces("因施工单位资质到期，项目停工两月。下一步，将于3月底前复工")
    assert [(p.text, ci) for p, ci in pieces] == [
        ("因施工单位资质到期", 0), ("项目停工两月", 0), ("下一步", 1), ("将于3月底前复工", 1)]
