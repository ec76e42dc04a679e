"""Target met or not, for numeric and qualitative targets, and the scores the rules allow."""
from __future__ import annotations

import pytest

from forms.model import Indicator
from rules.judgement import expected_score, target_status

BANDS = {"partial": (0.0, 0.8), "missed": (0.0, 0.6)}


def ind(name, target, actual, weight=10, score=10):
    return Indicator("产出指标", None, name, target, actual, weight, score)


@pytest.mark.parametrize("name,target,actual,status", [
    ("故障处理结案率", "=100%", "=99.11%", "missed"),
    ("用户满意度", ">=85%", "=100%", "met"),
    ("直联业务占比", "≥50.00%", "=88.27%", "met"),
    ("故障处置时间", "<=4 小时", "<=4 小时", "met"),
    ("平均处置时长", "≤4小时", "5小时", "missed"),
    ("有效投诉量", "<5个", "0", "met"),
    ("有效投诉量", "<5个", "7个", "missed"),
    ("重大事故次数", "0", "1", "missed"),          # no comparator, lower is better by name
    ("投诉处理率", "95%", "97%", "met"),            # a rate of handling is positive
    ("核心业务中断时间", "≤20 小时", "未发生中断", "met"),
    ("养护里程", "35公里", "31公里", "missed"),
    ("物业完成及时性", "及时", "部分管理部物业费合同续签不够及时", "partial"),
    ("长效管理机制健全性", "健全", "较为健全，进度管理有待进一步加强。", "partial"),
    ("三级等保测评", "达标", "达标", "met"),
    ("系统运行能力", "保持", "有效保持", "met"),
    ("验收", "通过验收", "未通过验收", "missed"),
    ("社会影响力", "不断提高", "该指标不适用", "not_applicable"),
    ("增加用户数量", "不断增加", "2020年单位用户新增78211家", "unknown"),
    ("养护里程", "≥35公里", "", "unknown"),
])
def test_target_status(name, target, actual, status):
    assert target_status(ind(name, target, actual)) == status


@pytest.mark.parametrize("i,expected", [
    (ind("业务故障修复率", "=100%", "=93.03%"), 9.30),
    (ind("平均处置时长", "≤4小时", "5小时"), 8.0),
    (ind("培训人次", "≥800人次", "1000人次"), 10.0),
    (ind("机制健全性", "健全", "较为健全", weight=5), 4.0),
    (ind("验收", "通过验收", "未通过验收", weight=5), 3.0),
])
def test_expected_score(i, expected):
    assert expected_score(i, BANDS)[0] == pytest.approx(expected)


def test_no_expected_score_without_weight_or_judgement():
    assert expected_score(ind("x", "及时", "及时", weight=None), BANDS) is None
    assert expected_score(ind("x", "不断增加", "新增78211家"), BANDS) is None


def test_stated_completion_column_decides():
    row = ind("设备投入使用时间", "≤3月", "4月")
    row.extra["completion"] = "未完成"
    assert target_status(row) == "missed"
    row.extra["completion"] = "基本完成"
    assert target_status(row) == "partial"
    qualitative = ind("机制健全性", "健全", "有所完善")
    assert target_status(qualitative) == "unknown"
    qualitative.extra["completion"] = "完成"
    assert target_status(qualitative) == "met"
