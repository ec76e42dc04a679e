"""Build forms from plain dicts, for rule fixtures."""
from __future__ import annotations

from forms.model import Form, Funds, FundsRow, Indicator, Source, Total


def form_from_dict(d: dict) -> Form:
    funds = dict(d.get("funds", {}))
    parts = {k: FundsRow(**v) for k, v in funds.pop("parts", {}).items()}
    indicators = []
    for k, i in enumerate(d.get("indicators", [])):
        indicators.append(Indicator(
            level1=i.get("level1", "产出指标"), level2=i.get("level2"), indicator=i["indicator"],
            target=i.get("target", ""), actual=i.get("actual", ""), weight=i.get("weight"),
            score=i.get("score"), explanation=i.get("explanation", ""),
            source=Source("fixture.txt", 0, 10 + k, None,
                          {"indicator": 3, "target": 4, "actual": 5, "weight": 6, "score": 7,
                           "explanation": 8}),
        ))
    return Form(project=d.get("project", "测试项目"), year=d.get("year", 2023),
                funds=Funds(**funds, parts=parts), indicators=indicators,
                total=Total(**d.get("total", {})), texts=d.get("texts", {}),
                source=Source("fixture.txt", 0, 1))
