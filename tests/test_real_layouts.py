"""Layouts and damage seen in published forms, each as a small form we wrote ourselves.

Every case is one class of problem (issue 8's list): the reader must read what is certain, mark
what it cannot decide as doubtful, and report a row it cannot read as unreadable, not guess.
"""
from __future__ import annotations

import pytest

from forms.align import align
from forms.read import read_forms


def read(tmp_path, rows):
    p = tmp_path / "form.txt"
    p.write_text("\n".join("\t".join(r) if isinstance(r, list) else r for r in rows) + "\n",
                 encoding="utf-8")
    return read_forms(p)


def row(form, name):
    return next(i for i in form.indicators if i.indicator == name)


MOF_HEAD = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
            "偏差原因分析及改进措施"]
BAOSHAN_FUNDS = [["预算执行情况(万元)(20分)", "预算数(A)", "执行数(B)", "执行率(B/A)", "得分(20分*执行率)"]]


# -- rows that lost cells ------------------------------------------------------------------------

def test_row_with_blank_weight_and_score_keeps_its_target(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "乡村公路养护"], MOF_HEAD,
                             ["产出指标", "数量指标", "养护里程", "≥35公里", "31公里", "20", "17"],
                             ["质量指标", "路面合格率", "≧95%", "96%"]])
    r = row(form, "路面合格率")
    assert (r.level2, r.target, r.actual, r.weight, r.score) == ("质量指标", "≧95%", "96%", None, None)


def test_row_with_a_missing_middle_cell_is_read_and_the_undecided_field_is_doubtful(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "加工车间建设"], MOF_HEAD,
                             ["产出指标(50分)", "数量指标", "冷库建设面积", "≥1200平方米", "1200平方米",
                              "10.3", "10.3"],
                             ["配套变压器3台", "3", "9.3", "9.3"]])
    r = row(form, "配套变压器3台")
    assert (r.weight, r.score) == (9.3, 9.3)
    assert r.target == "3" and r.actual == ""
    assert {"target", "actual"} <= r.doubtful   # could equally be the actual


def test_rows_that_lost_their_merged_label_cells_align_on_what_the_cells_are(tmp_path):
    [form] = read(tmp_path, [["绩效目标自评表"], ["项目名称", "小型水库水尺安装"],
                             ["绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值",
                              "得分", "未完成原因及拟采取的改进措施"],
                             ["产出指标(70分)", "数量指标", "安装坡面水尺", "10", "≥260米", "≥260米", "10"],
                             ["水尺宽度", "10", "≥50厘米", "≥50厘米", "10"]])
    r = row(form, "水尺宽度")
    assert (r.level1, r.level2, r.weight, r.target, r.actual, r.score) == \
        ("产出指标(70分)", "数量指标", 10, "≥50厘米", "≥50厘米", 10)


def test_a_cell_the_aligner_cannot_place_is_doubtful_not_guessed():
    al = align(["某指标", "3", "9"], ("indicator", "target", "actual", "weight", "score"))
    assert al.doubtful  # two numbers for four columns: which is which is not certain


# -- funds blocks ------------------------------------------------------------------------------

def test_funds_header_spacer_and_row_spacer(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "社区服务"],
                             ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                             ["资金总额：", "", "120", "118", "100.3", "10", "85%", "8.5"],
                             ["其中：当年财政拨款", "", "120", "118", "100.3"],
                             MOF_HEAD, ["产出指标", "数量指标", "服务人次", "≥500人次", "520人次", "20", "20"]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed, f.weight, f.execution_rate, f.score) == \
        (120, 118, 100.3, 10, 85, 8.5)
    assert f.parts["current"].executed == 100.3


def test_sichuan_budget_block_with_its_own_reason(tmp_path):
    [form] = read(tmp_path, [["部门预算项目支出绩效自评表(2023年度)"], ["项目名称", "某某运转经费"],
                             ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数",
                              "预算执行率", "权重", "得分", "原因"],
                             ["总额", "80.5", "92", "73.6", "80.00%", "10", "8", "两笔采购因供应商更换延至次年支付。"],
                             ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
                              "完成值", "权重", "得分", "未完成原因分析"],
                             ["产出指标", "数量指标", "保障人数", "≥", "12", "人", "12", "90", "90", ""]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed, f.execution_rate, f.weight, f.score) == \
        (80.5, 92, 73.6, 80, 10, 8)
    assert f.reason.startswith("两笔采购")
    assert form.indicators[0].target == "≥12人"


def test_baoshan_budget_rate_written_as_a_fraction_and_no_score_cell(tmp_path):
    [form] = read(tmp_path, [["2021年度项目支出绩效自评表"], ["项目名称", "养殖场建设"], *BAOSHAN_FUNDS,
                             ["年度财政资金总额", "300", "0.00", "0.0000"],
                             ["年度绩效目标(80分)", "一级指标", "二级指标", "三级指标", "年初目标值(A)",
                              "实际完成值(B)", "得分"],
                             ["产出指标(40分)", "数量指标", "圈舍面积(平方米)", "1200"],
                             ["办公用房面积(平方米)", "200"],
                             ["时效指标", "完工时间", "2023.12"]])
    f = form.funds
    assert (f.budget_full_year, f.executed, f.execution_rate, f.score, f.weight) == (300, 0, 0, None, 20)
    assert [i.indicator for i in form.indicators] == ["圈舍面积(平方米)", "办公用房面积(平方米)", "完工时间"]
    assert form.indicators[2].target == "2023.12" and form.indicators[2].level2 == "时效指标"


def test_amounts_written_with_units_and_rate_on_the_first_part_row(tmp_path):
    [form] = read(tmp_path, [["部门整体绩效自评表"], ["主管部门", "某区林业局"],
                             ["年初预算数", "全年(调整)预算数", "全年执行数", "执行率", "执行率权重", "执行率得分"],
                             ["年度总金额", "4753.66万元", "4800万元", "3805.2万元"],
                             ["其中财政拨款", "4753.66", "4800", "3805.2", "79.27", "10", "7.93"],
                             ["绩效指标", "指标名称", "计量单位", "指标性质", "指标值", "指标权重(分)", "全年完成值",
                              "指标得分(分)", "说明"],
                             ["森林管护面积", "万亩", "≥", "28", "10", "28", "10"]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed) == (4753.66, 4800, 3805.2)
    assert (f.execution_rate, f.weight, f.score) == (79.27, 10, 7.93)
    assert form.department == "某区林业局"


def test_amounts_with_lost_leading_digits_are_not_read_as_numbers(tmp_path):
    [form] = read(tmp_path, [["部门整体绩效自评表"], ["主管部门", "某区林业局"],
                             ["年初预算数", "全年(调整)预算数", "全年执行数", "执行率", "执行率权重", "执行率得分"],
                             ["年度总金额", ".32", ".06", ".5"],
                             ["绩效指标", "指标名称", "计量单位", "指标性质", "指标值", "指标权重(分)", "全年完成值",
                              "指标得分(分)", "说明"],
                             ["森林管护面积", "万亩", "≥", "28", "10", "28", "10"]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed) == (None, None, None)
    assert {"budget_initial", "budget_full_year", "executed"} <= f.doubtful


def test_all_zero_total_row_is_read_as_written_and_its_part_row_kept(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "委托业务"],
                             ["项目资金 (万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                             ["年度资金总额:", "0", "0", "0", "10", "0", "0"],
                             ["其中:本年财政拨款", "90", "89.9", "89.9"],
                             MOF_HEAD, ["产出指标", "数量指标", "委托项目数", "≥50个", "50", "8", "8"]])
    f = form.funds
    assert (f.budget_full_year, f.executed, f.weight, f.score) == (0, 0, 10, 0)
    assert f.parts["current"].budget_full_year == 89.9


def test_hebei_label_amount_pairs_and_two_line_header(tmp_path):
    [form] = read(tmp_path, [["某县民政局2020年度预算项目绩效自评表"],
                             ["一、基本情况", "项目名称:", "高龄津贴发放", "实施(主管)单位", "某县民政局机关"],
                             ["二、预算执行情况", "预算安排情况(调整后)", "资金到位情况", "资金执行情况",
                              "预算执行进度(%)"],
                             ["预算数", "12.5", "到位数", "12.5", "执行数", "11.9", "95.20"],
                             ["四、年度绩效指标完成情况", "一级指标", "二级指标", "三级指标", "指标分值", "预期指标值",
                              "单项指标实际完成值", "单项指标完成情况", "自评得分"],
                             ["符号", "单位(文字描述)", "单项指标得分", "权重占比(%)", "单项指标折算得分"],
                             ["产出指标", "质量指标", "发放准确率", "发放对象与名册一致的比例", ">=", "98",
                              "%(百分比)", "100%", "完成", "100", "30.00", "30.00"]])
    assert (form.project, form.department, form.implementer) == ("高龄津贴发放", "某县民政局机关", "某县民政局机关")
    assert (form.funds.budget_full_year, form.funds.executed, form.funds.execution_rate) == (12.5, 11.9, 95.2)
    r = form.indicators[0]
    assert (r.target, r.actual, r.weight, r.score) == (">=98%(百分比)", "100%", 30, 30)
    assert r.extra["completion"] == "完成" and r.extra["description"].startswith("发放对象")


# -- templates ---------------------------------------------------------------------------------

def test_transfer_template_with_sub_rows_stars_and_weights_in_labels(tmp_path):
    [form] = read(tmp_path, [["绩效目标自评表"], ["项目名称", "特色种养补贴"],
                             ["绩效指标", "一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分",
                              "未完成原因及拟采取的改进措施"],
                             ["产出指标（50分）", "数量指标", "★补助种植面积", "20", "≥300亩", "320亩", "20", ""],
                             ["其中：桃树种植面积", "", "≥100亩", "110亩"],
                             ["质量指标", "★补助发放准确率", "10", "100%", "98%", "9", "两户信息有误，已更正补发。"]])
    sub = row(form, "其中：桃树种植面积")
    assert (sub.target, sub.actual, sub.weight, sub.score) == ("≥100亩", "110亩", None, None)
    r = row(form, "★补助发放准确率")
    assert (r.weight, r.target, r.actual, r.score, r.level1) == (10, "100%", "98%", 9, "产出指标（50分）")
    assert r.explanation.startswith("两户")


def test_numbered_parent_and_child_rows_are_all_kept(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "化肥减量"],
                             ["年度绩效目标 (80分)", "一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)",
                              "得分"],
                             ["产出指标", "数量指标", "一、示范区建立", "≧2000亩", "2000亩", "15.0"],
                             ["1、侧深施肥", "≧500亩", "500亩", "5.0"],
                             ["2、种肥同播", "≧1500亩", "1500亩", "10.0"]])
    assert [i.indicator for i in form.indicators] == ["一、示范区建立", "1、侧深施肥", "2、种肥同播"]
    assert all(i.weight is None for i in form.indicators) and form.indicators[1].score == 5


def test_loose_level_labels(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "化肥减量"], MOF_HEAD,
                             ["产 出 指 标", "数 量 指 标", "推广面积", "≥100亩", "100亩", "10", "10"],
                             ["效益指标", "社会效益效益指标", "受益农户数", "500户", "500户", "10", "10"],
                             ["可持续性", "长效机制", "建立", "建立", "10", "10"]])
    assert [i.level2 for i in form.indicators] == ["数 量 指 标", "社会效益效益指标", "可持续性"]


# -- damage ------------------------------------------------------------------------------------

def test_labels_and_values_printed_on_separate_lines(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "社区卫生"], MOF_HEAD,
                             ["产出指标", "数量指标", "家庭医生签约人数"],
                             ["≥12000人", "10860人", "10", "9", "签约系统11月才上线。"]])
    [r] = form.indicators
    assert (r.indicator, r.target, r.actual, r.score) == ("家庭医生签约人数", "≥12000人", "10860人", 9)


def test_a_row_cut_off_at_the_end_of_an_excerpt_is_not_glued_to_the_row_above(tmp_path):
    [form] = read(tmp_path, [["部门整体绩效自评表"],
                             ["绩效指标", "指标名称", "计量单位", "指标性质", "指标值", "指标权重(分)", "全年完成值",
                              "指标得分(分)", "说明"],
                             ["森林火灾受害率", "%", "", "0.9", "10", "0", "10"],
                             ["有害生物成灾率", "%", "", "0.4", "10", "0.1", "10"],
                             ["公益林提供管"]])
    assert [i.indicator for i in form.indicators] == ["森林火灾受害率", "有害生物成灾率"]


def test_run_together_row_is_reported_unreadable(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "送茶入户"], MOF_HEAD,
                             ["产出指标(40分)数量指标(必填)发放对象共计500人已发放480人2010010020时效指标"
                              "确定于年底前发放完毕101001009.5"]])
    assert form.indicators == []
    [u] = form.unreadable
    assert u.line == 4 and "挤在一起" in u.why


def test_flattened_header_line_opens_the_table_and_is_reported(tmp_path):
    flat = ("某县项目支出绩效自评表 (2021年度) 项目名称 公共卫生服务 主管部门 某县卫健局 实施单位 某镇卫生院 "
            "一级 指标 年度 实际 指标值 完成值 指标1:居民健康档案 3800人 二级指标 三级指标 分值 得分 3700人 3 3")
    [form] = read(tmp_path, [flat,
                             ["指标2:建立预防接种证", "221人", "221人", "2", "2"],
                             ["指标3:新生儿访视数", "214人", "203人", "2", "1.8"],
                             "指标4:早孕建册数 数 指标5:老年人体检数 120人 69人 2 1 562人 404人 2 1.4"])
    assert (form.project, form.department, form.implementer, form.year) == \
        ("公共卫生服务", "某县卫健局", "某镇卫生院", 2021)
    got = [(i.indicator, i.target, i.actual, i.weight, i.score) for i in form.indicators]
    assert got == [("建立预防接种证", "221人", "221人", 2, 2), ("新生儿访视数", "214人", "203人", 2, 1.8),
                   ("早孕建册数 数", "120人", "69人", 2, 1), ("老年人体检数", "562人", "404人", 2, 1.4)]
    assert [u.line for u in form.unreadable] == [1]


def test_run_together_rows_that_do_not_pair_up_are_unreadable(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "公共卫生"], MOF_HEAD,
                             "指标4:早孕建册数 指标5:老年人体检数 120人 69人 2 1 562人 404人 2"])
    assert form.indicators == [] and len(form.unreadable) == 1


def test_a_note_line_in_the_text_is_not_content(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "社区卫生"], MOF_HEAD,
                             "[source text below is run-together; kept verbatim]",
                             ["产出指标", "数量指标", "签约人数", "≥100人", "100人", "10", "10"]])
    assert [i.indicator for i in form.indicators] == ["签约人数"] and not form.unreadable


@pytest.mark.parametrize("garbled", ["主管部n", "主管部门"])
def test_a_field_label_with_its_last_character_garbled(tmp_path, garbled):
    [form] = read(tmp_path, [["部门整体绩效自评表"], [garbled, "某区林业局", "部门联系人", "张三"],
                             ["绩效指标", "指标名称", "指标值", "指标权重(分)", "全年完成值", "指标得分(分)"],
                             ["森林管护面积", "28万亩", "10", "28万亩", "10"]])
    assert form.department == "某区林业局"


# -- form boundaries ----------------------------------------------------------------------------

def test_total_row_with_one_number_in_an_unfilled_form_is_the_weight_total(tmp_path):
    [form] = read(tmp_path, [["部门预算项目支出绩效自评表(2023年度)"], ["项目名称", "工资性支出"],
                             ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
                              "完成值", "权重", "得分", "未完成原因分析"],
                             ["产出指标", "数量指标", "发放覆盖率", "=", "100", "%", "", "90", "", ""],
                             ["合计", "90", "", ""]])
    assert (form.total.weight, form.total.score) == (90, None)


def test_a_re_evaluation_table_after_the_form_is_not_read_as_indicators(tmp_path):
    forms = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "社区卫生"], MOF_HEAD,
                            ["产出指标", "数量指标", "签约人数", "≥100人", "100人", "10", "10"],
                            ["总分", "100", "100"],
                            ["复核意见", "同意"],
                            ["评价指标", "分值", "复核得分"],
                            ["决策", "10", "9"]])
    assert [i.indicator for f in forms for i in f.indicators] == ["签约人数"]


def test_the_tail_of_a_form_cut_from_a_longer_document_is_read_with_the_next_header(tmp_path):
    forms = read(tmp_path, [["产出指标", "数量指标", "设备采购数量", "≥", "20", "台", "20", "30", "30", ""],
                            ["成本指标", "成本控制数", "≤", "30", "万元", "完成", "60", "60", ""],
                            ["合计", "90", "90"],
                            ["部门预算项目支出绩效自评表(2023年度)"], ["项目名称", "替代补助资金"],
                            ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
                             "完成值", "权重", "得分", "未完成原因分析"],
                            ["产出指标", "数量指标", "产品购买完成率", "=", "100", "%", "100", "90", "90", ""]])
    tail, form = forms
    assert [(i.indicator, i.target, i.actual, i.weight, i.score) for i in tail.indicators] == \
        [("设备采购数量", "≥20台", "20", 30, 30), ("成本控制数", "≤30万元", "完成", 60, 60)]
    assert (tail.total.weight, tail.total.score) == (90, 90)
    assert form.project == "替代补助资金" and form.indicators[0].source.form == 1


def test_lines_before_the_title_are_no_form_without_scored_rows(tmp_path):
    forms = read(tmp_path, [["附件："], ["单位：万元", "2023年"],
                            ["项目支出绩效自评表"], ["项目名称", "社区卫生"], MOF_HEAD,
                            ["产出指标", "数量指标", "签约人数", "≥100人", "100人", "10", "10"]])
    assert len(forms) == 1 and forms[0].project == "社区卫生"


def test_a_level_label_reduced_to_its_weight(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "水旱灾害防御"], MOF_HEAD,
                             ["(50分)", "数量指标", "巡查次数", "≥12次", "12次", "20", "20"],
                             ["(30分)", "社会效益指标", "受益人口", "≥5000人", "5200人", "30", "30"]])
    assert [(i.level1, i.level2) for i in form.indicators] == [("(50分)", "数量指标"), ("(30分)", "社会效益指标")]


def test_a_note_under_the_table_naming_its_columns_is_no_flattened_header(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "社区卫生"], MOF_HEAD,
                             ["产出指标", "数量指标", "签约人数", "≥100人", "100人", "90", "90"],
                             ["总分", "100", "100"],
                             ["注:1.一级指标分值统一设置为产出指标50分,三级指标分值按重要程度确定,得分不超过分值。"]])
    assert not form.unreadable


def test_formulas_saved_without_their_values_are_reported_not_read_as_blank(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in [["项目支出绩效自评表"], ["项目名称", "社区卫生"], MOF_HEAD,
              ["", "产出指标", "数量指标", "签约人数", "≥100人", "96人", 50, 48, "签约系统晚上线。"],
              ["", "效益指标", "社会效益指标", "满意度", "≥90%", "95%", 50, "=G5*0.9", ""],
              ["总分", "", "", "", "", "", "=SUM(G4:G5)", "=SUM(H4:H5)", ""]]:
        ws.append(r)
    wb.save(tmp_path / "form.xlsx")   # openpyxl saves formulas without cached values
    [form] = read_forms(tmp_path / "form.xlsx")
    assert form.indicators[1].score is None and "score" in form.indicators[1].doubtful
    assert (form.total.weight, form.total.score) == (None, None)
    assert form.total.doubtful == {"weight", "score"}
    assert [u.line for u in form.unreadable] == [5, 6]
    assert all("公式没有保存计算结果" in u.why for u in form.unreadable)


def test_form_level_texts_know_their_own_cell(tmp_path):
    [form] = read(tmp_path, [["项目自评表"], ["项目名称", "长江禁捕补贴"],
                             ["年度绩效目标", "一级指标", "二级指标", "三级指标", "年初目标值(A)", "实际完成值(B)", "得分"],
                             ["产出指标", "数量指标", "补贴渔船数", "6", "5", "15"],
                             ["偏差大或目标未完成原因分析", "一艘渔船证件过期，未纳入补贴名册。"],
                             ["改进措施及结果应用方案", "下年度3月前完成证件核查"]])
    src = form.text_sources["deviation"]
    assert (src.line, src.cells["explanation"]) == (5, 1)
    assert form.text_sources["measures"].line == 6


def test_headers_worded_as_other_provinces_word_them(tmp_path):
    """The same columns under other names (预期目标, 实际完成数, 满分, 评价得分, 未达标原因…)."""
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "农村饮水安全巩固提升"],
                             ["一级指标", "二级指标", "三级指标", "年度预期目标", "实际完成数", "满分", "评价得分",
                              "未达标原因及改进措施"],
                             ["产出指标", "数量指标", "新建集中供水工程", "12处", "10处", "20", "16",
                              "2处因水源地调整未开工，次年5月前完工"],
                             ["效益指标", "社会效益指标", "受益人口", "≥3万人", "3.2万人", "20", "20"]])
    r = row(form, "新建集中供水工程")
    assert (r.level1, r.target, r.actual, r.weight, r.score) == ("产出指标", "12处", "10处", 20, 16)
    assert r.explanation.startswith("2处因水源地调整")
    assert row(form, "受益人口").score == 20


@pytest.mark.parametrize("mark", ["— 2 —", "- 3 -", "第 1 页，共 2 页", "第2页", "共3页 第2页", "Page 2 of 3"])
def test_a_page_number_between_two_rows_is_not_part_of_a_name(tmp_path, mark):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "渔业补贴"], MOF_HEAD,
                             ["产出指标", "数量指标", "补贴渔船数", "6", "6", "20", "20"],
                             mark,
                             ["质量指标", "补贴发放准确率", "100%", "100%", "20", "20"]])
    assert [i.indicator for i in form.indicators] == ["补贴渔船数", "补贴发放准确率"]


def test_the_title_repeated_on_the_next_page_continues_the_form(tmp_path):
    """A PDF prints the form's title and the column header again on every page."""
    title = ["2023年度项目支出绩效自评表"]
    forms = read(tmp_path, [title, ["项目名称", "渔业补贴"], MOF_HEAD,
                            ["产出指标", "数量指标", "补贴渔船数", "6", "6", "20", "20"],
                            title, MOF_HEAD,
                            ["质量指标", "补贴发放准确率", "100%", "100%", "20", "20"]])
    assert len(forms) == 1 and forms[0].year == 2023
    assert [i.indicator for i in forms[0].indicators] == ["补贴渔船数", "补贴发放准确率"]


def test_a_second_form_under_the_same_title_starts_at_its_project(tmp_path):
    title = ["2023年度项目支出绩效自评表"]
    forms = read(tmp_path, [title, ["项目名称", "渔业补贴"], MOF_HEAD,
                            ["产出指标", "数量指标", "补贴渔船数", "6", "6", "20", "20"],
                            title, ["项目名称", "禁捕退捕"], MOF_HEAD,
                            ["产出指标", "数量指标", "退捕渔民人数", "40人", "40人", "20", "20"]])
    assert [f.project for f in forms] == ["渔业补贴", "禁捕退捕"]
    assert [f.year for f in forms] == [2023, 2023]
    assert [i.indicator for i in forms[1].indicators] == ["退捕渔民人数"]


# -- template variants found by constructing forms the families do not cover ----------------------

def test_subtotal_rows_are_neither_indicators_nor_the_total(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "特困供养"], MOF_HEAD[1:],
                             ["产出指标（50分）", "数量指标", "供养人数", "≥2100人", "2135人", "30", "30"],
                             ["", "质量指标", "认定准确率", "100%", "100%", "20", "20"],
                             ["小计", "", "", "", "", "50", "50"],
                             ["满意度指标（50分）", "服务对象满意度指标", "对象满意度", "≥90%", "89%", "50", "49"],
                             ["小计", "", "", "", "", "50", "49"],
                             ["总分", "", "", "", "", "100", "99"]])
    assert [i.indicator for i in form.indicators] == ["供养人数", "认定准确率", "对象满意度"]
    assert (form.total.weight, form.total.score) == (100, 99)


@pytest.mark.parametrize("head, total", [
    (["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分", "分值", "偏差原因分析及改进措施"],
     ["总分", "", "", "", "", "96", "100"]),                                # 得分 before 分值
    (["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "扣分", "得分", "偏差原因分析及改进措施"],
     ["总分", "", "", "", "", "100", "4", "96"]),                           # a 扣分 column between
])
def test_the_total_row_is_read_by_the_header_columns_its_numbers_stand_under(tmp_path, head, total):
    cells = {"分值": "100", "得分": "96", "扣分": "4"}
    values = [cells.get(h, "") for h in head[5:-1]]
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "供水管网"], head,
                             ["产出指标", "数量指标", "管网长度", "≥45公里", "41.6公里", *values, "征地延误"],
                             total])
    r = form.indicators[0]
    assert (r.weight, r.score, r.explanation) == (100, 96, "征地延误")
    assert (form.total.weight, form.total.score) == (100, 96)


def test_funds_block_with_standard_and_self_score_headers(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "河道治理"],
                             ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "标准分", "执行率", "自评分"],
                             ["", "年度资金总额", "980", "980", "931", "10", "95%", "9.5"],
                             MOF_HEAD[1:],
                             ["产出指标", "数量指标", "治理河长", "≥12公里", "12公里", "90", "90"]])
    f = form.funds
    assert (f.budget_full_year, f.executed, f.weight, f.execution_rate, f.score) == (980, 931, 10, 95, 9.5)


@pytest.mark.parametrize("top, bottom", [
    (["一级", "二级", "三级", "年度指", "实际完", "分值", "得分", "偏差原因分析"],      # words wrapped
     ["指标", "指标", "指标", "标值", "成值", "", "", "及改进措施"]),
    (["绩效指标", "", "", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],  # a group name
     ["一级指标", "二级指标", "三级指标"]),
    (["一级指标", "二级指标", "三级指标", "指标值", "", "评分", "", "偏差原因分析及改进措施"],
     ["", "", "", "年度目标值", "实际完成值", "分值", "得分"]),
])
def test_an_indicator_header_over_two_lines_is_one_header(tmp_path, top, bottom):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "文化惠民演出"], top, bottom,
                             ["产出指标", "数量指标", "演出场次", "≥120场", "126场", "20", "20"],
                             ["", "质量指标", "原创比例", "≥30%", "26%", "10", "8.7", "新编小戏未能首演"]])
    r = row(form, "原创比例")
    assert (r.level2, r.target, r.actual, r.weight, r.score, r.explanation) == \
        ("质量指标", "≥30%", "26%", 10, 8.7, "新编小戏未能首演")
    assert len(form.indicators) == 2


def test_points_written_with_their_unit_are_read_as_weight_and_score(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "老年人体检"], MOF_HEAD[1:],
                             ["产出指标", "数量指标", "体检人数", "≥9000人", "9420人", "20分", "20分"],
                             ["", "时效指标", "完成时间", "10月底前", "11月中旬", "10分", "8分", "车辆故障停检"]])
    r = row(form, "完成时间")
    assert (r.target, r.actual, r.weight, r.score, r.explanation) == ("10月底前", "11月中旬", 10, 8, "车辆故障停检")
    assert not r.doubtful


def test_text_columns_side_by_side_are_told_apart_by_their_place(tmp_path):
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "评分标准",
            "偏差原因分析及改进措施", "佐证材料"]
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "高标准农田"], head,
                             ["产出指标", "数量指标", "建设面积", "≥20000亩", "20000亩", "15", "15",
                              "达到目标值得满分", "", "验收台账"],
                             ["", "时效指标", "完工及时率", "=100%", "85%", "10", "8.5", "按比例得分",
                              "3个标段因土地调整延期", "延期批复"]])
    assert row(form, "建设面积").explanation == ""               # 评分标准 and 佐证材料 are no explanation
    assert row(form, "完工及时率").explanation == "3个标段因土地调整延期"


def test_a_remarks_column_is_the_explanation_where_the_template_has_no_other(tmp_path):
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "备注"]
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "城乡居民医保"], head,
                             ["产出指标", "数量指标", "参保人数", "≥52万人", "51.2万人", "20", "19.7",
                              "外出务工人员在务工地参保"]])
    assert form.indicators[0].explanation == "外出务工人员在务工地参保"


def test_a_header_word_wrapped_onto_the_next_line_is_no_row(tmp_path):
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析"]
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "文化惠民演出"], head,
                             ["", "", "", "", "", "", "", "及改进措施"],
                             ["产出指标", "数量指标", "演出场次", "≥120场", "126场", "20", "20"]])
    assert [(i.indicator, i.explanation) for i in form.indicators] == [("演出场次", "")]


def test_an_unfilled_template_row_still_opens_its_level(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "学生资助"], MOF_HEAD[1:],
                             ["产出指标", "数量指标", "资助人数", "≥800人", "812人", "50", "50"],
                             ["效益指标", "经济效益指标", "指标1：", "", "", "", ""],
                             ["", "社会效益指标", "受益学生人数", "≥800人", "812人", "30", "30"]])
    r = row(form, "受益学生人数")
    assert (r.level1, r.level2) == ("效益指标", "社会效益指标")


def test_funds_written_as_label_value_pairs_over_two_lines(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "图书馆免费开放"],
                             ["项目资金（万元）", "年初预算数", "50.00", "全年预算数", "50.00", "全年执行数", "48.00"],
                             ["", "执行率", "96%", "分值", "10", "得分", "9.6"],
                             MOF_HEAD,
                             ["", "产出指标", "数量指标", "新增藏书", "≥2万册", "2.1万册", "90", "90"]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed, f.execution_rate, f.weight, f.score) == \
        (50, 50, 48, 96, 10, 9.6)


def test_the_total_after_a_funds_block_below_the_indicators_is_the_forms_total(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "学校营养餐"], MOF_HEAD[1:],
                             ["产出指标", "数量指标", "受益学生", "≥5000人", "5120人", "90", "90"],
                             ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                             ["", "年度资金总额", "1620", "1620", "1598.7", "10", "98.69%", "9.87"],
                             ["总分", "", "", "", "", "100", "99.87"]])
    assert (form.total.weight, form.total.score) == (100, 99.87)
    assert form.funds.executed == 1598.7


def test_a_two_level_template_has_its_names_in_the_level_2_column(tmp_path):
    head = ["一级指标", "二级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "易地搬迁后续扶持"], head,
                             ["产出指标", "后续扶持项目数", "≥8个", "8个", "25", "25"],
                             ["效益指标", "人均纯收入增长", "≥8%", "7.2%", "20", "18", "产业项目投产推迟"]])
    r = row(form, "人均纯收入增长")
    assert (r.level1, r.target, r.actual, r.weight, r.score, r.explanation) == \
        ("效益指标", "≥8%", "7.2%", 20, 18, "产业项目投产推迟")


def test_a_department_form_names_its_department_as_the_subject(tmp_path):
    [form] = read(tmp_path, [["部门整体支出绩效自评表"], ["部门（单位）名称", "某市城市管理执法局"], MOF_HEAD[1:],
                             ["产出指标", "数量指标", "违建拆除面积", "≥2万平方米", "2.1万平方米", "100", "100"]])
    assert (form.project, form.department) == ("某市城市管理执法局", "某市城市管理执法局")


def test_a_funds_label_merged_down_over_its_values_row(tmp_path):
    # a spreadsheet's merged label is read into every row it covers: the values row starts with it
    [form] = read(tmp_path, [["项目绩效目标自评表"], ["项目名称", "基层医疗机构能力建设"],
                             ["预算执行情况（万元）（20分）", "预算数（A）", "执行数（B）", "执行率（B/A）", "得分"],
                             ["预算执行情况（万元）（20分）", "480", "456", "95%", "19"],
                             MOF_HEAD[1:],
                             ["产出指标", "数量指标", "设备配置数", "≥40台", "40台", "80", "80"]])
    f = form.funds
    assert (f.budget_full_year, f.executed, f.execution_rate, f.score, f.weight) == (480, 456, 95, 19, 20)


# -- found by the third probe: block rows, 苏州 funds, a later table's 合计 -------------------------

SELF_SCORE_HEAD = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "自评得分",
                   "偏差原因分析及改进措施"]


def test_a_level_row_with_its_block_weight_and_score_opens_the_level_and_is_no_total(tmp_path):
    # 自评得分 holds the block's score on the level's own row and each row's below it
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "城区绿化养护"], SELF_SCORE_HEAD,
                             ["产出指标", "", "", "", "", "60", "58"],
                             ["", "数量指标", "养护面积", "≥120万平方米", "121万平方米", "30", "30"],
                             ["", "质量指标", "苗木成活率", "≥95%", "92%", "30", "28", "冬季低温冻害死苗约3%"],
                             ["效益指标", "", "", "", "", "30", "30"],
                             ["", "社会效益指标", "群众投诉办结率", "100%", "100%", "30", "30"],
                             ["满意度指标", "服务对象满意度指标", "市民满意度", "≥90%", "93%", "10", "10"],
                             ["总分", "", "", "", "", "100", "98"]])
    assert [i.indicator for i in form.indicators] == ["养护面积", "苗木成活率", "群众投诉办结率", "市民满意度"]
    assert row(form, "群众投诉办结率").level1 == "效益指标"
    assert (form.total.weight, form.total.score) == (100, 98)


def test_suzhou_funds_headers_and_the_year_field(tmp_path):
    [form] = read(tmp_path, [["市级财政支出项目绩效自评表"], ["项目名称", "公共自行车运维补贴"],
                             ["项目主管部门(单位)", "市交通运输局", "项目年份", "2022"],
                             ["市级预算执行情况(万元)", "年初预算数", "当年使用上年结余、结转及当年调整预算数",
                              "财政拨款数", "指标结余数", "实际支付数", "资金结余、结转数"],
                             ["", "1850", "-50", "1800", "0", "1782", "18"],
                             ["项目类别", "指标名称", "目标值", "权重", "实际完成值", "自评分"],
                             ["产出目标", "站点数", "≥1200个", "50", "1236个", "50"],
                             ["结果目标", "日均骑行量", "≥4.5万人次", "50", "4.72万人次", "50"],
                             ["合计", "", "", "100", "", "100"]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed) == (1850, 1800, 1782)
    assert not f.doubtful
    assert form.year == 2022


def test_a_later_tables_total_does_not_replace_the_forms_total(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "公共自行车运维补贴"],
                             ["项目类别", "指标名称", "目标值", "权重", "实际完成值", "自评分"],
                             ["产出目标", "站点数", "≥1200个", "50", "1236个", "50"],
                             ["结果目标", "日均骑行量", "≥4.5万人次", "50", "4.72万人次", "49.9"],
                             ["合计", "", "", "100", "", "99.9"],
                             ["项目资金构成", "子项名称", "预算数(万元)", "实际数(万元)"],
                             ["", "车辆调度", "1000", "990"],
                             ["", "合计", "1800", "1782"]])
    assert (form.total.weight, form.total.score) == (100, 99.9)


def test_a_numbered_parent_row_with_no_values_is_a_row_and_keeps_its_levels(tmp_path):
    # "1.肉牛养殖补助" is a numbered name, not the quantity 1 of a unit "肉牛养殖补助"
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "肉牛养殖产业提升"], MOF_HEAD,
                             ["", "产出指标(50分)", "数量指标", "1.肉牛养殖补助"],
                             ["", "", "", "（1）基础母牛补栏数", "≥2000头", "2140头", "25", "25"],
                             ["", "", "质量指标", "检疫合格率", "100%", "100%", "25", "25"],
                             ["", "效益指标(50分)", "经济效益指标", "户均增收", "≥3000元", "3260元", "50", "50"]])
    parent = row(form, "1.肉牛养殖补助")
    assert (parent.level1, parent.level2, parent.target, parent.weight) == ("产出指标(50分)", "数量指标", "", None)
    assert row(form, "（1）基础母牛补栏数").level1 == "产出指标(50分)"


def test_a_reviewers_table_with_the_forms_columns_is_not_read_as_more_indicators(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "城区路灯维护"], MOF_HEAD,
                             ["", "产出指标", "数量指标", "路灯维护数量", "≥8600盏", "8720盏", "50", "50"],
                             ["", "满意度指标", "服务对象满意度指标", "市民满意度", "≥90%", "95.6%", "50", "50"],
                             ["", "总分", "", "", "", "", "100", "100"],
                             ["附表：财政复核情况"],
                             ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "复核得分", "复核意见"],
                             ["产出指标", "数量指标", "路灯维护数量", "≥8600盏", "8720盏", "50", "49", "抽查偏高"],
                             ["复核总分", "", "", "", "", "100", "99"]])
    assert [i.indicator for i in form.indicators] == ["路灯维护数量", "市民满意度"]
    assert (form.total.weight, form.total.score) == (100, 100)


def test_amounts_with_thousands_separators_and_yuan_stay_in_their_columns(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "渔港维护"],
                             ["项目资金(元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                             ["", "年度资金总额", "2,600,000.00元", "2,450,000.00元", "2,431,135.00元", "10", "99.23%", "9.9"],
                             MOF_HEAD, ["", "产出指标", "数量指标", "维护泊位", "≥20个", "20个", "90", "90"]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed) == (2600000, 2450000, 2431135)


def test_a_title_repeated_at_a_page_break_with_its_year_line_is_no_name_tail(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["（2022年度）"], ["项目名称", "基本药物制度补助"], MOF_HEAD,
                             ["", "产出指标", "质量指标", "基本药物配备使用率", "≥90%", "92.4%", "50", "50"],
                             ["第 1 页 共 2 页"], ["项目支出绩效自评表"], ["（2022年度）"], MOF_HEAD,
                             ["", "", "时效指标", "补助资金拨付及时率", "100%", "100%", "50", "50"]])
    assert [i.indicator for i in form.indicators] == ["基本药物配备使用率", "补助资金拨付及时率"]


def test_a_level_2_stem_wrapped_under_its_own_level_is_the_names_tail(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "农村厕所改造"], MOF_HEAD,
                             ["", "产出指标", "数量指标", "改造农村户厕", "≥1500座", "1526座", "50", "50"],
                             ["", "", "", "数量"],
                             ["", "", "质量指标", "验收合格率", "≥95%", "97.2%", "50", "50"]])
    assert [i.indicator for i in form.indicators] == ["改造农村户厕数量", "验收合格率"]


def test_labels_on_one_line_and_their_values_on_the_next(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表（2023年度）"],
                             ["项目名称", "主管部门", "实施单位"],
                             ["老旧供水管网改造", "兴庆区住房和城乡建设局", "兴庆区供水服务中心"],
                             ["自评总分(分)"], ["99.4"],
                             ["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                             ["", "年度资金总额"],
                             ["", "", "1560.00", "1560.00", "1497.60", "10", "96%", "9.6"],
                             MOF_HEAD, ["", "产出指标", "数量指标", "改造管网长度", "≥12公里", "12.4公里", "90", "89.8"]])
    assert (form.project, form.department, form.implementer) == \
        ("老旧供水管网改造", "兴庆区住房和城乡建设局", "兴庆区供水服务中心")
    assert form.total.score == 99.4
    assert (form.funds.budget_full_year, form.funds.executed, form.funds.score) == (1560, 1497.6, 9.6)


def test_a_name_on_its_own_line_above_a_values_line_that_starts_with_the_unit(tmp_path):
    # 重庆 flat list: 指标名称 | 计量单位 | 指标性质 | 指标值 | …, the long name wrapped above its values
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "临时救助资金"],
                             ["绩效指标", "指标名称", "计量单位", "指标性质", "指标值", "指标权重(分)", "全年完成值",
                              "指标得分(分)", "说明"],
                             ["临时救助人次", "人次", "≥", "2500", "50", "2716", "50"],
                             ["急难型救助审批时限"],
                             ["个工作日", "≤", "3", "50", "2.5", "50"]])
    assert [i.indicator for i in form.indicators] == ["临时救助人次", "急难型救助审批时限"]


@pytest.mark.parametrize("title, project", [
    ("巴州区2023年度农村危房改造补助资金项目支出绩效自评表", "农村危房改造补助资金"),
    ("2022年度项目支出绩效自评表", ""),                  # the title names no project
    ("綦江区2023年度部门整体绩效自评表", ""),
    ("农村危房改造补助资金项目支出绩效自评表", ""),        # no year: region and project run together
])
def test_the_project_named_only_in_the_title(tmp_path, title, project):
    [form] = read(tmp_path, [[title], ["主管部门", "住房和城乡建设局"], MOF_HEAD,
                             ["", "产出指标", "数量指标", "改造户数", "≥120户", "120户", "100", "100"]])
    assert form.project == project


def test_a_department_form_reads_its_own_level_2_labels_and_every_funds_part(tmp_path):
    [form] = read(tmp_path, [["部门整体支出绩效自评表"], ["部门（单位）名称", "某区城市管理执法局"],
                             ["年度预算执行情况（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                             ["", "年度资金总额", "5230", "5612", "5415.58", "10", "96.5%", "9.65"],
                             ["", "其中：基本支出", "3180", "3265", "3265", "—"],
                             ["", "项目支出", "2050", "2347", "2150.58", "—"],
                             MOF_HEAD,
                             ["", "产出指标", "重点工作任务", "执法案件办结率", "≥95%", "97.3%", "45", "45"],
                             ["", "", "履职效能", "部门预算执行率", "≥95%", "96.5%", "45", "45"]])
    assert [(i.level2, i.indicator) for i in form.indicators] == \
        [("重点工作任务", "执法案件办结率"), ("履职效能", "部门预算执行率")]
    assert set(form.funds.parts) == {"基本支出", "项目支出"}


def test_a_row_on_a_grid_with_blank_columns_keeps_a_word_target_in_its_column(tmp_path):
    # two tables' grids merged into one: blank columns between the header's cells
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "爱国卫生运动经费"],
                             ["一级指标", "二级指标", "", "三级指标", "", "年度指标值", "", "实际完成值", "分值", "",
                              "得分", "偏差原因分析及改进措施"],
                             ["产出指标", "数量指标", "", "消杀面积", "", "≥1200万平方米", "", "1260万平方米", "50", "",
                              "50"],
                             ["效益指标", "社会效益指标", "", "长效管理机制", "", "健全", "", "基本健全", "50", "",
                              "45", ""]])
    r = row(form, "长效管理机制")
    assert (r.target, r.actual, r.weight, r.score) == ("健全", "基本健全", 50, 45)


@pytest.mark.parametrize("header", [
    ["绩效指标", "一级指标", "二级指标", "三级指标", "全年预期目标值", "全年实际完成值", "未完成原因和改进措施"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "绩效目标值", "实现值", "分值", "自评分数", "偏差原因分析及改进措施"],
])
def test_indicator_header_synonyms(tmp_path, header):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "生态管护员补助"], header,
                             ["", "产出指标", "数量指标", "聘用管护员人数", "≥8000人", "8012人", "50", "50"]])
    r = row(form, "聘用管护员人数")
    assert (r.target, r.actual) == ("≥8000人", "8012人")


def test_a_department_form_scored_without_targets(tmp_path):
    # the 部门整体 common framework: 指标解释 | 评分标准 | 分值 | 得分 | 扣分原因, no target column
    [form] = read(tmp_path, [["部门整体支出绩效自评表"], ["部门名称", "某县卫生健康局"],
                             ["一级指标", "二级指标", "三级指标", "指标解释", "评分标准", "分值", "得分", "扣分原因"],
                             ["投入", "预算配置", "在职人员控制率", "在职人数/编制数", "≤100%得满分", "50", "50"],
                             ["产出", "职责履行", "家庭医生签约率", "签约人数/常住人口", "≥60%得满分", "50", "46",
                              "流动人口签约难，签约率55%"]])
    assert [(i.level2, i.indicator, i.weight, i.score) for i in form.indicators] == \
        [("预算配置", "在职人员控制率", 50, 50), ("职责履行", "家庭医生签约率", 50, 46)]
    assert row(form, "家庭医生签约率").explanation == "流动人口签约难，签约率55%"


def test_a_grade_column_beside_the_explanation_is_read_past(tmp_path):
    [form] = read(tmp_path, [["部门整体支出绩效自评表"], ["部门名称", "某区市场监督管理局"],
                             ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                              "自评等级", "偏差原因分析及改进措施"],
                             ["", "产出指标", "数量指标", "监督抽检批次", "≥6000批次", "6217批次", "50", "50", "优", ""],
                             ["", "", "质量指标", "特种设备定期检验率", "100%", "97.6%", "50", "48", "良",
                              "部分电梯使用单位停业，检验无法实施。"]])
    assert [i.explanation for i in form.indicators] == ["", "部分电梯使用单位停业，检验无法实施。"]


def test_a_flat_lists_numbered_group_headings_are_its_levels(tmp_path):
    [form] = read(tmp_path, [["区级项目支出绩效自评表"], ["项目名称", "入海河道保洁"],
                             ["序号", "绩效指标名称", "目标值", "完成值", "指标分值", "自评得分", "偏差说明"],
                             ["一、产出指标（50分）"],
                             ["1", "保洁河道长度", "≥186公里", "186公里", "50", "50"],
                             ["二、满意度指标（50分）"],
                             ["2", "周边居民满意度", "≥90%", "94%", "50", "50"]])
    assert [(i.level1, i.indicator) for i in form.indicators] == \
        [("一、产出指标（50分）", "保洁河道长度"), ("二、满意度指标（50分）", "周边居民满意度")]


def test_funds_parts_of_one_kind_stay_apart_and_a_following_table_adds_none(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "团场道路改造"],
                             ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                             ["", "年度资金总额", "600", "600", "588", "10", "98%", "9.8"],
                             ["", "其中：中央财政资金", "300", "300", "300", "—"],
                             ["", "兵团财政资金", "200", "200", "190", "—"],
                             ["", "师市财政资金", "100", "100", "98", "—"],
                             ["年度主要任务", "任务名称", "主要内容", "预算金额"],
                             ["", "道路硬化", "硬化团场道路12公里", "600"],
                             MOF_HEAD, ["", "产出指标", "数量指标", "道路硬化里程", "≥12公里", "12公里", "90", "90"]])
    parts = form.funds.parts
    assert sum(p.budget_full_year for p in parts.values()) == 600 and len(parts) == 3


@pytest.mark.parametrize("target_head, actual_head", [
    ("2023年指标值", "2023年完成值"),     # headers written with the year
    ("年度指标值", "实际完戍值"),         # one character misread by OCR
])
def test_header_cells_with_a_year_or_an_ocr_slip(tmp_path, target_head, actual_head):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "庭院经济扶持"],
                             ["一级指标", "二级指标", "三级指标", target_head, actual_head, "分值", "得分"],
                             ["产出指标", "数量指标", "扶持户数", "≥1300户", "1316户", "100", "100"]])
    r = row(form, "扶持户数")
    assert (r.target, r.actual) == ("≥1300户", "1316户")


def test_a_row_pointing_to_a_numbered_note_below_the_table_takes_its_text(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "学前教育资助"], MOF_HEAD,
                             ["", "产出指标", "数量指标", "资助幼儿人数", "≥58万人", "57.2万人", "50", "49", "详见说明一"],
                             ["", "", "时效指标", "资金发放及时率", "≥95%", "89%", "50", "47", "详见说明二"],
                             ["", "总分", "", "", "", "", "100", "96"],
                             ["三、偏差原因分析及改进措施"],
                             ["说明一：秋季学期适龄幼儿较预测减少约8000人，目标按上年入园人数测算偏高。"],
                             ["说明二：资助名单审核延至11月完成；2024年起审核提前至9月底前完成。"]])
    assert row(form, "资助幼儿人数").explanation.startswith("秋季学期适龄幼儿较预测减少")
    assert row(form, "资金发放及时率").explanation.startswith("资助名单审核延至11月")


def test_a_wrapped_scoring_rule_tail_stays_in_its_column(tmp_path):
    # the 评分标准 cell wrapped onto a line of its own: not the next row's explanation
    head = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "评分标准",
            "偏差原因分析及改进措施"]
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "校园安防运维"], head,
                             ["", "产出指标", "质量指标", "系统平均在线率", "≥98%", "98.6%", "50", "50",
                              "≥98%得满分，每低1个百分点"],
                             ["", "", "", "", "", "", "", "", "扣2分"],
                             ["", "", "", "故障修复率", "100%", "97.2%", "50", "50", "按完成比例得分", ""]])
    assert row(form, "故障修复率").explanation == ""
    assert row(form, "系统平均在线率").extra["method"] == "≥98%得满分，每低1个百分点扣2分"


def test_a_funds_block_turned_on_its_side_is_read_from_its_total_column(tmp_path):
    [form] = read(tmp_path, [["项目支出绩效自评表"], ["项目名称", "村级道路维修"],
                             ["预算执行情况（10分）", "资金来源", "合计", "中央资金", "省级资金", "市县资金", "其他资金"],
                             ["", "年初预算数", "80.00", "", "30.00", "50.00", ""],
                             ["", "全年预算数", "80.00", "", "30.00", "50.00", ""],
                             ["", "全年执行数", "72.00", "", "30.00", "42.00", ""],
                             ["", "执行率", "90.00%", "", "", "得分", "9"],
                             ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "自评分", "偏差原因及改进措施"],
                             ["产出指标", "数量指标", "维修里程", "≥6.5公里", "6.5公里", "90", "90"]])
    f = form.funds
    assert (f.budget_initial, f.budget_full_year, f.executed, f.execution_rate, f.weight, f.score) == \
        (80, 80, 72, 90, 10, 9)
    assert [i.indicator for i in form.indicators] == ["维修里程"]
