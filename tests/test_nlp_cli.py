"""pianchai explain / classify / evaluate through click's CliRunner."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "dev_explanations.jsonl"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_explain_json():
    r = run("explain", "由于客观原因未完成。今后将进一步加强管理。", "--indicator", "验收合格率", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["flagged"] is True
    assert d["cause"] == "generic"
    assert any(v["phrase"] == "客观原因" for v in d["evidence"]["vague"])


def test_explain_human_from_stdin():
    r = run("explain", "-", input="由于客观原因未完成。\n")
    assert r.exit_code == 0, r.output
    assert "偏差原因" in r.output and "建议" in r.output


def test_classify_contract_and_bad_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "a", "text": "资金下达较晚，项目推迟开工。", "indicator": "开工及时率"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": ""}),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["classify", str(src), "-o", str(out)])
    assert r.exit_code == 1
    assert f"{src}:2" in r.output and f"{src}:3" in r.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["a", "c"]
    for x in lines:
        assert set(x) == {"id", "cause", "measure", "cause_proba", "measure_proba", "flagged", "unsure", "evidence"}
    assert (lines[1]["cause"], lines[1]["measure"]) == ("absent", "absent")


def test_evaluate_on_a_small_file(tmp_path):
    f = tmp_path / "gold.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "1", "text": "", "cause": "absent", "measure": "absent"},
        {"id": "2", "text": "受多种因素影响。今后将进一步加强管理。", "cause": "generic", "measure": "generic"},
    ]) + "\n", encoding="utf-8")
    r = run("evaluate", str(f), "--errors")
    assert r.exit_code == 0, r.output
    assert "macro-F1" in r.output and "flagged" in r.output


@pytest.mark.skipif(not DEV.exists(), reason="../shared/data/dev_explanations.jsonl absent (fresh clone)")
def test_evaluate_dev_set_runs():
    r = run("evaluate", str(DEV))
    assert r.exit_code == 0, r.output
    assert "n=200" in r.output


def test_nlp_commands_have_help():
    for cmd in ("train", "evaluate", "explain", "classify"):
        r = run(cmd, "--help")
        assert r.exit_code == 0 and "示例：" in r.output


@pytest.mark.skipif(not DEV.exists(), reason="../shared absent (fresh clone)")
def test_evaluate_refuses_to_list_errors_of_scored_only_sets():
    real = DEV.parent.parent / "real" / "explanations.jsonl"
    for args in ([real, "--errors"], [DEV, "--errors"], [DEV, "--dev-half", "score_only", "--errors"]):
        r = run("evaluate", *map(str, args))
        assert r.exit_code != 0 and "misclassified" not in r.output
        assert "never listed" in r.output or "read half" in r.output
