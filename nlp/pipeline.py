"""Segmentation: the spaCy zh pipeline (jieba segmenter + domain dictionary) and a fast shim.

`make_nlp()` builds `spacy.blank("zh")` with the jieba segmenter, loads corpus/userdict.txt once
and swaps spaCy's segmenter for `RJiebaSegmenter`, which gives the same tokens ≈ 30× faster.
The classifier's hot path calls `segment()` (rjieba directly) so that `pianchai explain` does not
pay spaCy's ≈ 1 s import; `make_nlp()` is for callers that want spaCy Docs.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

USERDICT = Path(__file__).resolve().parent.parent / "corpus" / "userdict.txt"

_lock = threading.Lock()
_jieba_loaded = False
_rjieba_loaded = False


def read_userdict(path: Path = USERDICT) -> list[tuple[str, int, str]]:
    """(word, freq, tag) triples; lines starting with # are comments."""
    words = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) not in (2, 3) or not parts[1].isdigit():
            raise ValueError(f"{path}:{lineno}: expected 'word freq [tag]'")
        words.append((parts[0], int(parts[1]), parts[2] if len(parts) == 3 else ""))
    return words


def _rjieba():
    """The rjieba module with the domain dictionary added (once per process)."""
    global _rjieba_loaded
    import rjieba
    if not _rjieba_loaded:
        with _lock:
            if not _rjieba_loaded:
                for word, freq, tag in read_userdict():
                    rjieba.add_word(word, freq, tag or None)
                _rjieba_loaded = True
    return rjieba


def jieba_module():
    """The global jieba module, silenced, with the domain dictionary added (once per process)."""
    global _jieba_loaded
    import jieba
    if not _jieba_loaded:
        with _lock:
            if not _jieba_loaded:
                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                for word, freq, tag in read_userdict():
                    jieba.add_word(word, freq, tag or None)
                _jieba_loaded = True
    return jieba


class RJiebaSegmenter:
    """Stands in for the jieba module inside spaCy's ChineseTokenizer (`cut(text, cut_all=False)`)."""

    def __init__(self):
        self._rj = _rjieba()

    def cut(self, text: str, cut_all: bool = False, HMM: bool = True):  # noqa: N803 - jieba's name
        if cut_all:
            return iter(self._rj.cut_all(text))
        return iter(self._rj.cut(text, HMM))

    def lcut(self, text: str, cut_all: bool = False, HMM: bool = True):  # noqa: N803
        return list(self.cut(text, cut_all, HMM))


def segment(text: str) -> list[str]:
    """jieba-identical tokens of `text` (rjieba with the domain dictionary), whitespace dropped."""
    return [t for t in _rjieba().cut(text, True) if not t.isspace()]


def segment_raw(text: str) -> list[str]:
    """All tokens of `text`, whitespace included, so offsets can be recovered by summing lengths."""
    return _rjieba().cut(text, True)


@lru_cache(maxsize=1)
def make_nlp():
    """spaCy zh pipeline: jieba segmenter, domain dictionary, rjieba shim. Built once per process."""
    import spacy

    jieba_module()  # spaCy's tokenizer imports jieba; silence it and load the dictionary first
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer.jieba_seg = RJiebaSegmenter()
    return nlp
