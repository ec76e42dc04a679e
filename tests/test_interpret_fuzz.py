"""The interpreter and the rules never crash, whatever rows it is fed: shuffled, truncated and mixed-up
pieces of real layouts (seeded, so a failure reproduces)."""
from __future__ import annotations

import random

import pytest

from forms.cells import Table
from forms.interpret import interpret
from rules.engine import Engine

PIECES = ["财政项目支出绩效自评表", "(2021 年度)", "项目名称", "主管部门", "实施单位", "项目资金（万元）",
          "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "年度资金总额", "其中：当年财政拨款",
          "年度总体目标", "预期目标", "实际完成情况", "一级指标", "二级指标", "三级指标", "年度指标值",
          "实际完成值", "偏差原因分析及改进措施", "产出指标", "数量指标", "质量指标", "效益指标", "绩效指标",
          "满意度指标", "总分", "合计", "≥95%", "=100%", "及时", "不够及时", "10", "9.5", "0", "—", "",
          "", "", "养护里程", "汛期塌方，", "下一步将加强管理。", "存在问题", "改进措施", "权重", "自评得分",
          "指标性质", "≥", "度量单位", "%", "7（两期取消）", "1,234.5", "０.９４", "<p>目标</p>"]


@pytest.mark.parametrize("seed", range(200))
def test_random_rows_never_crash(seed):
    rng = random.Random(seed)
    rows = [[rng.choice(PIECES) for _ in range(rng.randint(0, 11))] for _ in range(rng.randint(1, 40))]
    forms = interpret([Table(rows)], "fuzz.txt")
    engine = Engine()
    for form in forms:
        form.to_dict()
        engine.check(form)
