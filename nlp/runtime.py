"""The model at run time: the fitted Pipelines' numbers in a pickle-free .npz, scored with numpy.

Why: importing scikit-learn and skops costs ≈ 3–4 s, more than `pianchai explain`'s whole cold
start budget. `export()` copies what the fitted Pipelines learned (vocabularies, idf, scaler,
coefficients) into arrays; `RuntimeModel` reproduces `predict_proba` exactly (a test compares
them on the corpus). The .skops file stays the model of record; the .npz names its sha256.
"""
from __future__ import annotations

import json
import math
from functools import reduce
from itertools import chain, repeat
from operator import add, mul
from pathlib import Path

import numpy as np

from nlp.calibration import probabilities
from nlp.features import (AXES, HAND_FEATURES, LOG_CAP, LOG_FEATURES, hand_matrix, region_chars, region_folded,
                          region_tokens, region_unigrams)

BLOCKS = ("tokens", "chars")
# below this many texts the few-text path (terms as strings, hand features and calibration in
# Python floats) is faster than the batch's numpy path
BATCH_MIN = 6
FORMAT = 2      # 2: calibration (temperature, floor) per axis


def export(models: dict, calibration: dict, path: Path, meta: dict) -> None:
    arrays = {}
    for axis in AXES:
        arrays[f"{axis}/calibration"] = np.array(calibration[axis], dtype=float)
        pipe = models[axis]
        union = pipe.named_steps["features"]
        clf = pipe.named_steps["clf"]
        coef = clf.coef_
        if coef.shape[0] == 1:              # binary LR: expand to two columns
            coef = np.vstack([-coef[0], coef[0]]) / 2
            intercept = np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2
        else:
            intercept = clf.intercept_
        col = 0
        for name, sub in union.transformer_list:
            if name in BLOCKS:
                vec = sub.named_steps["tfidf"]
                vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
                n = len(vocab)
                arrays[f"{axis}/{name}/vocab"] = np.array(vocab, dtype=str)
                arrays[f"{axis}/{name}/idf"] = vec.idf_
            else:
                scaler = sub.named_steps["scale"]
                n = len(scaler.mean_)
                arrays[f"{axis}/hand/mean"] = scaler.mean_
                arrays[f"{axis}/hand/scale"] = scaler.scale_
                arrays[f"{axis}/hand/names"] = np.array(sub.named_steps["select"].names_, dtype=str)
            arrays[f"{axis}/{name}/coef"] = np.ascontiguousarray(coef[:, col:col + n].T)
            col += n
        if col != coef.shape[1]:
            raise ValueError(f"{axis}: exported {col} of {coef.shape[1]} coefficients")
        arrays[f"{axis}/intercept"] = intercept
        arrays[f"{axis}/classes"] = np.array(list(clf.classes_), dtype=str)
    meta = dict(meta, format=FORMAT)
    arrays["meta"] = np.array(json.dumps(meta, ensure_ascii=False))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


class _Terms:
    """Every tf-idf block's terms in one id space (each block's ids from its offset on, in its
    own order): the idf and each class's coefficients, one contiguous array per class
    (gathering from a column is a plain take, far cheaper than gathering rows of a matrix).
    One space lets a few texts be scored for all four blocks in one pass."""

    def __init__(self, parts: list[tuple[np.ndarray, np.ndarray]]):
        """`parts`: (idf, coef as terms × classes) of each block, in offset order."""
        if len({coef.shape[1] for _, coef in parts}) != 1:
            raise ValueError("the axes have different numbers of classes")
        self.idf = np.concatenate([idf for idf, _ in parts])
        self.columns = tuple(np.ascontiguousarray(c) for c in np.concatenate([c for _, c in parts]).T)
        self.size = len(self.idf)

    def scores(self, key: np.ndarray, n: int) -> np.ndarray:
        """Σ tfidf·coef (sublinear tf, l2 norm) of `n` documents from keys document × size + term
        id, one per term occurrence, in any order.

        Terms are counted with one sort rather than a Counter per document; each document's
        distinct terms are summed in id order (bincount adds in input order), so a document's
        sums do not depend on the other documents of the call or on the path that scores it."""
        out = np.zeros((n, len(self.columns)))
        if not len(key):
            return out
        key = np.sort(key)
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        counts = np.diff(np.append(starts, len(key)))
        doc, ids = np.divmod(key[starts], self.size)
        v = (1.0 + np.log(counts.astype(float))) * self.idf[ids]
        norms = np.sqrt(np.bincount(doc, weights=v * v, minlength=n))
        for j, column in enumerate(self.columns):
            out[:, j] = np.bincount(doc, weights=column[ids] * v, minlength=n)
        return np.divide(out, norms[:, None], out=out, where=norms[:, None] > 0)


class _Block:
    """One tf-idf block: its vocabulary as ids in the shared space, and lookup tables for
    whole-batch scoring, built on the first batch (a single `pianchai explain` never needs them)."""

    __slots__ = ("index", "terms", "_tables")

    def __init__(self, vocab, terms: _Terms, offset: int):
        self.index = {t: i for i, t in enumerate(vocab.tolist(), offset)}
        self.terms = terms
        self._tables = None

    def keys(self, term_lists: list[list[str]]) -> list[int]:
        """Scoring keys (document × size + id) of each document's known terms as strings."""
        get, size = self.index.get, self.terms.size
        out = []
        for d, terms in enumerate(term_lists):
            base = d * size
            out.extend([base + i for i in map(get, terms) if i is not None])
        return out

    def logits(self, term_lists: list[list[str]]) -> np.ndarray:
        """The block's logits from each document's terms as strings (region_tokens, region_chars):
        what the batch lookups below must read the same."""
        return self.terms.scores(np.array(self.keys(term_lists), dtype=np.int64), len(term_lists))

    def _scores(self, doc: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
        known = ids >= 0
        return self.terms.scores(doc[known] * self.terms.size + ids[known], n)

    def tables(self) -> tuple:
        if self._tables is None:
            self._tables = self.build_tables()
        return self._tables

    def build_tables(self) -> tuple:
        raise NotImplementedError


class _TokenBlock(_Block):
    """The token block, its bigrams looked up as pairs of token codes.

    Same terms as region_tokens() (the tokens, then "a_b" for each adjacent pair, "<none>" for
    an empty region) without building the "a_b" strings: every vocabulary term and every side
    of a vocabulary bigram gets a code, and a bigram is the pair of its sides' codes (split at
    each "_", so a token that itself contains "_" is read exactly as the string would be)."""

    def build_tables(self) -> tuple:
        """(code of each token, vocabulary id of each code, sorted bigram keys, their ids)."""
        code = {t: c for c, t in enumerate(self.index)}       # every term is its own code
        pairs = []
        for term, i in self.index.items():
            for k in (k for k, ch in enumerate(term) if ch == "_"):
                a, b = code.setdefault(term[:k], len(code)), code.setdefault(term[k + 1:], len(code))
                pairs.append((a * (1 << 31) + b, i))
        pairs.sort()
        return (code, np.array([self.index.get(t, -1) for t in code], dtype=np.intp),
                np.array([k for k, _ in pairs], dtype=np.int64),
                np.array([i for _, i in pairs], dtype=np.intp))

    def logits_unigrams(self, token_lists: list[list[str]]) -> np.ndarray:
        """Like logits([region_tokens…]) from the regions' token lists (region_unigrams)."""
        code, code_ids, pair_keys, pair_ids = self.tables()
        n = len(token_lists)
        lens = np.fromiter(map(len, token_lists), dtype=np.intp, count=n)
        codes = np.fromiter(map(code.get, chain.from_iterable(token_lists), repeat(-1)),
                            dtype=np.int64, count=int(lens.sum()))
        doc = np.repeat(np.arange(n), lens)
        uni = np.where(codes >= 0, code_ids[codes], -1)
        # bigrams: adjacent tokens of one document, both with a code
        same = doc[:-1] == doc[1:]
        left, right, bdoc = codes[:-1][same], codes[1:][same], doc[:-1][same]
        keys = left * (1 << 31) + right
        big = np.full(len(keys), -1, dtype=np.intp)
        if len(pair_keys):
            pos = np.minimum(np.searchsorted(pair_keys, keys), len(pair_keys) - 1)
            hit = (left >= 0) & (right >= 0) & (pair_keys[pos] == keys)
            big[hit] = pair_ids[pos[hit]]
        empty = np.flatnonzero(lens == 0)            # "<none>": the only term of its document
        doc = np.concatenate([doc, bdoc, empty])
        ids = np.concatenate([uni, big, np.full(len(empty), self.index.get("<none>", -1), dtype=np.intp)])
        return self._scores(doc, ids, n)


class _CharBlock(_Block):
    """The character-bigram block, looked up as code-point pairs.

    Same terms as region_chars() (bigrams of the digit-folded region, "<none>" for an empty one),
    but read from the batch's code points with numpy: building ≈ 25 two-character strings per
    text and hashing them cost more than the rest of the model."""

    def build_tables(self) -> tuple:
        """(sorted code-point pair keys of the vocabulary's bigrams, their ids)."""
        pairs = sorted((ord(t[0]) << 21 | ord(t[1]), i) for t, i in self.index.items() if len(t) == 2)
        return (np.array([k for k, _ in pairs], dtype=np.int64),
                np.array([i for _, i in pairs], dtype=np.intp))

    def logits_folded(self, texts: list[str]) -> np.ndarray:
        """Like logits([region_chars…]) from the regions' digit-folded texts (region_folded)."""
        n = len(texts)
        lens = np.fromiter(map(len, texts), dtype=np.intp, count=n)
        # code points (< 2**21) of the whole batch; surrogatepass: a lone surrogate is its own code
        codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        codes = codes.astype(np.int64)
        keys = (codes[:-1] << 21) | codes[1:]
        doc = np.repeat(np.arange(n), lens)[:-1]
        inside = np.ones(len(keys), dtype=bool)      # a pair ending past its document is no bigram
        ends = np.cumsum(lens)[lens > 0] - 1
        inside[ends[ends < len(keys)]] = False
        keys, doc = keys[inside], doc[inside]
        pair_keys, pair_ids = self.tables()
        pos = np.minimum(np.searchsorted(pair_keys, keys), len(pair_keys) - 1)
        ids = np.where(pair_keys[pos] == keys, pair_ids[pos], -1)
        empty = np.flatnonzero(lens == 0)            # "<none>": the only term of its document
        if len(empty):
            doc = np.concatenate([doc, empty])
            ids = np.concatenate([ids, np.full(len(empty), self.index.get("<none>", -1), dtype=np.intp)])
        return self._scores(doc, ids, n)


class _Axis:
    def __init__(self, data, axis, terms: _Terms, offsets: dict):
        self.axis = axis
        self.blocks = {b: cls(data[f"{axis}/{b}/vocab"], terms, offsets[axis, b])
                       for b, cls in zip(BLOCKS, (_TokenBlock, _CharBlock))}
        self.hand_names = tuple(data[f"{axis}/hand/names"].tolist())
        self.hand_mean = data[f"{axis}/hand/mean"]
        self.hand_scale = data[f"{axis}/hand/scale"]
        self.hand_coef = data[f"{axis}/hand/coef"]
        self.intercept = data[f"{axis}/intercept"]
        self.classes = tuple(data[f"{axis}/classes"].tolist())
        self.temperature, self.floor = data[f"{axis}/calibration"].tolist()
        # the hand-feature step in Python floats, for few_proba: (column in the Prepared's
        # tuple, log-transformed, mean, scale) per feature, and each class's coefficients
        order = HAND_FEATURES[axis]
        self.python_hand = [(order.index(n), n in LOG_FEATURES, mean, scale) for n, mean, scale in zip(
            self.hand_names, self.hand_mean.tolist(), self.hand_scale.tolist())]
        self.python_hand_coef = self.hand_coef.T.tolist()
        self.python_intercept = self.intercept.tolist()

    def logits(self, prepared: list) -> np.ndarray:
        """The batch's logits with numpy, one pass per block over the whole batch."""
        axis = self.axis
        hand = hand_matrix(prepared, axis, self.hand_names)
        out = ((hand - self.hand_mean) / self.hand_scale) @ self.hand_coef + self.intercept
        out += self.blocks["tokens"].logits_unigrams([region_unigrams(p, axis) for p in prepared])
        out += self.blocks["chars"].logits_folded([region_folded(p, axis) for p in prepared])
        return out

    def proba(self, prepared: list) -> np.ndarray:
        return probabilities(self.logits(prepared), self.temperature, self.floor)

    def few_proba(self, prepared: list, tokens: list, chars: list) -> list[list[float]]:
        """The probabilities of a few texts in Python floats, given their blocks' logits. Equal
        to the batch path's to ≈ 1e-16: the hand features' dot product and exp may round their
        last bit differently (tests compare)."""
        axis, hand, intercept = self.axis, self.python_hand, self.python_intercept
        t, floor = self.temperature, self.floor
        out = []
        for p, tok, ch in zip(prepared, tokens, chars):
            values = p.hand[axis]
            x = [((math.log1p(min(values[i], LOG_CAP)) if log else values[i]) - mean) / scale
                 for i, log, mean, scale in hand]
            z = [reduce(add, map(mul, x, col), 0.0) for col in self.python_hand_coef]
            z = [(a + b + c + d) / t for a, b, c, d in zip(z, intercept, tok, ch)]
            top = max(z)
            e = [math.exp(x - top) for x in z]
            total = reduce(add, e)
            out.append([(1.0 - floor) * (x / total) + floor / len(e) for x in e])
        return out


class RuntimeModel:
    def __init__(self, path: Path):
        with np.load(path, allow_pickle=False) as data:
            self.meta = json.loads(str(data["meta"]))
            if self.meta.get("format") != FORMAT:
                raise ValueError(f"{path}: model format {self.meta.get('format')}, expected {FORMAT}")
            parts, offsets, offset = [], {}, 0
            for axis in AXES:
                for b in BLOCKS:
                    idf = data[f"{axis}/{b}/idf"]
                    parts.append((idf, data[f"{axis}/{b}/coef"]))
                    offsets[axis, b] = offset
                    offset += len(idf)
            self.terms = _Terms(parts)
            self.axes = {axis: _Axis(data, axis, self.terms, offsets) for axis in AXES}

    def predict_proba(self, prepared: list) -> dict[str, tuple[tuple[str, ...], np.ndarray | list]]:
        """Each axis's classes and calibrated probabilities: an array for a batch, lists of floats
        for fewer than BATCH_MIN texts (numpy's fixed cost per call is most of a single text's
        time; the judge reads both)."""
        if len(prepared) >= BATCH_MIN:
            return {axis: (m.classes, m.proba(prepared)) for axis, m in self.axes.items()}
        logits = self.few_logits(prepared)
        return {axis: (m.classes, m.few_proba(prepared, logits[axis, "tokens"], logits[axis, "chars"]))
                for axis, m in self.axes.items()}

    def few_logits(self, prepared: list) -> dict[tuple[str, str], list[list[float]]]:
        """The tf-idf blocks' logits of a few texts per (axis, block), from their terms as
        strings (region_tokens, region_chars), all four blocks in one scoring pass: document
        g·n + d is text d in block g."""
        n = len(prepared)
        groups = [(axis, b) for axis in AXES for b in BLOCKS]
        keys = []
        for g, (axis, b) in enumerate(groups):
            region = region_tokens if b == "tokens" else region_chars
            block_keys = self.axes[axis].blocks[b].keys([region(p, axis) for p in prepared])
            shift = g * n * self.terms.size
            keys.extend([k + shift for k in block_keys] if shift else block_keys)
        z = self.terms.scores(np.array(keys, dtype=np.int64), len(groups) * n).tolist()
        return {group: z[g * n:(g + 1) * n] for g, group in enumerate(groups)}
