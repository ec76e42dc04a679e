"""The command line: check (human, json, csv), rules, exit codes and clear errors.

The linter conventions (formats, baseline, selection, exit codes, config discovery, stdin) are in
tests/test_cli_conventions.py."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from click.testing import CliRunner

import cli
from conftest import EXAMPLE, ROOT, SEED_EXPECTED


def run(*args):
    return CliRunner().invoke(cli.main, list(map(str, args)), catch_exceptions=False)


def test_check_seed_json_reproduces_forms_and_lost_points(seed_path):
    result = run("check", seed_path, "--format", "json", "--no-nlp")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))["forms"]
    assert [f["project"] for f in data["forms"]] == [f["project"] for f in expected]
    for got, want in zip(data["forms"], expected):
        assert got["total"] == want["total"]
        for gi, wi in zip(got["indicators"], want["indicators"]):
            assert {k: gi[k] for k in wi if wi[k] is not None} == {k: v for k, v in wi.items() if v is not None}
    lost = [(f["indicator"], f["evidence"]["explanation"]) for form in data["forms"]
            for f in form["findings"] if f["code"] == "PC101"]
    want_lost = [(i["indicator"], i["explanation"]) for form in expected for i in form["indicators"]
                 if i["score"] < i["weight"]]
    assert len(lost) == 6 and lost == want_lost


def test_check_human_report_groups_by_form(seed_path):
    result = run("check", seed_path, "--no-nlp")
    assert "第 2 张表：区县管理部租赁费物业费（2020 年度）" in result.output
    assert "PC202" in result.output and ":46" in result.output
    assert "1 个文件，3 张表，6 个指标扣分" in result.output
    english = run("check", seed_path, "--no-nlp", "--lang", "en")
    assert "form 2: 区县管理部租赁费物业费 (2020)" in english.output
    assert "3 form(s), 6 indicator(s) lost points" in english.output


def test_check_csv_one_finding_a_row():
    result = run("check", EXAMPLE, "--format", "csv", "--no-nlp")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and {r["code"] for r in rows} >= {"PC101", "PC106", "PC202", "PC304"}
    assert all(r["file"].endswith("community_health_2023.txt") for r in rows)


def test_error_finding_sets_exit_code(tmp_path):
    body = EXAMPLE.read_text(encoding="utf-8").replace("\t90\t84.8", "\t100\t84.8")
    p = tmp_path / "bad_total.txt"
    p.write_text(body, encoding="utf-8")
    result = run("check", p, "--no-nlp")
    assert result.exit_code == 1
    assert "PC301" in result.output


def test_bad_files_are_reported_and_the_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("会议纪要\n", encoding="utf-8")
    result = run("check", tmp_path / "missing.txt", tmp_path / "empty.txt", tmp_path / "notes.txt",
                 EXAMPLE, "--no-nlp")
    assert result.exit_code == 1
    out = result.output
    assert "missing.txt: 文件不存在" in out
    assert "empty.txt: 文件为空" in out
    assert "notes.txt: 未找到自评表" in out
    assert "街道社区卫生服务站运行保障" in out
    assert "Traceback" not in out


def test_json_output_to_file_with_errors(tmp_path):
    out = tmp_path / "r.json"
    result = run("check", EXAMPLE, tmp_path / "missing.txt", "--format", "json", "-o", out, "--no-nlp")
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["errors"][0]["message"] == "no such file"
    assert data["forms"][0]["project"] == "街道社区卫生服务站运行保障"


def test_config_switches_rules_off(tmp_path):
    cfg = tmp_path / "pianchai.toml"
    cfg.write_text('disable = ["PC101"]\n', encoding="utf-8")
    result = run("check", EXAMPLE, "--no-nlp", "--config", cfg)
    assert "PC101" not in result.output and "PC106" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('disable = ["PC9"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["check", str(EXAMPLE), "--config", str(bad)])
    assert result.exit_code == 2 and "未知的规则代码 'PC9'" in result.output
    assert len(result.output.strip().splitlines()) == 2        # the count, then the one problem


def test_rules_lists_every_rule():
    result = run("rules")
    for code in ("PC101", "PC106", "PC201", "PC301", "PC404"):
        assert code in result.output
    data = json.loads(run("rules", "--format", "json").output)
    assert all(r["summary"] for r in data)


def test_rules_and_no_nlp_check_import_no_nlp_stack():
    code = ("import sys, cli\n"
            "from click.testing import CliRunner\n"
            f"CliRunner().invoke(cli.main, ['check', {str(EXAMPLE)!r}, '--no-nlp'])\n"
            "CliRunner().invoke(cli.main, ['rules'])\n"
            "heavy = [m for m in ('spacy', 'sklearn', 'jieba', 'pandas', 'nlp') if m in sys.modules]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_every_command_has_help_with_an_example():
    for name, command in cli.main.commands.items():
        assert command.help and "示例：" in command.help, name


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.main.commands:
        assert f"pianchai {name}" in readme, name
