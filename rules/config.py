"""Settings: rule defaults (defaults.toml) overlaid by a project's pianchai.toml or
[tool.pianchai] in pyproject.toml. An unknown rule code, option or level is an error, so a typo
never silently leaves a rule on; every problem of a file is reported at once, not one per run.

`find_config(folder)` looks for the project's config from a form's folder upward, as ruff and
sqlfluff do, so forms checked from anywhere get the settings of the project they belong to.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules.engine import LEVELS, registry

DEFAULTS = Path(__file__).with_name("defaults.toml")


class ConfigError(Exception):
    """What is wrong with a config file: every problem found in it (`problems`), each a line."""

    def __init__(self, file: str, message: str | list[str]):
        self.file = file
        self.problems = [message] if isinstance(message, str) else list(message)
        self.message = self.problems[0]
        super().__init__("\n".join(f"{file}: {p}" for p in self.problems))


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


def defaults_version() -> str:
    """The `version` line of defaults.toml: raised whenever a default changes, so a run's
    figures can be tied to the defaults they were computed with."""
    return str(tomllib.loads(DEFAULTS.read_text(encoding="utf-8")).get("version", "?"))


def find_config(folder: str | Path) -> Path | None:
    """The nearest pianchai.toml, or pyproject.toml with a [tool.pianchai] table, in `folder` or
    a folder above it; None when there is none up to the root."""
    here = Path(folder).resolve()
    for d in (here, *here.parents):
        if (d / "pianchai.toml").is_file():
            return d / "pianchai.toml"
        pyproject = d / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                return pyproject          # a broken pyproject is reported, not skipped
            if "pianchai" in data.get("tool", {}):
                return pyproject
    return None


def load_config(path: str | Path | None = None, cwd: str | Path = ".") -> Config:
    """The config at `path`, else the nearest one from `cwd` upward (find_config), else the
    defaults."""
    if path is None:
        found = find_config(cwd)
        return load_config(found) if found is not None else Config()
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
    problems: list[str] = []
    unknown = set(data) - {"disable", "levels", "rules"}
    if unknown:
        problems.append(f"unknown key(s) {sorted(unknown)}; allowed: disable, levels, rules")

    def known(code: str, where: str) -> bool:
        if code not in rules:
            problems.append(f"{where}: unknown rule code {code!r} (see `pianchai rules`)")
        return code in rules

    disable = {c for c in data.get("disable", []) if known(c, "disable")}
    levels = {}
    for code, level in data.get("levels", {}).items():
        if level not in LEVELS:
            problems.append(f"levels.{code}: {level!r} is not one of {', '.join(LEVELS)}")
        elif known(code, "levels"):
            levels[code] = level
    settings: dict[str, dict[str, Any]] = {}
    for code, values in data.get("rules", {}).items():
        if not known(code, "rules"):
            continue
        cls = rules[code]
        for name, value in values.items():
            kind = cls.options.get(name)
            if kind is None:
                problems.append(f"rules.{code}.{name}: unknown option; {code} takes "
                                f"{sorted(cls.options) or 'no options'}")
                continue
            if isinstance(kind, tuple):
                if value not in kind:
                    problems.append(f"rules.{code}.{name}: {value!r} not one of {kind}")
                    continue
            elif kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            elif not isinstance(value, kind):
                problems.append(f"rules.{code}.{name}: expected {kind.__name__}, got {value!r}")
                continue
            settings.setdefault(code, {})[name] = value
    if problems:
        raise ConfigError(file, problems)
    return Config(disable=disable, levels=levels, settings=settings, source=file)


def _matches(code: str, patterns: list[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


def unknown_codes(patterns: list[str]) -> list[str]:
    """The --select / --ignore entries (codes or prefixes such as PC4) that name no rule."""
    codes = list(registry())
    return [p for p in patterns if not any(c.startswith(p) for c in codes)]


def restrict(config: Config, select: list[str], ignore: list[str]) -> Config:
    """Narrow `config` to the rules --select names (all when empty) minus those --ignore names,
    on top of what the config file disables."""
    for code in registry():
        if (select and not _matches(code, select)) or _matches(code, ignore):
            config.disable.add(code)
    return config
