"""scikit-learn transformers over lists of `Prepared` explanations.

Module-level classes so skops can name them; `nlp.model.TRUSTED_TYPES` lists exactly these.
Kept apart from nlp/features.py so the run-time path never imports scikit-learn.
"""
from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin

from nlp.features import HAND_FEATURES, hand_matrix, region_chars, region_tokens


class RegionTokens(BaseEstimator, TransformerMixin):
    """Token unigrams+bigrams of the axis's region (cause side or measure side)."""

    def __init__(self, axis="cause"):
        self.axis = axis

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [region_tokens(p, self.axis) for p in X]


class RegionChars(BaseEstimator, TransformerMixin):
    """Character bigrams of the axis's region, digits folded to 0 (trigrams added nothing on held-out data)."""

    def __init__(self, axis="cause"):
        self.axis = axis

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [region_chars(p, self.axis) for p in X]


class HandFeatures(BaseEstimator, TransformerMixin):
    """The hand-made clause/lexicon/indicator-context features of one axis, as a dense matrix."""

    def __init__(self, axis="cause"):
        self.axis = axis

    def fit(self, X, y=None):
        self.names_ = HAND_FEATURES[self.axis]
        return self

    def transform(self, X):
        return hand_matrix(X, self.axis, self.names_)
