"""Near-duplicate explanations: boilerplate pasted across forms is grouped, distinct texts are not."""
from __future__ import annotations

import random

import os

import batch.dedupe
from batch.dedupe import Deduper, normalise

PASTED = "因部分工作推进不及时，导致该指标未能全部完成，下一步我单位将认真总结经验，确保各项工作按期保质完成。"
OWN = [
    "两家供应商延期交货四十五天，设备安装顺延到次年二月，已在补充协议中约定违约金。",
    "受汛期持续降雨影响，三个施工点停工，剩余工程量列入次年一季度施工计划。",
    "原定十一月的两期培训因场地被征用取消，已改在次年三月由培训科补办。",
]


def test_normalise_ignores_punctuation_space_and_numbers():
    assert normalise("完成 98%，未达标。") == normalise("完成95% 未达标")
    assert normalise("ＡＢＣ１２") == "abc0"


def test_pasted_text_is_one_group_with_its_variants():
    d = Deduper()
    for k in range(6):
        text = PASTED if k % 2 else PASTED.replace("我单位", "本单位") + f"（完成{80 + k}%）"
        d.add(text, f"f{k}.xlsx", form=0)
    for k, text in enumerate(OWN):
        d.add(text, f"own{k}.txt", form=0)
    groups = d.groups()
    assert len(groups) == 1
    g = groups[0]
    assert (g.occurrences, g.forms, g.files) == (6, 6, 6)
    assert g.variants == 2           # 80..85% normalise to one text; 我单位/本单位 are near
    assert "推进不及时" in g.example


def test_repeats_inside_one_form_are_not_a_cross_form_finding():
    d = Deduper()
    for _ in range(5):
        d.add(PASTED, "one.txt", form=2)
    assert list(d.groups()) == []
    assert len(d.groups(min_forms=1)) == 1


def test_short_texts_are_ignored():
    d = Deduper()
    for k in range(5):
        d.add("已完成。", f"f{k}.txt")
    assert list(d.groups()) == []


def test_distinct_random_texts_do_not_group_and_it_scales():
    rng = random.Random(4)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
    d = Deduper()
    for k in range(3000):
        d.add("".join(rng.choice(chars) for _ in range(40)), f"f{k}.txt")
    for k in range(4):
        d.add(PASTED, f"p{k}.txt")
    groups = d.groups()
    assert len(groups) == 1 and groups[0].occurrences == 4


def test_rows_are_numbered_and_most_pasted_first():
    d = Deduper()
    for k in range(3):
        d.add(OWN[0], f"a{k}.txt")
    for k in range(5):
        d.add(OWN[1], f"b{k}.txt")
    rows = d.rows()
    assert [r["group"] for r in rows] == [1, 2]
    assert [r["occurrences"] for r in rows] == [5, 3]
    assert rows[0]["sample_files"].split("|")[0] == "b0.txt"


def test_groups_do_not_depend_on_how_the_band_keys_are_partitioned(monkeypatch, tmp_path):
    """The band keys go to disk in partitions sized by memory: many small ones find the same groups."""
    rng = random.Random(6)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 300)]
    texts = [PASTED, OWN[0], OWN[1]]
    stream = []
    for k in range(2000):
        if k % 7 == 0:           # pasted templates with a changed word
            base = texts[k % 3]
            stream.append(base[:10] + rng.choice(chars) + base[11:])
        else:
            stream.append("".join(rng.choice(chars) for _ in range(30)))

    def run() -> list[tuple]:
        with Deduper(folder=tmp_path) as d:
            for k, text in enumerate(stream):
                d.add(text, f"f{k // 2}.txt", form=k % 2)
            return [(g.occurrences, g.forms, g.files, g.variants, g.example) for g in d.groups()]

    one = run()
    monkeypatch.setattr(batch.dedupe, "_PARTITION_BYTES", 4096)
    monkeypatch.setattr(batch.dedupe, "_FLUSH", 100)
    monkeypatch.setattr(batch.dedupe, "_CHUNK", 64)
    assert run() == one and len(one) == 3
    assert os.listdir(tmp_path) == []       # the working folder is gone after close()


def test_rows_read_lazily_slice_and_count():
    d = Deduper()
    for g, text in enumerate(OWN):
        for k in range(3 + g):
            d.add(text, f"{g}-{k}.txt")
    rows = d.rows()
    assert len(rows) == 3 and [r["occurrences"] for r in rows] == [5, 4, 3]
    assert [r["group"] for r in rows[1:]] == [2, 3] and rows[-1]["group"] == 3
    d.close()
