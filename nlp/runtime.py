"""The model at run time: the fitted Pipelines' numbers in a pickle-free .npz, scored with numpy.

Why: importing scikit-learn and skops costs ≈ 3–4 s, more than `pianchai explain`'s whole cold
start budget. `export()` copies what the fitted Pipelines learned (vocabularies, idf, scaler,
coefficients) into arrays; `RuntimeModel` reproduces `predict_proba` exactly (a test compares
them on the corpus). The .skops file stays the model of record; the .npz names its sha256.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from itertools import chain, repeat
from pathlib import Path

import numpy as np

from nlp.calibration import probabilities
from nlp.features import AXES, hand_matrix, region_chars, region_folded, region_tokens, region_unigrams

BLOCKS = ("tokens", "chars")
# below this many texts the per-document string path is faster than the batch's numpy path
# (same logits bit for bit either way)
BATCH_MIN = 6
# numpy's log of the small term counts, so the per-document path uses the very same values
_LOG = np.log(np.arange(1, 257, dtype=float)).tolist()
_LOG.insert(0, float("-inf"))
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


class _Block:
    """One tf-idf block (sublinear tf, l2 norm) with its slice of the coefficients."""

    __slots__ = ("index", "idf", "coef")

    def __init__(self, vocab, idf, coef):
        self.index = {t: i for i, t in enumerate(vocab.tolist())}
        self.idf = idf
        self.coef = coef

    def logits(self, term_lists: list[list[str]]) -> np.ndarray:
        """Σ tfidf·coef per document from the terms as strings, in plain Python floats.

        For a handful of texts (a single judge() call), where numpy's fixed cost per call would
        dominate. The arithmetic is the batch path's, operation for operation (IEEE products
        and sums in the same order, numpy's own log values, sqrt correctly rounded in both), so
        the logits are bit-identical; tests compare the two."""
        get, k = self.index.get, self.coef.shape[1]
        out = []
        for terms in term_lists:
            c = Counter(terms)
            counted = [(i, count) for i, count in zip(map(get, c), c.values()) if i is not None]
            ids = [i for i, _ in counted]
            idf, coef = self.idf[ids].tolist(), self.coef[ids].tolist()   # only this text's rows
            acc = [0.0] * k
            norm2 = 0.0
            for (_, count), w, row in zip(counted, idf, coef):
                v = (1.0 + (_LOG[count] if count < len(_LOG) else float(np.log(float(count))))) * w
                norm2 += v * v
                for j in range(k):
                    acc[j] += row[j] * v
            norm = math.sqrt(norm2)
            out.append([x / norm for x in acc] if norm > 0 else acc)
        return np.array(out, dtype=float).reshape(len(term_lists), k)

    def _scores(self, doc: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
        """The logits of `n` documents from their terms' vocabulary ids (-1: unknown), listed
        document by document in text order.

        Terms are counted with numpy rather than a Counter per document; the (document, term)
        pairs are put back in first-occurrence order, the order a Counter gives, so the sums
        are bit-for-bit those of the plain per-document loop."""
        out = np.zeros((n, self.coef.shape[1]))
        known = ids >= 0
        if not known.any():
            return out
        size = len(self.idf)
        key = doc[known] * size + ids[known]
        _, first, counts = np.unique(key, return_index=True, return_counts=True)
        # keep each pair at its first occurrence, in text order (a mask, not a second sort)
        at = np.zeros(len(key), dtype=np.intp)
        at[first] = counts
        keep = at > 0
        counts = at[keep]
        doc, ids = np.divmod(key[keep], size)
        v = (1.0 + np.log(counts.astype(float))) * self.idf[ids]
        norms = np.sqrt(np.bincount(doc, weights=v * v, minlength=n))
        contrib = self.coef[ids] * v[:, None]
        for j in range(out.shape[1]):
            out[:, j] = np.bincount(doc, weights=contrib[:, j], minlength=n)
        nz = norms > 0
        out[nz] /= norms[nz, None]
        return out


class _BatchBlock(_Block):
    """A block with lookup tables for whole-batch scoring, built on the first batch: a single
    `pianchai explain` never needs them."""

    __slots__ = ("_tables",)

    def __init__(self, vocab, idf, coef):
        super().__init__(vocab, idf, coef)
        self._tables = None

    def tables(self) -> tuple:
        if self._tables is None:
            self._tables = self.build_tables()
        return self._tables

    def build_tables(self) -> tuple:
        raise NotImplementedError


class _TokenBlock(_BatchBlock):
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
        order = np.argsort(doc, kind="stable")       # per document: tokens, then bigrams, in order
        return self._scores(doc[order], ids[order], n)


class _CharBlock(_BatchBlock):
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
    def __init__(self, data, axis):
        self.axis = axis
        self.blocks = {b: cls(data[f"{axis}/{b}/vocab"], data[f"{axis}/{b}/idf"], data[f"{axis}/{b}/coef"])
                       for b, cls in zip(BLOCKS, (_TokenBlock, _CharBlock))}
        self.hand_names = tuple(data[f"{axis}/hand/names"].tolist())
        self.hand_mean = data[f"{axis}/hand/mean"]
        self.hand_scale = data[f"{axis}/hand/scale"]
        self.hand_coef = data[f"{axis}/hand/coef"]
        self.intercept = data[f"{axis}/intercept"]
        self.classes = tuple(data[f"{axis}/classes"].tolist())
        self.temperature, self.floor = data[f"{axis}/calibration"].tolist()

    def logits(self, prepared: list) -> np.ndarray:
        axis = self.axis
        hand = hand_matrix(prepared, axis, self.hand_names)
        out = ((hand - self.hand_mean) / self.hand_scale) @ self.hand_coef + self.intercept
        if len(prepared) < BATCH_MIN:
            out += self.blocks["tokens"].logits([region_tokens(p, axis) for p in prepared])
            out += self.blocks["chars"].logits([region_chars(p, axis) for p in prepared])
        else:
            out += self.blocks["tokens"].logits_unigrams([region_unigrams(p, axis) for p in prepared])
            out += self.blocks["chars"].logits_folded([region_folded(p, axis) for p in prepared])
        return out

    def proba(self, prepared: list) -> np.ndarray:
        return probabilities(self.logits(prepared), self.temperature, self.floor)


class RuntimeModel:
    def __init__(self, path: Path):
        with np.load(path, allow_pickle=False) as data:
            self.meta = json.loads(str(data["meta"]))
            if self.meta.get("format") != FORMAT:
                raise ValueError(f"{path}: model format {self.meta.get('format')}, expected {FORMAT}")
            self.axes = {axis: _Axis(data, axis) for axis in AXES}

    def predict_proba(self, prepared: list) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
        return {axis: (m.classes, m.proba(prepared)) for axis, m in self.axes.items()}
