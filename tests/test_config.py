from __future__ import annotations

import pytest

from rules.config import ConfigError, load_config
from rules.engine import Engine


def test_disable_and_relevel(tmp_path):
    cfg = tmp_path / "pianchai.toml"
    cfg.write_text('disable = ["PC107"]\n[levels]\nPC101 = "warning"\n[rules.PC106]\ntolerance = 1\n',
                   encoding="utf-8")
    config = load_config(cfg)
    assert config.disable == {"PC107"}
    assert config.levels == {"PC101": "warning"}
    assert config.settings["PC106"]["tolerance"] == 1.0
    assert config.settings["PC106"]["partial_max"] == 0.8
    codes = {r.code for r in Engine(config).rules}
    assert "PC107" not in codes and "PC101" in codes


def test_pyproject_section(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.pianchai]\ndisable = ["PC101"]\n', encoding="utf-8")
    assert load_config(cwd=tmp_path).disable == {"PC101"}


@pytest.mark.parametrize("body,needle", [
    ('disable = ["PC999"]', "unknown rule code"),
    ('colour = true', "unknown key"),
    ('[levels]\nPC101 = "fatal"', "not one of"),
    ('[rules.PC106]\ntolrance = 1', "unknown option"),
    ('[rules.PC106]\ntolerance = "x"', "expected float"),
    ('disable = [', "not valid TOML"),
])
def test_bad_config_is_a_clear_error(tmp_path, body, needle):
    cfg = tmp_path / "pianchai.toml"
    cfg.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert needle in str(e.value) and "pianchai.toml" in str(e.value)
