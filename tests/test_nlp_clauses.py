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


def test_telegraphic_notes_split_where_the_measure_starts():
    from nlp.features import prepare

    def roles(text):
        p = prepare(text)
        return [(p.norm[a:b], r) for a, b, r, _ in p.pieces]

    assert roles("12户常年外出联系不上 明年3月前补齐") == [("12户常年外出联系不上", "cause"), ("明年3月前补齐", "measure")]
    assert roles("差3500人剩余2个村管网明年6月前通水") == [("差3500人", "cause"), ("剩余2个村管网明年6月前通水", "measure")]
    assert roles("合作社冷库因用电增容未批推迟到明年") == [("合作社冷库因用电增容未批推迟到明年", "cause")]
    assert roles("由于客观 原因未完成") == [("由于客观原因未完成", "cause")]     # a wrap, no cut


def test_section_headings_set_the_side_and_are_no_content():
    from nlp.features import prepare

    p = prepare("存在问题：部分农户不配合。整改措施：一是加强宣传；二是剩余2户明年3月前完成。")
    assert [r for *_, r, _ in p.pieces] == ["heading", "cause", "heading", "measure", "measure"]
    p = prepare("（三）存在的问题及原因分析\n无。\n（四）下一步改进措施\n无。")
    assert p.cause_text == "" and p.measure_text == ""


def test_extraction_slips_are_repaired_in_place():
    from nlp.features import repair

    assert repair("完好率为9O%，己对３家末通过验收的企业") == "完好率为90%，已对3家未通过验收的企业"
    assert repair("自己完成了，周末能够开放") == "自己完成了，周末能够开放"


@pytest.mark.parametrize("text, role", [
    ("2023年3月底前完成剩余2个村的改造", "measure"),      # a deadline to come heads the piece
    ("预计年底完工", "measure"),
    ("待竣工验收后支付尾款", "measure"),
    ("目前正在加紧施工", "measure"),
    ("与供应商协调争取早日交付", "measure"),
    ("11月前未收到上级资金", "cause"),                   # a date, then a finding
    ("项目正在实施中", "cause"),                          # a status that restates the result
    ("与目标值相比差距较大", "cause"),
    ("预计收入减少", "cause"),
    ("不合格段落已拆除重浇", "measure"),                # an action taken, after a short subject
    ("剩余300人次并入寒假集中培训", "measure"),          # a remainder with its plan
    ("资金已于12月下达", "cause"),                       # a state, not an action
])
def test_a_piece_that_opens_with_a_plan_is_a_measure(text, role):
    from nlp.features import prepare

    assert [r for *_, r, _ in prepare(text).pieces] == [role]


@pytest.mark.parametrize("text, expected", [
    # a measure glued to its cause with no break: a modal or an effort word before an action verb
    ("入户难后期加强宣传", [("入户难", "cause"), ("后期加强宣传", "measure")]),
    ("纠纷未协调好要积极协调解决", [("纠纷未协调好", "cause"), ("要积极协调解决", "measure")]),
    ("景区闭园21天将加大营销力度", [("景区闭园21天", "cause"), ("将加大营销力度", "measure")]),
    ("林权纠纷未解决积极协调", [("林权纠纷未解决", "cause"), ("积极协调", "measure")]),
    ("需枯水期施工争取尽快完成", [("需枯水期施工", "cause"), ("争取尽快完成", "measure")]),
    # a concrete step with its number straight after the problem it answers
    ("设备老化更换水泵3台", [("设备老化", "cause"), ("更换水泵3台", "measure")]),
    # the same words inside a cause: no cut
    ("需要多个部门会签耗时较长", [("需要多个部门会签耗时较长", "cause")]),
    ("因疫情无法继续开展培训", [("因疫情无法继续开展培训", "cause")]),
    ("部分农户不愿继续种植", [("部分农户不愿继续种植", "cause")]),
    ("群众参与积极性不高", [("群众参与积极性不高", "cause")]),
    ("工作量增加3倍", [("工作量增加3倍", "cause")]),
])
def test_a_measure_glued_to_its_cause_is_cut_off(text, expected):
    from nlp.features import prepare

    p = prepare(text)
    assert [(p.norm[a:b], r) for a, b, r, _ in p.pieces] == expected


@pytest.mark.parametrize("text, judged", [
    ("部分企业创新能力有待提升，研发投入不足", 2),       # verdicts on the unit's own work
    ("主要是入库把关不够严格", 1),
    ("乡村医疗服务能力仍较薄弱", 1),
    ("两名专职人员6月调离后人手不足", 0),               # a dated event: a factor
    ("供货商停产改型", 0),
])
def test_cause_pieces_that_only_judge_insufficiency_are_counted(text, judged):
    from nlp.features import HAND_FEATURES, prepare

    assert prepare(text).hand["cause"][HAND_FEATURES["cause"].index("judgement_pieces")] == judged


def test_a_report_of_work_done_is_no_cause_over_the_rest_of_its_sentence():
    from nlp.features import prepare

    p = prepare("今年我镇共受理来信来访126件，办结121件，化解积案3件。下步将加强源头治理。")
    assert [r for *_, r, _ in p.pieces] == ["other", "other", "other", "heading", "measure"]
    p = prepare("全年共完成12公里，省级资金11月才下达")     # a problem in it: a cause
    assert [r for *_, r, _ in p.pieces] == ["other", "cause"]


def test_an_effort_word_that_tells_a_result_starts_no_measure():
    from nlp.features import prepare

    p = prepare("举办桃花节3场，品牌知名度进一步提升")
    assert "进一步提升" not in p.measure_text
    assert prepare("浊度超标进一步加强净水工艺管理").measure_text == "进一步加强净水工艺管理"


@pytest.mark.parametrize("text, role", [
    ("目标调为6项", "measure"),              # a new value
    ("改按节点分期付款", "measure"),          # a changed arrangement
    ("每季交叉审核一次", "measure"),          # a routine from now on
])
def test_telegraphic_measures_with_no_cue_word(text, role):
    from nlp.features import prepare

    assert [r for *_, r, _ in prepare(text).pieces] == [role]


def test_counted_work_done_with_no_problem_named_is_a_report():
    from nlp.features import prepare

    p = prepare("我院门急诊量达42.6万人次，出院患者2.1万人次")
    assert [r for *_, r, _ in p.pieces] == ["other", "other"] and p.cause_text == ""
    assert prepare("完成率未达90%").cause_text == "完成率未达90%"       # a shortfall stays a cause


@pytest.mark.parametrize("text, expected", [
    # an imperative verb heading a piece that is then judged: a weakness named, a cause
    ("推进缓慢", [("推进缓慢", "cause")]),
    ("组织实施不到位，协调难度大", [("组织实施不到位", "cause"), ("协调难度大", "cause")]),
    ("及时性不够", [("及时性不够", "cause")]),
    # the verb has an object first: still a measure
    ("加强对知晓率不高村组的宣传", [("加强对知晓率不高村组的宣传", "measure")]),
    ("加大资金不足地区的投入", [("加大资金不足地区的投入", "measure")]),      # the judgement is attributive
    ("推进滞后项目的整改", [("推进滞后项目的整改", "measure")]),
    ("加强管理，提高服务水平", [("加强管理", "measure"), ("提高服务水平", "measure")]),
])
def test_an_imperative_that_is_then_judged_names_a_cause(text, expected):
    from nlp.features import prepare

    p = prepare(text)
    assert [(p.norm[a:b], r) for a, b, r, _ in p.pieces] == expected


@pytest.mark.parametrize("text, expected", [
    # telegraphic fragments: the measure after its cause, split at the dropped space
    ("缺验收单 1月补齐", [("缺验收单", "cause"), ("1月补齐", "measure")]),
    ("采购平台上线延后 改季度拨付", [("采购平台上线延后", "cause"), ("改季度拨付", "measure")]),
    ("场地紧张 借镇文化站每月2次", [("场地紧张", "cause"), ("借镇文化站每月2次", "measure")]),
    ("前期手续多 跟踪督办", [("前期手续多", "cause"), ("跟踪督办", "measure")]),
    ("乡医少 持续推进", [("乡医少", "cause"), ("持续推进", "measure")]),
    # a dated event is the finding, a time that was late is no plan
    ("7月塌方便道中断", [("7月塌方便道中断", "cause")]),
    ("资金下达晚 6月才拨付", [("资金下达晚6月才拨付", "cause")]),
    # spaced out character by character: the spaces are the extraction's, no fragment ends there
    ("因 警 力 抽 调 参 加 安 保 任 务 ， 第 四 期 培 训 取 消",
     [("因警力抽调参加安保任务", "cause"), ("第四期培训取消", "cause")]),
    ("管 理 不 到 位 ， 持 续 跟 踪 督 办", [("管理不到位", "cause"), ("持续跟踪督办", "measure")]),
])
def test_a_telegraphic_measure_after_its_cause(text, expected):
    from nlp.features import prepare

    p = prepare(text)
    assert [(p.norm[a:b], r) for a, b, r, _ in p.pieces] == expected


@pytest.mark.parametrize("text, role", [
    ("对未整改的3家单位下发督办函", "measure"),        # what is done about what was left undone
    ("对损坏器材建立维修清单", "measure"),
    ("对政策理解不到位", "cause"),                    # a shortfall word and no action: a cause
])
def test_a_piece_addressing_the_remainder_is_a_measure(text, role):
    from nlp.features import prepare

    assert [r for *_, r, _ in prepare(text).pieces] == [role]


@pytest.mark.parametrize("text, role", [
    ("2024年上半年完成剩余3个项目验收", "measure"),     # a half-year or quarter to come, then the doing
    ("一季度完成项目招标", "measure"),
    ("上半年完成率较低", "cause"),                     # the rate of a past half-year: a finding
])
def test_a_half_year_or_quarter_heading_the_work_is_a_plan(text, role):
    from nlp.features import prepare

    assert [r for *_, r, _ in prepare(text).pieces] == [role]
