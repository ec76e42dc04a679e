"""pianchai's command line: click commands that wire readers → rules → nlp → reports.

Commands import their libraries inside the function body: `pianchai rules` and
`pianchai check --no-nlp` must not pay for spaCy and scikit-learn.
"""
from __future__ import annotations

import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pianchai")
def main() -> None:
    """pianchai (偏差): checks 财政项目支出绩效自评表 — lost points, arithmetic, and whether each
    偏差原因分析及改进措施 gives a real cause and a concrete measure."""


if __name__ == "__main__":
    sys.exit(main())
