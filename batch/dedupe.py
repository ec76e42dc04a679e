"""Near-duplicate explanations across a batch: the same boilerplate pasted into many forms.

Texts are normalised (whitespace and punctuation dropped, digits → 0, so "完成98%" and "完成95%"
are the same template), exact repeats are counted once, and the distinct texts are compared by
MinHash over character 5-gram shingles with LSH banding (16 bands × 4 rows of a 64-value
signature): a pair becomes a candidate when one band agrees, and is joined when the signatures
estimate a Jaccard similarity ≥ `threshold`. Groups are the connected components.

Everything that grows with the batch lives on disk, in a temporary folder (next to the output
when batch.score runs it), so the main process stays flat from ten thousand to millions of
explanations: the distinct texts and their counts in SQLite (keyed by a 64-bit hash of the
normalised text), the signatures in a flat file, the band keys in sorted runs (partitions small
enough to sort in memory), the groups in SQLite again, read back in order. What stays in memory
is the union-find over the distinct texts (4 bytes each) and one partition or chunk at a time.
Disk: about 1.5 KB per distinct text while it runs; the folder is removed by close().
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import unicodedata
import weakref
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")

#: Rows buffered before they go to SQLite, and texts per signature chunk.
_FLUSH = 8192
_CHUNK = 4096
#: Memory for one run of band keys while it is sorted (bytes of records).
_PARTITION_BYTES = 16 * 2**20


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _DIGITS.sub("0", text)
    return _DROP.sub("", text)


def _key(norm: str) -> int:
    """A 63-bit hash of the normalised text (SQLite integers are signed 64-bit). Two distinct
    texts share one with probability ~n²/2⁶⁴: 5·10⁻⁸ at a million."""
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "little") >> 1


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


# Per distinct text: how often it was pasted, into how many forms and files. Rows arrive file by
# file, form by form, so "distinct" is counted as "differs from the last one seen": the counts
# need only the last (file, form), not the set. SET expressions read the row's old values.
_UPSERT = """
INSERT INTO text (key, example, occurrences, forms, files, last_file, last_form, samples, nsamples)
VALUES (?, ?, 1, 1, 1, ?, ?, ?, 1)
ON CONFLICT (key) DO UPDATE SET
    occurrences = occurrences + 1,
    forms = forms + (last_file IS NOT excluded.last_file OR last_form IS NOT excluded.last_form),
    files = files + (last_file IS NOT excluded.last_file),
    samples = CASE WHEN last_file IS NOT excluded.last_file AND nsamples < 5
                   THEN samples || char(10) || excluded.last_file ELSE samples END,
    nsamples = nsamples + (last_file IS NOT excluded.last_file AND nsamples < 5),
    last_file = excluded.last_file,
    last_form = excluded.last_form
"""


class Deduper:
    """Feed explanations with `add(text, file, form)`; read `groups()` (or `rows()`) at the end,
    then `close()` (or use it as a context manager) to remove its folder."""

    def __init__(self, *, shingle: int = 5, num_perm: int = 64, bands: int = 16,
                 threshold: float = 0.7, min_chars: int = 15, seed: int = 20261,
                 folder: str | os.PathLike | None = None):
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
        self.dir = tempfile.mkdtemp(prefix=".pianchai-dedupe-", dir=folder)
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.dir, True)
        self._db = sqlite3.connect(os.path.join(self.dir, "texts.sqlite"))
        self._db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;
            PRAGMA cache_size = -8192;
            CREATE TABLE text (id INTEGER PRIMARY KEY, key INTEGER NOT NULL UNIQUE, example TEXT,
                               occurrences INTEGER, forms INTEGER, files INTEGER,
                               last_file TEXT, last_form INTEGER, samples TEXT, nsamples INTEGER);
        """)
        self._buffer: list[tuple] = []

    # ---- feeding ------------------------------------------------------------------------
    def add(self, text: str, file: str, form: int | None = 0) -> None:
        norm = normalise(text)
        if len(norm) < self.min_chars:
            return
        self._buffer.append((_key(norm), text.strip(), file, form or 0, file))
        if len(self._buffer) >= _FLUSH:
            self._flush()

    def observe(self, table: str, row: dict) -> None:
        """An observer for batch.sink: takes the explanations of indicator rows."""
        if table == "indicators" and row.get("explanation"):
            self.add(row["explanation"], row.get("file") or "", row.get("form"))

    def _flush(self) -> None:
        if self._buffer:
            self._db.executemany(_UPSERT, self._buffer)
            self._buffer = []

    # ---- similarity ---------------------------------------------------------------------
    def _signatures(self, texts: list[str], chunk: int = 1024) -> np.ndarray:
        """MinHash signatures (values < 2³²), computed a chunk of texts at a time over their
        concatenation: shingle hashes by a rolling polynomial, windows that cross a text boundary
        dropped, then one multiply-shift hash per permutation and a segmented minimum
        (np.minimum.reduceat). Repeated shingles need no removal: a minimum over a multiset is
        the minimum of its set."""
        n, k = len(texts), self.shingle
        sigs = np.empty((n, self.num_perm), dtype=np.uint32)
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

    def groups(self, min_occurrences: int = 3, min_forms: int = 2) -> "Groups":
        """Groups pasted at least `min_occurrences` times into at least `min_forms` forms,
        most pasted first: a sequence read from disk as it is used."""
        self._flush()
        self._db.execute("DROP TABLE IF EXISTS grp")
        self._db.execute("CREATE TABLE grp (occurrences INTEGER, forms INTEGER, files INTEGER, "
                         "variants INTEGER, example TEXT, samples TEXT)")
        n = self._db.execute("SELECT count(*) FROM text").fetchone()[0]
        if n:
            parent = self._components(n)
            self._write_groups(parent, min_occurrences, min_forms)
        self._db.execute("CREATE INDEX grp_order ON grp (occurrences DESC, forms DESC, example)")
        self._db.commit()
        return Groups(self._db)

    def rows(self, **kw) -> "GroupRows":
        """The duplicates table: groups() as numbered rows."""
        return GroupRows(self.groups(**kw))

    def _components(self, n: int) -> np.ndarray:
        """The union-find parent of each text id (1..n; 0 unused), near-duplicates joined.

        Buckets are visited as the in-memory version did, band by band in ascending key order
        with their texts in id order (the joins depend on it): the band keys go to one run per
        band and key range, each small enough to sort in memory."""
        sig_path = os.path.join(self.dir, "signatures.u32")
        rows = self.num_perm // self.bands
        mults = np.random.default_rng(1).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)
        ranges = 1
        while n * 16 > ranges * _PARTITION_BYTES:          # (key, id) records of one band
            ranges *= 2
        shift = np.uint64(65 - ranges.bit_length())         # the key's top bits choose its range
        runs = [[open(os.path.join(self.dir, f"band-{b}-{r}.i64"), "wb") for r in range(ranges)]
                for b in range(self.bands)]
        try:
            with open(sig_path, "wb") as sig_out:
                cur = self._db.execute("SELECT id, example FROM text ORDER BY id")
                while True:
                    batch = cur.fetchmany(_CHUNK)
                    if not batch:
                        break
                    ids = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
                    sigs = self._signatures([normalise(r[1]) for r in batch])
                    sig_out.write(sigs.tobytes())
                    wide = sigs.astype(np.uint64).reshape(len(ids), self.bands, rows)
                    with np.errstate(over="ignore"):
                        keys = (wide * mults).sum(axis=2)              # (texts, bands)
                    for b in range(self.bands):
                        records = np.column_stack((keys[:, b].view(np.int64), ids))
                        if ranges == 1:
                            runs[b][0].write(records.tobytes())
                            continue
                        which = (keys[:, b] >> shift).astype(np.intp)
                        for r in np.unique(which).tolist():
                            runs[b][r].write(records[which == r].tobytes())
        finally:
            for band in runs:
                for fh in band:
                    fh.close()
        parent = np.arange(n + 1, dtype=np.int32)
        with open(sig_path, "rb") as sigs_in:
            for b in range(self.bands):
                for r in range(ranges):
                    path = os.path.join(self.dir, f"band-{b}-{r}.i64")
                    records = np.fromfile(path, dtype=np.int64).reshape(-1, 2)
                    os.unlink(path)
                    self._join_buckets(records, parent, sigs_in)
        os.unlink(sig_path)
        return parent

    def _join_buckets(self, records: np.ndarray, parent: np.ndarray, sigs_in) -> None:
        """Join the texts of each bucket (same band key) whose signatures agree. Records are
        (key, id) in id order; buckets are taken in ascending (unsigned) key order."""
        keys = records[:, 0].view(np.uint64)
        order = np.argsort(keys, kind="stable")
        keys, ids_all = keys[order], records[order, 1]
        bounds = np.concatenate(([0], np.flatnonzero(np.diff(keys)) + 1, [len(keys)]))
        sizes = np.diff(bounds)
        par = memoryview(parent)             # element access from Python without numpy scalars
        width = self.num_perm * 4

        def find(x: int) -> int:
            while par[x] != x:
                par[x] = par[par[x]]
                x = par[x]
            return x

        def sig(i: int) -> np.ndarray:
            sigs_in.seek((i - 1) * width)
            return np.frombuffer(sigs_in.read(width), dtype=np.uint32)

        # a pair is joined when the share of equal signature values reaches the threshold: as a
        # count, the least c with c / num_perm >= threshold
        need = next(c for c in range(self.num_perm + 1) if c / self.num_perm >= self.threshold)
        multi = sizes >= 2                      # most buckets hold one text: no Python work
        for s0, size in zip(bounds[:-1][multi].tolist(), sizes[multi].tolist()):
            reps: list[int] = []
            rep_sigs = np.empty((8, self.num_perm), dtype=np.uint32)
            for i in ids_all[s0:s0 + size].tolist():
                agree = None
                for k, m in enumerate(reps):     # a few representatives keep this linear
                    if find(m) == find(i):
                        break
                    if agree is None:            # i against every representative at once
                        mine = sig(i)
                        agree = np.count_nonzero(rep_sigs[:len(reps)] == mine, axis=1).tolist()
                    if agree[k] >= need:
                        par[find(i)] = find(m)
                        break
                else:
                    if len(reps) < 8:
                        rep_sigs[len(reps)] = sig(i) if agree is None else mine
                        reps.append(i)

    def _write_groups(self, parent: np.ndarray, min_occurrences: int, min_forms: int) -> None:
        roots = parent.copy()
        while True:                             # pointer jumping: every id to its root
            nxt = roots[roots]
            if np.array_equal(nxt, roots):
                break
            roots = nxt
        size = np.bincount(roots, minlength=len(roots))
        joined = np.flatnonzero(size[roots] > 1)
        joined = joined[joined > 0]
        db = self._db
        db.execute("CREATE TABLE comp (id INTEGER PRIMARY KEY, root INTEGER)")
        for lo in range(0, len(joined), _FLUSH):
            part = joined[lo:lo + _FLUSH]
            db.executemany("INSERT INTO comp VALUES (?, ?)", zip(part.tolist(), roots[part].tolist()))
        # texts on their own: a group when pasted often enough by themselves
        db.execute("INSERT INTO grp SELECT occurrences, forms, files, 1, example, samples FROM text "
                   "WHERE occurrences >= ? AND forms >= ? AND id NOT IN (SELECT id FROM comp)",
                   (min_occurrences, min_forms))
        cur = db.execute("SELECT comp.root, occurrences, forms, files, example, samples "
                         "FROM comp JOIN text USING (id) ORDER BY comp.root, text.id")
        out: list[tuple] = []
        group = None
        for root, occ, forms, files, example, samples in cur:
            if group is None or group[0] != root:
                if group is not None:
                    out.append(_finish(group))
                group = [root, 0, 0, 0, 0, example, -1, []]
            group[1] += occ
            group[2] += forms
            group[3] += files
            group[4] += 1
            if occ > group[6]:                  # the most pasted variant, the first one on a tie
                group[5], group[6] = example, occ
            for f in samples.split("\n"):
                if len(group[7]) < 5 and f not in group[7]:
                    group[7].append(f)
            if len(out) >= _FLUSH:
                self._insert_groups(out, min_occurrences, min_forms)
        if group is not None:
            out.append(_finish(group))
        self._insert_groups(out, min_occurrences, min_forms)
        db.execute("DROP TABLE comp")

    def _insert_groups(self, out: list[tuple], min_occurrences: int, min_forms: int) -> None:
        self._db.executemany("INSERT INTO grp VALUES (?, ?, ?, ?, ?, ?)",
                             [g for g in out if g[0] >= min_occurrences and g[1] >= min_forms])
        out.clear()

    # ---- the folder ---------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()
        self._cleanup()

    def __enter__(self) -> "Deduper":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _finish(group: list) -> tuple:
    _, occ, forms, files, variants, example, _, samples = group
    return occ, forms, files, variants, example, "\n".join(samples)


class Groups(Sequence):
    """The groups, most pasted first, read from the Deduper's database as they are used (valid
    until the Deduper is closed)."""

    _SELECT = ("SELECT occurrences, forms, files, variants, example, samples FROM grp "
               "ORDER BY occurrences DESC, forms DESC, example")

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self._len = db.execute("SELECT count(*) FROM grp").fetchone()[0]

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._len)
            if step != 1:
                return list(self)[index]
            return list(self._read(start, max(0, stop - start)))
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        return next(self._read(index, 1))

    def __iter__(self):
        return self._read(0, self._len)

    def _read(self, start: int, count: int):
        cur = self._db.execute(self._SELECT + " LIMIT ? OFFSET ?", (count, start))
        for occ, forms, files, variants, example, samples in cur:
            yield Group(occ, forms, files, variants, example, samples.split("\n") if samples else [])


class GroupRows(Sequence):
    """groups as rows of the duplicates table, numbered from 1."""

    def __init__(self, groups: Groups):
        self._groups = groups

    def __len__(self) -> int:
        return len(self._groups)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start = index.indices(len(self))[0]
            return [g.to_row(start + k + 1) for k, g in enumerate(self._groups[index])]
        if index < 0:
            index += len(self)
        return self._groups[index].to_row(index + 1)

    def __iter__(self):
        return (g.to_row(k + 1) for k, g in enumerate(self._groups))
