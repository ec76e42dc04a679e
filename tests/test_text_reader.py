"""The text reader and interpreter: the seed exactly, and constructed layout variants."""
from __future__ import annotations

import json

import pytest

from conftest import SEED_EXPECTED
from forms.errors import FormError
from forms.read import read_forms


def tsv(tmp_path, rows, name="form.txt"):
    p = tmp_path / name
    p.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    return p


def test_seed_matches_expected_field_for_field(seed_path):
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))["forms"]
    forms = read_forms(seed_path)
    assert len(forms) == len(expected)
    for got, want in zip(forms, expected):
        g = got.to_dict(with_source=False)
        for k in ("project", "year", "department", "implementer", "total"):
            assert g[k] == want[k], k
        for k, v in want["funds"].items():
            assert g["funds"][k] == v, k
        assert len(g["indicators"]) == len(want["indicators"])
        for gi, wi in zip(g["indicators"], want["indicators"]):
            for k, v in wi.items():
                if k == "level2" and v is None:
                    continue  # the layout does not say
                assert gi[k] == v, (wi["indicator"], k)


def test_seed_indicators_point_at_their_lines(seed_path):
    forms = read_forms(seed_path)
    lines = seed_path.read_text(encoding="utf-8").splitlines()
    for form in forms:
        for ind in form.indicators:
            assert ind.indicator in lines[ind.source.line - 1]
            assert ind.source.file == str(seed_path)


HEADER = ["项目名称", "乡村道路养护"]
FUNDS = [["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
         ["", "年度资金总额", "120", "118", "100.3", "10", "85.00", "8.5"]]


def test_header_synonyms_and_extra_columns(tmp_path):
    rows = [["2022年度项目支出绩效自评表"], HEADER, *FUNDS,
            ["一级指标", "二级指标", "三级指标", "指标性质", "年度目标值", "度量单位", "全年实际值",
             "权重", "自评得分", "指标方向", "未完成原因分析及改进措施"],
            ["产出指标", "数量指标", "养护里程", "≥", "35", "公里", "31", "20", "17.7", "正向",
             "两段路面因汛期塌方改为重建，转入次年计划。"],
            ["", "时效指标", "养护完成及时性", "", "及时", "", "及时", "20", "20", "正向", ""],
            ["效益指标", "社会效益指标", "群众出行满意度", "≥", "90", "%", "93", "50", "50", "正向", ""],
            ["总分", "", "", "", "", "", "", "100", "96.2"]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert form.year == 2022 and form.project == "乡村道路养护"
    first = form.indicators[0]
    assert (first.level1, first.level2, first.indicator) == ("产出指标", "数量指标", "养护里程")
    assert (first.target, first.actual, first.weight, first.score) == ("≥35公里", "31", 20, 17.7)
    assert first.extra["unit"] == "公里"  # the actual is kept as written; its unit is the row's
    assert first.explanation.startswith("两段路面")
    assert first.extra["direction"] == "正向"
    assert form.indicators[2].target == "≥90%"
    assert (form.total.weight, form.total.score) == (100, 96.2)
    assert form.funds.execution_rate == 85.0


def test_rows_shifted_left_and_right(tmp_path):
    rows = [["财政项目支出绩效自评表"], HEADER, *FUNDS,
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "养护里程", "≥35公里", "31公里", "20", "17", "汛期塌方。"],
            ["质量指标", "", "路面合格率", "≥95%", "96%", "20", "20", ""],      # label one column left
            ["", "", "", "时效指标", "完工及时性", "及时", "及时", "10", "10", ""],  # shifted right
            ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "91%", "40", "40"]]
    [form] = read_forms(tsv(tmp_path, rows))
    got = [(i.level2, i.indicator, i.target, i.actual, i.weight, i.score) for i in form.indicators]
    assert got == [
        ("数量指标", "养护里程", "≥35公里", "31公里", 20, 17),
        ("质量指标", "路面合格率", "≥95%", "96%", 20, 20),
        ("时效指标", "完工及时性", "及时", "及时", 10, 10),
        ("服务对象满意度指标", "群众满意度", "≥90%", "91%", 40, 40),
    ]
    assert [i.level1 for i in form.indicators] == ["产出指标"] * 3 + ["满意度指标"]


def test_page_split_explanation_and_late_level1_label(tmp_path):
    rows = [["财政项目支出绩效自评表"], ["(2021 年度)"], HEADER, *FUNDS,
            ["绩效", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            ["", "", "数量指标", "养护里程", "≥35公里", "35公里", "20", "20", ""],
            ["", "产出指标", "质量指标", "路面合格率", "≥95%", "95%", "20", "20", ""],
            ["", "", "", "", "", "", "", "两段路面因汛期塌方需重建，"],   # first part, page break
            [],
            ["指标", "效益指标", "社会效益指标", "通行时间缩短", "≥10%", "6%", "20", "12", "已列入次年一季度施工计划。"],
            ["", "", "", "事故发生次数", "≤2次", "4次", "10", "5", ""],
            ["", "总分", "", "", "", "", "", "80", "67"]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert form.year == 2021
    names = [i.indicator for i in form.indicators]
    assert names == ["养护里程", "路面合格率", "通行时间缩短", "事故发生次数"]
    assert [i.level1 for i in form.indicators] == ["产出指标", "产出指标", "效益指标", "效益指标"]
    assert form.indicators[2].explanation == "两段路面因汛期塌方需重建，已列入次年一季度施工计划。"
    assert form.indicators[1].explanation == ""
    assert form.indicators[2].source.line == 11


def test_continuation_of_a_cut_row_goes_up(tmp_path):
    rows = [["财政项目支出绩效自评表"], HEADER,
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "养护里程", "≥35公里", "31公里", "20", "17", "两段路面因汛期塌方改为重建，"],
            ["", "", "", "", "", "", "", "剩余4公里于次年5月前完工。"],
            ["", "", "路面合格率", "≥95%", "96%", "20", "20", ""]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert form.indicators[0].explanation.endswith("剩余4公里于次年5月前完工。")
    assert form.indicators[1].explanation == ""


def test_weight_before_target_template(tmp_path):
    rows = [["衔接资金项目绩效目标自评表"], ["项目名称", "高标准农田建设"],
            ["一级指标", "二级指标", "三级指标", "分值", "年度指标值", "全年实际值", "得分",
             "未完成原因及拟采取的改进措施"],
            ["产出指标", "数量指标", "★新建高标准农田面积", "30", "≥5000亩", "4600亩", "27.6",
             "村集体土地流转纠纷，两处地块延后开工。"],
            ["", "", "指标2：", "", "", "", "", ""],
            ["", "", "……", "", "", "", "", ""]]
    [form] = read_forms(tsv(tmp_path, rows))
    [ind] = form.indicators
    assert (ind.indicator, ind.weight, ind.target, ind.actual, ind.score) == \
        ("★新建高标准农田面积", 30, "≥5000亩", "4600亩", 27.6)


def test_form_level_texts_without_weights(tmp_path):
    rows = [["项目支出绩效自评表"], ["项目名称", "社区养老服务补贴"],
            ["预算执行情况（20分）", "预算数（A）", "执行数（B）", "执行率（B/A）", "得分"],
            ["年度资金总额", "200", "188", "0.94", "18.8"],
            ["一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "得分"],
            ["产出指标", "数量指标", "补贴发放人数", "≥1500人", "1420人", "18"],
            ["偏差大或目标未完成原因分析", "年内78名老人迁出辖区，补贴按月核减。"],
            ["改进措施及结果应用方案", "每季度与民政系统比对户籍数据，按实有人数调整下年目标为1450人。"]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert not form.has_weights and form.has_scores
    assert form.funds.weight == 20 and form.funds.execution_rate == 0.94  # as written
    assert form.funds.execution_rate_percent == 94.0
    assert form.indicators[0].weight is None and form.indicators[0].score == 18
    assert form.texts["deviation"].startswith("年内78名")
    assert "1450人" in form.texts["measures"]


def test_several_forms_in_one_file(tmp_path):
    block = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
             ["产出指标", "数量指标", "培训人次", "≥300人次", "320人次", "90", "90", ""]]
    rows = [["财政项目支出绩效自评表"], ["项目名称", "甲"], *block, [],
            ["财政项目支出绩效自评表"], ["项目名称", "乙"], *block]
    forms = read_forms(tsv(tmp_path, rows))
    assert [f.project for f in forms] == ["甲", "乙"]
    assert [f.source.form for f in forms] == [0, 1]
    assert forms[1].indicators[0].source.form == 1


def test_space_separated_text_without_tabs(tmp_path):
    p = tmp_path / "spaces.txt"
    p.write_text("项目名称  乡村道路养护\n一级指标  二级指标  三级指标  年度指标值  实际完成值  分值  得分  偏差原因分析及改进措施\n"
                 "产出指标  数量指标  养护里程  ≥35公里  31公里  20  17  汛期塌方。\n", encoding="utf-8")
    [form] = read_forms(p)
    assert form.indicators[0].score == 17


def test_gb18030_text(tmp_path):
    p = tmp_path / "gbk.txt"
    rows = [["项目名称", "乡村道路养护"], ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "养护里程", "≥35公里", "31公里", "20", "17"]]
    p.write_bytes("\n".join("\t".join(r) for r in rows).encode("gb18030"))
    assert read_forms(p)[0].project == "乡村道路养护"


@pytest.mark.parametrize("content,needle", [
    (b"", "empty"),
    ("这是一份会议纪要，没有表格。\n第二行。\n".encode(), "no 自评表"),
])
def test_unreadable_files_are_clear_errors(tmp_path, content, needle):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(FormError) as e:
        read_forms(p)
    assert needle in str(e.value) and "bad.txt" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(FormError, match="no such file"):
        read_forms(tmp_path / "nope.txt")


def test_header_repeated_on_a_new_page_and_wrapped_header(tmp_path):
    rows = [["财政项目支出绩效自评表"], HEADER,
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及"],
            ["", "", "", "", "", "", "", "改进措施"],
            ["产出指标", "数量指标", "养护里程", "≥35公里", "31公里", "40", "35", "汛期塌方。"],
            [],
            # next page: the header again, one column fewer on the left
            ["二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            ["质量指标", "路面合格率", "≥95%", "96%", "50", "50", ""],
            ["总分", "", "", "", "90", "85"]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert [(i.indicator, i.level1, i.level2, i.weight, i.score) for i in form.indicators] == [
        ("养护里程", "产出指标", "数量指标", 40, 35), ("路面合格率", "产出指标", "质量指标", 50, 50)]
    assert form.texts == {}
    assert (form.total.weight, form.total.score) == (90, 85)


def test_total_row_without_label_and_a_new_form_on_the_same_page(tmp_path):
    rows = [["财政项目支出绩效自评表"], ["项目名称", "甲"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "养护里程", "≥35公里", "35公里", "90", "90"],
            ["", "", "", "", "", "90", "90"],
            ["项目支出绩效自评表（2022年度）"], ["项目名称", "乙"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["效益指标", "社会效益指标", "受益人数", "≥100人", "120人", "90", "90"]]
    first, second = read_forms(tsv(tmp_path, rows))
    assert (first.total.weight, first.total.score) == (90, 90) and len(first.indicators) == 1
    assert second.project == "乙" and second.year == 2022 and len(second.indicators) == 1


def test_explanation_written_into_the_score_cell(tmp_path):
    rows = [["财政项目支出绩效自评表"], HEADER,
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            ["产出指标", "数量指标", "培训人次", "≥800人次", "612人次", "10", "7（两期培训因场地被征用取消）", ""],
            ["", "", "培训场次", "≥8场", "6场", "10", "两期培训取消，次年补办", ""],
            ["", "", "结业率", "≥95%", "96%", "10", "10", ""]]
    [form] = read_forms(tsv(tmp_path, rows))
    first, second, third = form.indicators
    assert (first.score, first.explanation) == (7, "两期培训因场地被征用取消")
    assert (second.score, second.explanation) == (None, "两期培训取消，次年补办")
    assert (third.score, third.explanation) == (10, "")


def test_labels_and_values_in_one_cell(tmp_path):
    rows = [["财政项目支出绩效自评表"], ["项目名称：乡村道路养护"],
            ["主管部门：某县交通运输局", "", "实施单位：某县公路养护中心"],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "养护里程", "≥35公里", "35公里", "90", "90"]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert (form.project, form.department, form.implementer) == ("乡村道路养护", "某县交通运输局", "某县公路养护中心")


HEAD8 = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


@pytest.mark.parametrize("lines,name", [
    # the wrapped tail of the name on the line after the row
    ([["产出指标", "数量指标", "客户对营业网点设置的便捷性问题投诉", "<5个", "0", "5", "5", ""],
      ["", "", "量"]], "客户对营业网点设置的便捷性问题投诉量"),
    # the first part of the name on the line before the row (its values centred lower)
    ([["产出指标", "数量指标", "客户对营业网点设置的便捷性问题投诉"],
      ["", "", "量", "<5个", "0", "5", "5", ""]], "客户对营业网点设置的便捷性问题投诉量"),
])
def test_indicator_name_wrapped_onto_its_own_line(tmp_path, lines, name):
    rows = [["财政项目支出绩效自评表"], HEADER, HEAD8,
            ["产出指标", "数量指标", "养护里程", "≥35公里", "35公里", "20", "20", ""], *lines,
            ["", "", "路面合格率", "≥95%", "96%", "20", "20", ""]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert [i.indicator for i in form.indicators] == ["养护里程", name, "路面合格率"]
    assert form.indicators[1].target == "<5个"


def test_explanation_lines_after_a_full_stop_stay_with_their_row(tmp_path):
    rows = [["财政项目支出绩效自评表"], HEADER, HEAD8,
            ["产出指标", "数量指标", "养护里程", "≥35公里", "31公里", "20", "17", "汛期两段路面塌方。"],
            ["", "", "", "", "", "", "", "剩余4公里已列入次年计划，于5月底前完工，确保实"],
            ["", "", "", "", "", "", "", "施。"],
            ["", "", "路面合格率", "≥95%", "96%", "20", "20", ""]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert form.indicators[0].explanation == "汛期两段路面塌方。剩余4公里已列入次年计划，于5月底前完工，确保实施。"
    assert form.indicators[1].explanation == ""


def test_long_actual_wrapped_onto_its_own_line(tmp_path):
    rows = [["财政项目支出绩效自评表"], HEADER, HEAD8,
            ["效益指标", "社会效益指标", "柜台压力缓解程度", "有所缓解", "新增单位账户注销等网上业务，", "5", "5", ""],
            ["", "", "", "", "柜台压力进一步缓解"],
            ["", "", "路面合格率", "≥95%", "96%", "20", "20", ""]]
    [form] = read_forms(tsv(tmp_path, rows))
    first, second = form.indicators
    assert first.actual == "新增单位账户注销等网上业务，柜台压力进一步缓解"
    assert first.explanation == "" and second.explanation == ""


def test_a_conclusion_row_does_not_start_a_new_form(tmp_path):
    rows = [["项目支出绩效自评表"], HEADER, HEAD8,
            ["产出指标", "数量指标", "养护里程", "≥35公里", "35公里", "90", "90", ""],
            ["四、绩效自评结论", "项目目标全部完成。"]]
    [form] = read_forms(tsv(tmp_path, rows))
    assert form.texts == {"conclusion": "项目目标全部完成。"}
