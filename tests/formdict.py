"""Build forms from plain dicts, for rule fixtures.

Besides the model's fields a dict may give `doubtful` (a list of field names) on an indicator,
on `funds` and on `total`, `unreadable` rows on the form, and `explanation_column: false` for a
template without a per-row 偏差原因分析 column.
"""
from __future__ import annotations

from forms.model import Form, Funds, FundsRow, Indicator, Source, Total, Unreadable


def form_from_dict(d: dict) -> Form:
    funds = dict(d.get("funds", {}))
    parts = {k: FundsRow(**v) for k, v in funds.pop("parts", {}).items()}
    funds_doubtful = frozenset(funds.pop("doubtful", ()))
    cells = {"indicator": 3, "target": 4, "actual": 5, "weight": 6, "score": 7}
    if d.get("explanation_column", True):
        cells["explanation"] = 8
    indicators = []
    for k, i in enumerate(d.get("indicators", [])):
        indicators.append(Indicator(
            level1=i.get("level1", "产出指标"), level2=i.get("level2"), indicator=i["indicator"],
            target=i.get("target", ""), actual=i.get("actual", ""), weight=i.get("weight"),
            score=i.get("score"), explanation=i.get("explanation", ""),
            source=Source("fixture.txt", 0, 10 + k, None, dict(cells)),
            extra=dict(i.get("extra", {})), doubtful=frozenset(i.get("doubtful", ())),
        ))
    total = dict(d.get("total", {}))
    total_doubtful = frozenset(total.pop("doubtful", ()))
    form = Form(project=d.get("project", "测试项目"), year=d.get("year", 2023),
                funds=Funds(**funds, parts=parts, doubtful=funds_doubtful), indicators=indicators,
                total=Total(**total, doubtful=total_doubtful), texts=d.get("texts", {}),
                source=Source("fixture.txt", 0, 1),
                unreadable=[Unreadable(**u) for u in d.get("unreadable", [])])
    form.has_weights = any(i.weight is not None for i in indicators) or not indicators
    form.has_scores = any(i.score is not None for i in indicators) or not indicators
    return form
