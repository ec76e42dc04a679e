from __future__ import annotations

import pytest

from forms.quantity import is_count, parse_number, parse_quantity, parse_unit, parse_when


@pytest.mark.parametrize("text,value", [
    ("7,549,020", 7549020.0), ("12,117,045.94", 12117045.94), ("100.00", 100.0), ("9.5", 9.5),
    ("１００", 100.0), ("１，０００．５", 1000.5), (" 10 ", 10.0), ("86%", 86.0),
    ("—", None), ("", None), (None, None), ("/", None), ("及时", None), ("10分", 10.0),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text,cmp_,value,unit,clean", [
    ("=100%", "=", 100.0, "%", True),
    ("<=4 小时", "≤", 4.0, "小时", True),
    ("≤30.00 元/月/平方米", "≤", 30.0, "元/月/平方米", True),
    (">=85%", "≥", 85.0, "%", True),
    ("<5个", "<", 5.0, "个", True),
    ("≧90%", "≥", 90.0, "%", True),
    ("不少于20场", "≥", 20.0, "场", True),
    ("95%以上", "≥", 95.0, "%", True),
    ("=100.00 %", "=", 100.0, "%", True),
    ("0", None, 0.0, "", True),
    ("每月用户有效投诉≤5", "≤", 5.0, "", True),
    ("2020年单位用户新增78211家；公积金微信关注量净增856510人", None, 2020.0, "年单位用户新增", False),
])
def test_parse_quantity(text, cmp_, value, unit, clean):
    q = parse_quantity(text)
    assert (q.comparator, q.value, q.unit, q.clean) == (cmp_, value, unit, clean)


def test_extraction_damage_restores_comparator():
    q = parse_quantity("290%")
    assert (q.comparator, q.value, q.repaired) == ("≥", 90.0, True)


def test_qualitative_has_no_value():
    assert parse_quantity("及时").value is None
    assert parse_quantity("").comparator is None


@pytest.mark.parametrize("text,year,month,day,late", [
    ("10月底前", None, 10, 31, False),
    ("9月前", None, 9, 30, False),          # read leniently: by the end of September
    ("2023.12", 2023, 12, 31, False),
    ("年底前", None, 12, 31, False),
    ("11月30日前", None, 11, 30, False),
    ("8月", None, 8, 31, False),
    ("2023年11月", 2023, 11, 30, False),
    ("延迟至11月完成", None, 11, 30, True),
    ("2023年6月底前拨付完毕", 2023, 6, 30, False),
    ("第三季度", None, 9, 30, False),
    ("上半年完成", None, 6, 30, False),
])
def test_parse_when(text, year, month, day, late):
    w = parse_when(text)
    assert (w.year, w.month, w.day, w.late) == (year, month, day, late)


@pytest.mark.parametrize("text", ["3个月", "12个月内", "100%", "2023.12万元", "及时", "10",
                                  "2021年新增注册用户5400家", "在计划时间内完成", "860.5平方米"])
def test_not_a_date(text):
    assert parse_when(text) is None


def test_dates_compare_within_a_year_and_not_across_an_unsaid_one():
    assert parse_when("8月").not_after(parse_when("10月底前"))
    assert not parse_when("11月").not_after(parse_when("10月底前"))
    assert parse_when("11月").not_after(parse_when("2023.12"))      # a bare month takes the deadline's year
    assert not parse_when("2024年1月").not_after(parse_when("2023.12"))
    assert parse_when("2024年3月").not_after(parse_when("年底前")) is None  # which year-end is not said


@pytest.mark.parametrize("unit,measure,factor", [
    ("万元", "money", 1e4), ("元", "money", 1.0), ("%", "percent", 1.0), ("‰", "percent", 0.1),
    ("%(百分比)", "percent", 1.0), ("百分比", "percent", 1.0), ("万亩", "area", 6666667.0),
    ("公里", "length", 1000.0), ("万人次", "人次", 1e4), ("人", "人", 1.0), ("TB", "storage", 1024.0),
    ("元/月/平方米", "money/月/平方米", 1.0), ("台套", "台套", 1.0),
])
def test_parse_unit(unit, measure, factor):
    u = parse_unit(unit)
    assert (u.measure, u.factor) == (measure, pytest.approx(factor))


def test_unknown_units_are_their_own_measure_unless_only_known_ones_are_asked():
    assert parse_unit("") is None
    assert parse_unit("水稻", known_only=True) is None
    assert is_count(parse_unit("户")) and not is_count(parse_unit("万元")) and not is_count(parse_unit("台套"))


@pytest.mark.parametrize("text,cmp_,value,unit", [
    ("10%及其以下", "≤", 10.0, "%"),
    ("10%及其以 下", "≤", 10.0, "%"),          # a wrap space inside the words
    (">=98%(百分比)", "≥", 98.0, "%(百分比)"),
    ("≥95百分比", "≥", 95.0, "百分比"),
    ("═100%", "=", 100.0, "%"),
])
def test_bounds_and_written_comparators(text, cmp_, value, unit):
    q = parse_quantity(text)
    assert (q.comparator, q.value, q.unit) == (cmp_, value, unit)


@pytest.mark.parametrize("text, value", [
    ("650 628.9", None),        # two cells run together (a missing border): no number to trust
    ("650 628", None),
    ("4753.6 6", None),         # or a number wrapped apart: unsure which
    ("1 234 567", 1234567.0),   # digits grouped by spaces in threes
    ("95 %", 95.0),             # a space before the sign is no second number
])
def test_digits_apart_are_no_number_unless_grouped_in_threes(text, value):
    assert parse_number(text) == value
