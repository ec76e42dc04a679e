"""What `pianchai --version` prints: the package version, the hash of the classifier it loads,
and the version of the rule defaults, so a run's figures can be traced to what produced them."""
from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from reports.messages import t


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe() -> list[str]:
    from nlp.judge import DEFAULT_MODEL
    from rules.config import DEFAULTS, defaults_version

    try:
        lines = [f"pianchai {version('pianchai')}"]
    except PackageNotFoundError:        # run from a checkout that was never installed
        lines = ["pianchai (not installed)"]
    if DEFAULT_MODEL.is_file():
        lines.append(t("cli.version_model", name=DEFAULT_MODEL.name, hash=_sha256(DEFAULT_MODEL)[:16]))
    else:
        lines.append(t("cli.version_no_model"))
    lines.append(t("cli.version_rules", name=DEFAULTS.name, version=defaults_version(),
                   hash=_sha256(DEFAULTS)[:16]))
    return lines
