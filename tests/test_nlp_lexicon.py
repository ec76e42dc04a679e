"""Lexicon files parse, and matching works on characters whatever jieba does."""
from pathlib import Path

import pytest

from nlp.lexicon import Lexicon, VagueEntry, default_lexicon, read_cues, read_vague
from nlp.pipeline import segment


def test_lexicon_files_parse_with_reason_and_suggestion():
    vague = read_vague()
    assert len(vague) > 50
    for entry in vague:
        assert entry.reason and entry.suggestion and entry.axis in ("cause", "measure")
    assert len({e.phrase for e in vague}) == len(vague), "duplicate vague phrase"
    assert len(read_cues()) > 100


def test_phrase_found_across_token_boundaries():
    text = "今后将加强督促检查工作"
    # jieba splits the phrase "加强督促" differently from how the text reads it ...
    assert "加强督促" not in segment(text)
    # ... but character matching still finds it
    hits = [h for h in default_lexicon().find(text) if h.kind == "vague"]
    assert [(text[h.start:h.end], h.entry.axis) for h in hits] == [("加强督促", "measure")]


def test_overlapping_vague_phrases_merge_into_one_span():
    text = "下一步将进一步加强沟通协调。"
    hits = [h for h in default_lexicon().find(text) if h.kind == "vague"]
    assert [text[h.start:h.end] for h in hits] == ["进一步加强沟通协调"]


def test_bad_lexicon_line_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "vague.txt"
    bad.write_text("# header\n加强管理\tmeasure\t只有理由\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"vague.txt:2"):
        read_vague(bad)


def test_custom_lexicon_kinds():
    lex = Lexicon([("由于", "cause_open")], [VagueEntry("客观原因", "cause", "r", "s")])
    assert [(h.phrase, h.kind) for h in lex.find("由于客观原因")] == [("由于", "cause_open"), ("客观原因", "vague")]
