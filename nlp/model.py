"""The scikit-learn model: one Pipeline per axis, trained on Prepared explanations.

Each axis's Pipeline is FeatureUnion(region tokens tf-idf, region char-n-gram tf-idf, scaled
hand features) → LogisticRegression. Training is deterministic (fixed seed, sorted data).
Import cost: scikit-learn (≈ 1.5 s) — only `pianchai train` / `evaluate --sklearn` pay it; the
judge runs on the numpy export (nlp/runtime.py).
"""
from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from nlp.estimators import HandFeatures, RegionChars, RegionTokens
from nlp.features import AXES, LABELS, passthrough

SEED = 20261124
DEFAULT_C = {"cause": 5.0, "measure": 5.0}   # chosen on the held-out split (0.5–10 tried)

# Every non-sklearn name a saved model may contain: skops loads with exactly this list.
TRUSTED_TYPES = [
    "nlp.estimators.HandFeatures",
    "nlp.estimators.RegionChars",
    "nlp.estimators.RegionTokens",
    "nlp.features.passthrough",
]


def build_pipeline(axis: str, C: float | None = None) -> Pipeline:
    tfidf = dict(analyzer=passthrough, lowercase=False, sublinear_tf=True, min_df=2, norm="l2")
    features = FeatureUnion([
        ("tokens", Pipeline([("region", RegionTokens(axis)), ("tfidf", TfidfVectorizer(**tfidf))])),
        ("chars", Pipeline([("region", RegionChars(axis)), ("tfidf", TfidfVectorizer(**tfidf))])),
        ("hand", Pipeline([("select", HandFeatures(axis)), ("scale", StandardScaler())])),
    ])
    # newton-cg: the same optimum as lbfgs, ≈ 8× faster on these sparse matrices, which makes
    # leave-one-writer-out cross-validation affordable
    clf = LogisticRegression(C=C or DEFAULT_C[axis], solver="newton-cg", max_iter=1000,
                             class_weight="balanced", random_state=SEED)
    return Pipeline([("features", features), ("clf", clf)])


def fit_models(prepared, rows, C: dict | None = None) -> dict[str, Pipeline]:
    C = C or DEFAULT_C
    models = {}
    for axis in AXES:
        y = [row[axis] for row in rows]
        models[axis] = build_pipeline(axis, C[axis]).fit(prepared, y)
    return models


def check_labels(models) -> None:
    for axis, model in models.items():
        got = set(model.classes_)
        if not got <= set(LABELS):
            raise ValueError(f"{axis}: unexpected labels {sorted(got)}")
