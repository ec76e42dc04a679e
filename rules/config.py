"""Settings: rule defaults (defaults.toml) overlaid by a project's pianchai.toml or
[tool.pianchai] in pyproject.toml. An unknown rule code, option or level is an error, so a typo
never silently leaves a rule on.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules.engine import LEVELS, registry

DEFAULTS = Path(__file__).with_name("defaults.toml")


class ConfigError(Exception):
    def __init__(self, file: str, message: str):
        self.file = file
        super().__init__(f"{file}: {message}")


@dataclass
class Config:
    disable: set[str] = field(default_factory=set)
    levels: dict[str, str] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        defaults = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))["rules"]
        for code, values in defaults.items():
            self.settings[code] = {**values, **self.settings.get(code, {})}


def load_config(path: str | Path | None = None, cwd: str | Path = ".") -> Config:
    """The config at `path`, else ./pianchai.toml, else ./pyproject.toml's [tool.pianchai]."""
    if path is None:
        for candidate in (Path(cwd) / "pianchai.toml", Path(cwd) / "pyproject.toml"):
            if candidate.is_file():
                data = _load(candidate)
                if candidate.name == "pyproject.toml":
                    data = data.get("tool", {}).get("pianchai")
                    if data is None:
                        continue
                return _build(data, str(candidate))
        return Config()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(str(p), "config file not found")
    data = _load(p)
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("pianchai", {})
    return _build(data, str(p))


def _load(p: Path) -> dict:
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(str(p), f"not valid TOML: {e}") from None


def _build(data: dict, file: str) -> Config:
    rules = registry()
    unknown = set(data) - {"disable", "levels", "rules"}
    if unknown:
        raise ConfigError(file, f"unknown key(s) {sorted(unknown)}; allowed: disable, levels, rules")

    def known(code: str, where: str) -> str:
        if code not in rules:
            raise ConfigError(file, f"{where}: unknown rule code {code!r} (see `pianchai rules`)")
        return code

    disable = {known(c, "disable") for c in data.get("disable", [])}
    levels = {}
    for code, level in data.get("levels", {}).items():
        if level not in LEVELS:
            raise ConfigError(file, f"levels.{code}: {level!r} is not one of {', '.join(LEVELS)}")
        levels[known(code, "levels")] = level
    settings: dict[str, dict[str, Any]] = {}
    for code, values in data.get("rules", {}).items():
        cls = rules[known(code, "rules")]
        for name, value in values.items():
            kind = cls.options.get(name)
            if kind is None:
                raise ConfigError(file, f"rules.{code}.{name}: unknown option; {code} takes "
                                        f"{sorted(cls.options) or 'no options'}")
            if isinstance(kind, tuple):
                if value not in kind:
                    raise ConfigError(file, f"rules.{code}.{name}: {value!r} not one of {kind}")
            elif kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            elif not isinstance(value, kind):
                raise ConfigError(file, f"rules.{code}.{name}: expected {kind.__name__}, got {value!r}")
            settings.setdefault(code, {})[name] = value
    return Config(disable=disable, levels=levels, settings=settings, source=file)
