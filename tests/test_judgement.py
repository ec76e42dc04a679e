"""Target met or not, for numeric and qualitative targets, and the scores the rules allow."""
from __future__ import annotations

import pytest

from forms.model import Indicator
from rules.judgement import direction, expected_score, judge, reading_doubt, says_nothing, target_status

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


def row(name, target, actual, weight=10, score=10, level2=None, **kw):
    return Indicator("产出指标", level2, name, target, actual, weight, score, **kw)


@pytest.mark.parametrize("name,target,level2,extra,way,source", [
    ("安装河道警示牌", "≥120块", None, {}, "higher", "comparator"),
    ("平均处置时长", "≤4小时", None, {}, "lower", "comparator"),
    ("降本幅度", "20%", None, {"direction": "反向"}, "lower", "form"),
    ("森林火灾受害率", "0.7%", None, {}, "lower", "name"),
    ("林业有害生物成灾率", "0.3%", None, {}, "lower", "name"),
    ("客户有效投诉量", "5个", None, {}, "lower", "name"),
    ("投诉处理率", "95%", None, {}, "higher", "name"),         # the head of the phrase decides
    ("产品不合格率", "2%", None, {}, "lower", "name"),           # the longer of two cues ending together
    ("项目总成本", "300万元", None, {}, "lower", "name"),
    ("成本节约率", "5%", None, {}, "higher", "name"),
    ("羊舍(≥**平方米)", "35", None, {}, "higher", "name"),  # a comparator written in the name
    ("孕早期建档数", "150人", None, {}, "higher", "name-generic"),
    ("举办义诊活动", "8次", None, {}, "higher", "name-verb"),
    ("项目总投资", "45万元", "成本指标", {}, "lower", "level"),
    ("居民健康档案", "52000人", None, {}, "higher", "unit"),
    ("灾备云节点", "=3套", None, {}, "higher", "unit"),
    ("服务站点布局", "12.5", None, {}, None, ""),
])
def test_direction(name, target, level2, extra, way, source):
    assert direction(row(name, target, "", level2=level2, extra=extra)) == (way, source)


@pytest.mark.parametrize("name,target,actual,status,certain", [
    # dates and deadlines are judged before/after, never as numbers
    ("项目完工时间", "10月底前", "8月", "met", True),
    ("项目完工时间", "10月底前", "11月", "partial", True),
    ("项目完工时间", "9月前", "延迟至11月完成", "partial", True),
    ("资金拨付时间", "2023.12", "2023年11月", "met", True),
    ("资金拨付时间", "年底前", "2024年3月", "unknown", False),
    ("资金拨付时间", "11月30日前", "已完成", "met", True),
    ("资金拨付及时性", "及时", "8月", "unknown", False),
    ("资金拨付及时性", "按期", "未按期完成", "missed", True),
    # units: converted within a measure, never across
    ("项目总成本", "≤300万元", "2100000元", "met", True),
    ("冷库建设", "500万元", "2座", "unknown", False),
    ("冷链设备购置安装", "300", "12", "unknown", False),   # bare numbers, nothing says what they count
    ("补贴农机数", "12", "10", "missed", False),                # the name says what is counted
    ("参保率", "≥90%", "0.96", "unknown", False),             # bare against percent: not a miss
    ("任务完成率", "90%", "100", "met", False),
    ("排放浓度", "≤2‰", "0.1%", "met", True),
    ("新建机耕路", "12公里", "9500米", "missed", False),  # direction from a verb: not certain
    ("机耕路里程", "12公里", "9500米", "missed", False),
    # words
    ("验收情况", "通过验收", "基本达到", "partial", True),
    ("设备采购", "50件", "已完成100%", "met", False),
    ("设备采购", "50件", "完成80%", "partial", False),
    ("资金监管", "无重大违规", "无", "met", True),
    ("培训人数", "≥100人", "无", "unknown", False),
    ("机制健全性", "健全", "项目管理机制健全且执行有效", "met", False),
])
def test_judge(name, target, actual, status, certain):
    j = judge(row(name, target, actual))
    assert (j.status, j.certain) == (status, certain), j.how


def test_row_unit_column_and_digit_damage():
    # the unit sits in its own column; the actual "5" reads as "35" with its first digit lost
    damaged = row("退耕还林管护面积", "35万亩", "5", extra={"unit": "万亩"})
    assert judge(damaged).status == "unknown" and "首位数字" in judge(damaged).how
    scored_down = row("退耕还林管护面积", "35万亩", "5", score=2, extra={"unit": "万亩"})
    assert judge(scored_down).status == "missed"


def test_doubtful_reading_is_not_judged():
    assert judge(row("疫苗接种率", "≥95%", "92%", doubtful=frozenset({"actual"}))).status == "unknown"
    shifted = row("配套变压器3台", "3", "9.3", weight=9.3, score=None)
    assert "列错位" in reading_doubt(shifted)


def test_over_completion_only_on_floors_in_one_measure():
    assert judge(row("线上办理占比", "≥60%", "90%")).over == pytest.approx(1.5)
    assert judge(row("项目总成本", "≤300万元", "210万元")).over is None
    assert judge(row("线上办理占比", "≥50%", "88人")).over is None


@pytest.mark.parametrize("text,empty", [
    ("", True), ("无", True), ("暂无。", True), ("/", True), ("0", True), ("详见自评报告", True),
    ("我局工作虽未偏离绩效目标。", True),
    ("两家供应商延期交货，已约定次年3月前补齐。", False),
    ("工作未偏离目标，但两个乡镇因汛期停工45天，剩余工程已列入次年一季度计划。", False),
])
def test_says_nothing(text, empty):
    assert (says_nothing(text) is not None) == empty
