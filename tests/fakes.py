"""Stand-ins for the classifier, so rule, batch and web tests do not depend on the model."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class FakeVerdict:
    """Has the shape of nlp.judge.Verdict."""

    cause: str
    measure: str
    cause_proba: dict
    measure_proba: dict
    flagged: bool = True
    evidence: dict = field(default_factory=dict)
    unsure: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)
