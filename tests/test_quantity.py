from __future__ import annotations

import pytest

from forms.quantity import parse_number, parse_quantity


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
