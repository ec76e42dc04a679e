"""The explanation rules (rules/checks/quality.py) with the shipped classifier: the unsure band
gives info, form-level cells and report sections are judged by the same model."""
import pytest

from fakes import FakeVerdict
from formdict import form_from_dict
from nlp.judge import load_judge
from rules.config import Config
from rules.engine import Context, Engine, registry

ROW = {"indicator": "慢病规范管理率", "target": "≥70%", "actual": "66.5%", "weight": 10, "score": 9.5,
       "explanation": "进一步加强随访管理。"}


def _run(code, verdict, form=None):
    rule = registry()[code](Config().settings.get(code))
    form = form or form_from_dict({"indicators": [ROW]})
    return list(rule.check(form, Context(verdicts={0: verdict})))


@pytest.mark.parametrize("unsure, level", [([], "warning"), (["measure"], "info")])
def test_unsure_verdict_is_info_never_warning(unsure, level):
    verdict = FakeVerdict("specific", "generic", {"specific": 0.9}, {"generic": 0.6}, unsure=unsure)
    findings = _run("PC404", verdict)
    assert [f.level for f in findings] == [level]
    assert findings[0].evidence["unsure"] == bool(unsure)


def test_unsure_on_the_other_axis_does_not_soften():
    verdict = FakeVerdict("specific", "generic", {"specific": 0.6}, {"generic": 0.95}, unsure=["cause"])
    assert [f.level for f in _run("PC404", verdict)] == ["warning"]


@pytest.fixture(scope="module")
def engine():
    return Engine(judge=load_judge().judge_many)


def _verdict(engine, form):
    from rules.engine import judge_form
    return judge_form(form, engine.judge)


def test_form_level_cells_are_judged_each_as_its_side(engine):
    form = form_from_dict({"indicators": [dict(ROW, explanation="")],
                           "texts": {"deviation": "两名随访医生6月调往县医院，随访断档三个月。",
                                     "measures": "进一步加强管理，提高服务质量。"}})
    v = _verdict(engine, form)[-1]
    assert (v.cause, v.measure) == ("specific", "generic")
    codes = {f.code for f in engine.check(form)}
    assert "PC404" in codes and "PC401" not in codes and "PC403" not in codes


def test_report_sections_in_one_cell(engine):
    text = ("（三）存在的问题及原因分析\n1.签约医生两名6月调离，随访断档三个月。\n"
            "（四）下一步改进措施\n1.进一步加强队伍建设，提升服务水平。")
    v = load_judge().judge(text, **{k: ROW[k] for k in ("indicator", "target", "actual")})
    assert (v.cause, v.measure) == ("specific", "generic")
    assert v.evidence["measure_clauses"] == ["1.进一步加强队伍建设，提升服务水平"]


def test_english_text_gives_pc405_only(engine):
    form = form_from_dict({"indicators": [dict(ROW, explanation="Delayed by the supplier.")]})
    findings = engine.check(form)
    quality = [f for f in findings if f.code.startswith("PC40")]
    assert [(f.code, f.level) for f in quality] == [("PC405", "info")]
