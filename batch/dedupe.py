"""Near-duplicate explanations across a batch: the same boilerplate pasted into many forms.

Texts are normalised (whitespace and punctuation dropped, digits → 0, so "完成98%" and "完成95%"
are the same template), exact repeats are counted once, and the distinct texts are compared by
MinHash over character 5-gram shingles with LSH banding (16 bands × 4 rows of a 64-value
signature): a pair becomes a candidate when one band agrees, and is joined when the signatures
estimate a Jaccard similarity ≥ `threshold`. Groups are the connected components.

Pure numpy; about 30 µs per distinct text, so 100,000 explanations take a few seconds and some tens
of MB (a signature of 64 uint64 per distinct text, plus the distinct texts themselves).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _DIGITS.sub("0", text)
    return _DROP.sub("", text)


@dataclass
class Group:
    occurrences: int          # explanations in the group (every paste counts)
    forms: int                # distinct (file, form) per variant, summed over variants
    files: int                # distinct files, likewise
    variants: int             # distinct normalised texts
    example: str              # the most pasted original text
    sample_files: list[str]

    def to_row(self, group: int) -> dict:
        return {"group": group, "occurrences": self.occurrences, "forms": self.forms,
                "files": self.files, "variants": self.variants, "example": self.example,
                "sample_files": "|".join(self.sample_files)}


class Deduper:
    """Feed explanations with `add(text, file, form)`; read `groups()` at the end."""

    def __init__(self, *, shingle: int = 5, num_perm: int = 64, bands: int = 16,
                 threshold: float = 0.7, min_chars: int = 15, seed: int = 20261):
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        self.shingle = shingle
        self.num_perm = num_perm
        self.bands = bands
        self.threshold = threshold
        self.min_chars = max(min_chars, shingle)   # every text has at least one shingle
        rng = np.random.default_rng(seed)
        self._a = (rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1))[:, None]
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)[:, None]
        self._index: dict[str, int] = {}       # normalised text → id
        self._example: list[str] = []          # first original text of each id
        # per id: [occurrences, distinct forms, distinct files, last (file, form), sample files]
        # Rows arrive file by file, form by form, so "distinct" is counted as "differs from the
        # last one seen": memory grows with distinct texts, not with the batch.
        self._stats: list[list] = []

    def add(self, text: str, file: str, form: int | None = 0) -> None:
        norm = normalise(text)
        if len(norm) < self.min_chars:
            return
        i = self._index.get(norm)
        if i is None:
            i = self._index[norm] = len(self._example)
            self._example.append(text.strip())
            self._stats.append([0, 0, 0, None, []])
        st = self._stats[i]
        st[0] += 1
        where = (file, form or 0)
        last = st[3]
        if last != where:
            st[1] += 1
            if last is None or last[0] != file:
                st[2] += 1
                if len(st[4]) < 5:
                    st[4].append(file)
            st[3] = where

    def observe(self, table: str, row: dict) -> None:
        """An observer for batch.sink: takes the explanations of indicator rows."""
        if table == "indicators" and row.get("explanation"):
            self.add(row["explanation"], row.get("file") or "", row.get("form"))

    # ---- similarity ---------------------------------------------------------------------
    def _signatures(self, texts: list[str], chunk: int = 1024) -> np.ndarray:
        """MinHash signatures, computed a chunk of texts at a time over their concatenation:
        shingle hashes by a rolling polynomial, windows that cross a text boundary dropped, then
        one multiply-shift hash per permutation and a segmented minimum (np.minimum.reduceat).
        Repeated shingles need no removal: a minimum over a multiset is the minimum of its set."""
        n, k = len(texts), self.shingle
        sigs = np.empty((n, self.num_perm), dtype=np.uint64)
        prime = np.uint64(1_000_003)
        for lo in range(0, n, chunk):
            part = [t[:2000] for t in texts[lo:lo + chunk]]   # a long text's head is enough
            lengths = np.fromiter((len(t) for t in part), dtype=np.int64, count=len(part))
            codes = np.frombuffer("".join(part).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            w = len(codes) - k + 1
            h = np.zeros(w, dtype=np.uint64)
            with np.errstate(over="ignore"):
                for j in range(k):
                    h = h * prime + codes[j:j + w]
                # window i is inside its text when i + k <= end of the text starting before it
                owner = np.repeat(np.arange(len(part)), lengths)[:w]
                ends = (starts + lengths)[owner]
                keep = np.arange(w) + k <= ends
                h, owner = h[keep], owner[keep]
                first = np.searchsorted(owner, np.arange(len(part)))
                hashed = (self._a * h[None, :] + self._b) >> np.uint64(32)
            sigs[lo:lo + len(part)] = np.minimum.reduceat(hashed, first, axis=1).T
        return sigs

    def groups(self, min_occurrences: int = 3, min_forms: int = 2) -> list[Group]:
        """Groups pasted at least `min_occurrences` times into at least `min_forms` forms,
        most pasted first."""
        n = len(self._example)
        if n == 0:
            return []
        parent = list(range(n))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        sigs = self._signatures(list(self._index))       # id order
        rows = self.num_perm // self.bands
        mults = np.random.default_rng(1).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
        for b in range(self.bands):
            with np.errstate(over="ignore"):
                keys = (sigs[:, b * rows:(b + 1) * rows] * mults).sum(axis=1)
            order = np.argsort(keys, kind="stable")
            sk = keys[order]
            cut = np.flatnonzero(np.diff(sk)) + 1
            bounds = np.concatenate(([0], cut, [n]))
            for s0, s1 in zip(bounds[:-1], bounds[1:]):
                if s1 - s0 < 2:
                    continue                       # most buckets hold one text: no Python work
                reps: list[int] = []
                for i in order[s0:s1].tolist():
                    for m in reps:                 # a few representatives keep this linear
                        if find(m) == find(i):
                            break
                        if float((sigs[m] == sigs[i]).mean()) >= self.threshold:
                            parent[find(i)] = find(m)
                            break
                    else:
                        if len(reps) < 8:
                            reps.append(i)
        comps: dict[int, list[int]] = {}
        for i in range(n):
            comps.setdefault(find(i), []).append(i)
        out: list[Group] = []
        for ids in comps.values():
            stats = [self._stats[i] for i in ids]
            occurrences = sum(st[0] for st in stats)
            forms = sum(st[1] for st in stats)
            if occurrences < min_occurrences or forms < min_forms:
                continue
            files = sum(st[2] for st in stats)
            sample = list(dict.fromkeys(f for st in stats for f in st[4]))[:5]
            top = max(ids, key=lambda i: self._stats[i][0])
            out.append(Group(occurrences, forms, files, len(ids), self._example[top], sample))
        out.sort(key=lambda g: (-g.occurrences, -g.forms, g.example))
        return out

    def rows(self, **kw) -> list[dict]:
        return [g.to_row(k + 1) for k, g in enumerate(self.groups(**kw))]
