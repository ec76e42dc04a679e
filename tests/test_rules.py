"""Every rule against its fixture cases (tests/fixtures/rules/CODE.json), plus meta-tests that
keep every rule documented and covered."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakes import FakeVerdict
from formdict import form_from_dict
from rules.config import Config
from rules.engine import Context, registry

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


def _cases():
    for path in sorted(FIXTURES.glob("PC*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(data["rule"], case, id=f"{data['rule']}-{case['name']}")


@pytest.mark.parametrize("code,case", list(_cases()))
def test_rule_fixture(code, case):
    cls = registry()[code]
    rule = cls(Config().settings.get(code))
    form = form_from_dict(case["form"])
    ctx = Context(verdicts={int(k): FakeVerdict(**v) for k, v in case.get("verdicts", {}).items()})
    findings = [f for f in rule.check(form, ctx) if f.code == code]
    if case["fail"]:
        assert findings, f"{code} should fire on {case['name']}"
        assert all(f.message for f in findings)
        if "level" in case:  # precision first: the level says how sure the reading and rule are
            assert {f.level for f in findings} == {case["level"]}, [f.level for f in findings]
            if case["level"] != cls.level and case["level"] == "info":
                assert all(f.evidence.get("downgraded") for f in findings), "say why it was downgraded"
    else:
        assert not findings, f"{code} should not fire on {case['name']}: {[f.message for f in findings]}"


@pytest.mark.parametrize("code", list(registry()))
def test_rule_is_documented_and_covered(code):
    cls = registry()[code]
    doc = cls.__doc__ or ""
    assert cls.summary(), f"{code} has no summary line"
    assert "Anti-pattern" in doc and "Best practice" in doc, f"{code} docstring lacks examples"
    assert cls.level in ("error", "warning", "info")
    fixture = FIXTURES / f"{code}.json"
    assert fixture.exists(), f"{code} has no fixture file"
    cases = json.loads(fixture.read_text(encoding="utf-8"))["cases"]
    assert any(c["fail"] for c in cases) and any(not c["fail"] for c in cases), \
        f"{code} needs at least one failing and one passing case"


def test_every_option_has_a_default():
    settings = Config().settings
    for code, cls in registry().items():
        assert set(cls.options) == set(settings.get(code, {})), code
