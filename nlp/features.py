"""From an explanation and its indicator row to model inputs.

`prepare()` does all text work once per explanation: whitespace repair (PDF line wraps), clause
and comma-piece splitting, lexicon hits, a role for each piece (cause / measure / other),
segmentation of each side, and the hand-made features per axis. The scikit-learn transformers
(nlp/estimators.py) and the numpy runtime (nlp/runtime.py) only read a `Prepared`, so training
and run time share exactly this code. No scikit-learn import here: `pianchai explain` uses it.

Roles, piece by piece (rules in `prepare`, cue lists in corpus/lexicons/cues.txt):
- a measure cue anywhere ("下一步", "今后", "已责令"), a taken action ("已移送…", "剩余部分已于…"),
  "X将…" with a short subject, or an imperative verb heading the piece ("加强…", "严格…") → measure;
- the rest of a measure sentence stays measure unless a strong cause cue ("由于", "原因") appears;
  a numbered item after a measure stays measure unless it has cause cues;
- a bare slogan piece (a vague measure phrase, no cause cue) → measure;
- praise and non-answers → other; everything else → cause.
The cause side is then split into restatement (numbers equal to the actual/target, characters of
the indicator name, "未达到") and substance.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter

from nlp.clauses import piece_spans
from nlp.lexicon import default_lexicon
from nlp.pipeline import segment_raw

AXES = ("cause", "measure")
LABELS = ("specific", "generic", "absent")

_CJK = r"\u3400-\u9fff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}，。；、：])\s+|\s+(?=[{_CJK}，。；、：])")
_ANY_SPACE = re.compile(r"\s")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_DATE = re.compile(
    r"(?:\d{4}年|\d{1,2}月|[一二三四1-4]季度|年底|年末|月底|上半年|下半年|年初|\d{1,2}日|春节|汛期前|开学前|前完成|之前)"
)
_FREQ = re.compile(r"每[天日周旬月季年]|每半年|每季度|每学期|定期|周报|月报")
_QUANT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|个|人|次|家|名|户|所|项|场|期|册|座|台|套|万|元|公里|天|小时|份|条)"
                    r"|[一二两三四五六七八九十百]+(?:个|人|次|家|名|户|所|项|场|期|台|套|天)")
_NULL_TEXT = re.compile(r"^[\s/\\0-9.、。－—-]*$|^(?:无|暂无|没有|已完成|完成|全部完成|已全部完成|正常|无偏差|无问题)[。.！!]?$")
_ENUM_LEAD = re.compile(r"(?:[一二三四五六七八九十]是|[（(][0-9一二三四五六七八九十]{1,2}[)）]|[0-9]{1,2}[.．、]|[一二三四五六七八九十][、．]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
# "已" + an action (not a state like 已达标 / 已完成 / 已经); "X将" with a short subject
_DONE_LEAD = re.compile(
    r"^已(?!达|完成|超|经|是|有|过|满|到|基本|全部完成|拨付|支付|下达|进入)"
    r"|^[^，。；已]{1,8}?已(?:于|对|向|与|将|在|为|组织|开展|启动|安排|完成整改|全部追回|追回|补发|移送|责令"
    r"|约谈|扣减|退回|列入|纳入|申请|建立|修订|调整|督促|要求|整改)")
# "2025年起…", "自下年度起…": a rule from now on; "剩余2座已于/将于…": completing a named remainder;
# "…改为/调整为/设定为…": a changed arrangement
_FROM_NOW = re.compile(r"(?:\d{4}年|明年|下年度|下一年度|次年|次月|下月|今后|下学期)起")
_REMAINDER = re.compile(r"^(?:剩余|其余|余下|尚未完成的)[^，。；]*?(?:已于|将于|于|计划|列入|纳入|前完成|前交货)")
_CHANGE = re.compile(r"改为|调整为|设定为|提前至|提高至|替换为|改设|删除该指标")
_CAUSE_STRONG = re.compile(r"由于|因为|原因|主要是|究其")
_WILL = re.compile(r"^(?![^，。；将]*(?:今年|本年|当年|年中|年初|上年|去年|原))[^，。；将]{0,8}?将(?!近|来|要求|资金|项目|其|原|年)")
_PUNCT = set("，。；;：:、！!？?（）()“”\"'《》【】[] \t\u3000-—·.%％/")
# characters so common in indicator names that sharing them says nothing
_COMMON = set("的率数量度性和与及等了在是为有个年")


class Prepared:
    """Everything the models read about one explanation (plain attributes; built by prepare())."""

    __slots__ = ("text", "norm", "offsets", "pieces", "piece_hits", "hits", "cause_text", "measure_text",
                 "cause_tokens", "measure_tokens", "hand", "empty")


def normalise(text: str) -> tuple[str, Sequence[int]]:
    """Drop whitespace next to CJK characters (PDF line wraps); map each kept char to its offset."""
    text = text or ""
    if not _ANY_SPACE.search(text):
        return text, range(len(text))       # most texts: the identity, without building a list
    keep = [True] * len(text)
    for m in _SPACE_IN_CJK.finditer(text):
        for i in range(m.start(), m.end()):
            keep[i] = False
    offsets = [i for i, k in enumerate(keep) if k]
    norm = "".join(text[i] for i in offsets).strip()
    if norm and offsets:
        lead = next(i for i, ch in enumerate("".join(text[i] for i in offsets)) if not ch.isspace())
        offsets = offsets[lead:lead + len(norm)]
    return norm, offsets


def _numbers(s: str) -> set[str]:
    out = set()
    for m in _NUMBER.finditer(s or ""):
        v = m.group()
        out.add(v.rstrip("0").rstrip(".") if "." in v else v)
    return out


# punctuation and ASCII digits: what a piece's "content" leaves out. Counted with a regex
# character class: str.translate looks every CJK character up in a dict (≈ 4× slower)
_DROP = re.compile("[" + "".join(map(re.escape, sorted(_PUNCT | set("0123456789")))) + "]")


def _content_chars(s: str) -> int:
    """len(`s`) without punctuation and digits."""
    return len(s) - len(_DROP.findall(s))


def _count_in(s: str, chars) -> int:
    """How many characters of `s` are in the set `chars` (one C scan per member, no per-char objects)."""
    return sum(map(s.count, chars))


def prepare(text: str, indicator: str = "", target: str = "", actual: str = "") -> Prepared:
    p = Prepared()
    p.text = text or ""
    norm, offsets = normalise(p.text)
    p.norm, p.offsets = norm, offsets
    p.empty = not norm or bool(_NULL_TEXT.match(norm))
    lex = default_lexicon()
    hits = lex.find(norm) if norm else []
    p.hits = hits

    pieces = piece_spans(norm) if norm else []
    roles, piece_hits = _roles(norm, pieces, hits)
    if p.empty:
        roles = ["other"] * len(roles)     # "无", "/", "已完成": a non-answer, neither side
    p.pieces = [(a, b, role, ci) for (a, b, ci), role in zip(pieces, roles)]
    p.piece_hits = piece_hits

    cause_parts = [norm[a:b] for a, b, r, _ in p.pieces if r == "cause"]
    measure_parts = [norm[a:b] for a, b, r, _ in p.pieces if r == "measure"]
    p.cause_text = "，".join(cause_parts)
    p.measure_text = "，".join(measure_parts)
    p.cause_tokens = _tokens(p.cause_text)
    p.measure_tokens = _tokens(p.measure_text)
    p.hand = _hand(p, indicator or "", target or "", actual or "")
    return p


def _roles(norm: str, pieces, hits) -> tuple[list[str], list[list]]:
    """The role of each comma-piece (cause / measure / other) and the lexicon hits inside it."""
    roles = []
    piece_hits = []
    prev_role, prev_clause = None, -1
    hi, n_hits = 0, len(hits)
    for start, end, ci in pieces:
        counts: dict[str, int] = {}
        vague_axes = set()
        lead = start
        m = _ENUM_LEAD.match(norm, start, end)
        if m:
            lead = m.end()
        own = []
        while hi < n_hits and hits[hi].start < start:
            hi += 1
        for k in range(hi, n_hits):
            h = hits[k]
            if h.start >= end:
                break
            if h.end <= end:
                if h.kind == "measure_lead" and h.start != lead:
                    continue                  # an imperative verb counts only at the head
                own.append(h)
                counts[h.kind] = counts.get(h.kind, 0) + 1
                if h.entry is not None:
                    vague_axes.add(h.entry.axis)
        piece_hits.append(own)
        head = norm[lead:end]
        causal = counts.get("cause_open") or counts.get("concrete_cause") or counts.get("restate")
        if counts.get("measure_open") or counts.get("measure_done"):
            role = "measure"
        elif _DONE_LEAD.match(head) or _REMAINDER.match(head) or (
                not counts.get("cause_open") and (_WILL.match(head) or _FROM_NOW.search(head)
                                                  or _CHANGE.search(head))):
            role = "measure"                  # "已移送…", "学校将安排…", "2025年起…", "剩余…已于…"
        elif counts.get("measure_lead") and not counts.get("cause_open"):
            role = "measure"                  # "加强领导；严格考核"
        elif prev_role == "measure" and ci == prev_clause and not _CAUSE_STRONG.search(norm, start, end):
            role = "measure"                  # the rest of a measure sentence
        elif prev_role == "measure" and m and not causal and "cause" not in vague_axes:
            role = "measure"                  # the next numbered item of a measure list
        elif "measure" in vague_axes and not causal and "cause" not in vague_axes:
            role = "measure"                  # a bare slogan
        elif (counts.get("praise") or counts.get("null")) and not causal:
            role = "other"
        else:
            role = "cause"
        roles.append(role)
        prev_role, prev_clause = role, ci
    return roles, piece_hits


def _tokens(s: str) -> list[str]:
    if not s:
        return []
    return ["#" if t[0].isdigit() else t for t in segment_raw(s) if t not in _PUNCT and not t.isspace()]


@lru_cache(maxsize=4096)
def _indicator_chars(indicator: str) -> frozenset:
    return frozenset(c for c in indicator if c not in _COMMON and c not in _PUNCT and not c.isdigit())


@lru_cache(maxsize=4096)
def _row_numbers(target: str, actual: str) -> frozenset:
    """The numbers of the row's target and actual (rows repeat the same few: "100%", "≥95%")."""
    return frozenset(_numbers(target) | _numbers(actual)) if (target or actual) else frozenset()


# hit kinds that are not substance: cut from a cause piece's length, or from a measure piece's
_CAUSE_CUT = frozenset(("restate", "vague", "cause_open", "null", "praise"))
_MEASURE_CUT = frozenset(("vague", "measure_open", "measure_lead", "measure_done"))
_VAGUE_KEY = {"cause": "vague_cause", "measure": "vague_measure"}


def _hand(p: Prepared, indicator: str, target: str, actual: str) -> dict[str, dict[str, float]]:
    # one pass over the pieces and their hits; the region totals (content length, indicator
    # characters) are sums over the pieces, since the "，" joining them counts in neither
    norm = p.norm
    ind_chars = _indicator_chars(indicator)
    row_numbers = _row_numbers(target, actual)
    vague_cover = {"cause": 0, "measure": 0, "other": 0}
    kinds = {"cause": {}, "measure": {}, "other": {}}
    n_pieces = {"cause": 0, "measure": 0, "other": 0}
    restate_pieces = substance_pieces = substance_chars = nums_eq = nums_other = 0
    best_rest = clean_pieces = signal_pieces = best_cause = 0
    c_len = c_ind = 0
    for (a, b, r, _), piece_hits in zip(p.pieces, p.piece_hits):
        n_pieces[r] += 1
        kr = kinds[r]
        cut = 0
        flag_a = flag_b = False      # cause: restate / concrete cue; measure: vague / concrete signal
        for h in piece_hits:
            kind = h.kind
            if h.entry is None:
                kr[kind] = kr.get(kind, 0) + 1
            else:
                key = _VAGUE_KEY[h.entry.axis]
                kr[key] = kr.get(key, 0) + 1
                vague_cover[r] += h.end - h.start
            if r == "cause":
                if kind in _CAUSE_CUT:
                    cut += h.end - h.start
                if kind == "restate":
                    flag_a = True
                elif kind == "concrete_cause":
                    flag_b = True
            elif r == "measure":
                if kind in _MEASURE_CUT:
                    cut += h.end - h.start
                if kind == "vague":
                    flag_a = True
                elif kind == "concrete_measure":
                    flag_b = True
        if r == "cause":
            s = norm[a:b]
            nums = _numbers(s) if _NUMBER.search(s) else set()
            eq = len(nums & row_numbers)
            nums_eq += eq
            nums_other += len(nums) - eq
            n_content = _content_chars(s)
            # indicator characters are never punctuation or digits: counting them in s is
            # counting them in its content
            in_ind_n = _count_in(s, ind_chars) if ind_chars else 0
            c_len += n_content
            c_ind += in_ind_n
            rest = max(n_content - in_ind_n - cut, 0)
            best_cause = max(best_cause, n_content - in_ind_n)
            if rest <= 4 or ((flag_a or eq) and rest <= 8 and not flag_b):
                restate_pieces += 1
            else:
                substance_pieces += 1
                substance_chars += rest
        elif r == "measure":
            # one by one: "one concrete action is enough, even among slogans"
            s = norm[a:b]
            m = _ENUM_LEAD.match(s)
            rest = max(_content_chars(s[m.end():] if m else s) - cut, 0)
            best_rest = max(best_rest, rest)
            if rest >= 5 and not flag_a:
                clean_pieces += 1
            if flag_b or _DATE.search(s) or _FREQ.search(s) or _QUANT.search(s):
                signal_pieces += 1

    mt = p.measure_text
    m_len = _content_chars(mt)
    ind_overlap_c = (c_ind / c_len) if c_len and ind_chars else 0.0
    ind_overlap_m = (_count_in(mt, ind_chars) / m_len) if m_len and ind_chars else 0.0
    kc, km = kinds["cause"], kinds["measure"]
    m_vague = km.get("vague_measure", 0) + km.get("vague_cause", 0)
    m_rest = max(m_len - vague_cover["measure"], 0)
    cause = {
        "empty_text": float(p.empty),
        "no_cause_region": float(c_len == 0),
        "cause_len": c_len,
        "cause_pieces": n_pieces["cause"],
        "restate_pieces": restate_pieces,
        "substance_pieces": substance_pieces,
        "only_restate": float(substance_pieces == 0 and restate_pieces > 0),
        "substance_chars": substance_chars,
        "cause_open": kc.get("cause_open", 0),
        "concrete_cause": kc.get("concrete_cause", 0),
        "restate_cues": kc.get("restate", 0),
        "vague_cause": kc.get("vague_cause", 0),
        "vague_cover": vague_cover["cause"] / c_len if c_len else 0.0,
        "nums_equal_row": nums_eq,
        "nums_other": nums_other,
        "indicator_overlap": ind_overlap_c,
        "praise": kinds["other"].get("praise", 0) + kinds["other"].get("null", 0),
        "best_piece": best_cause,
        "has_measure": float(m_len > 0),
        "text_len": len(norm),
    }
    measure = {
        "empty_text": float(p.empty),
        "no_measure_region": float(m_len == 0),
        "measure_len": m_len,
        "measure_pieces": n_pieces["measure"],
        "measure_open": km.get("measure_open", 0),
        "measure_done": km.get("measure_done", 0),
        "concrete_measure": km.get("concrete_measure", 0),
        "vague_measure": m_vague,
        "vague_cover": vague_cover["measure"] / m_len if m_len else 0.0,
        "rest_chars": m_rest,
        "date": len(_DATE.findall(mt)),
        "freq": len(_FREQ.findall(mt)),
        "quant": len(_QUANT.findall(mt)),
        "nums": len(_NUMBER.findall(mt)),
        "indicator_overlap": ind_overlap_m,
        "best_piece_rest": best_rest,
        "clean_pieces": clean_pieces,
        "signal_pieces": signal_pieces,
        "has_cause": float(c_len > 0),
    }
    return {"cause": cause, "measure": measure}




# ---- what the models read from a Prepared (shared by nlp/estimators.py and nlp/runtime.py)

# counts and lengths that enter the models as log1p(min(x, 400)): a 10,000-character paste must
# not swamp the scaler (applied column-wise in hand_matrix, once per batch)
LOG_FEATURES = frozenset(['best_piece', 'best_piece_rest', 'cause_len', 'cause_open', 'cause_pieces', 'clean_pieces', 'concrete_cause', 'concrete_measure', 'date', 'freq', 'measure_done', 'measure_len', 'measure_open', 'measure_pieces', 'nums', 'nums_equal_row', 'nums_other', 'praise', 'quant', 'rest_chars', 'restate_cues', 'restate_pieces', 'signal_pieces', 'substance_chars', 'substance_pieces', 'text_len', 'vague_cause', 'vague_measure'])
LOG_CAP = 400


def hand_matrix(prepared: list, axis: str, names: tuple) -> "np.ndarray":
    """The hand features of `axis` for a batch, in `names` order, log columns transformed."""
    import numpy as np

    get = itemgetter(*names) if len(names) > 1 else (lambda d: tuple(d[n] for n in names))
    m = np.array([get(p.hand[axis]) for p in prepared], dtype=float).reshape(len(prepared), len(names))
    cols = [i for i, n in enumerate(names) if n in LOG_FEATURES]
    if cols:
        m[:, cols] = np.log1p(np.minimum(m[:, cols], LOG_CAP))
    return m


def passthrough(doc):
    """Analyzer for pre-tokenised input: the token list is already the feature list."""
    return doc


def region_unigrams(p: Prepared, axis: str) -> list[str]:
    """The axis's region tokens: region_tokens adds their bigrams ("a_b") and "<none>" if empty."""
    return p.cause_tokens if axis == "cause" else p.measure_tokens


def region_tokens(p: Prepared, axis: str) -> list[str]:
    toks = region_unigrams(p, axis)
    if not toks:
        return ["<none>"]
    return toks + [a + "_" + b for a, b in zip(toks, toks[1:])]


def region_folded(p: Prepared, axis: str) -> str:
    """The axis's region with every number folded to "0": the text region_chars takes n-grams of."""
    s = p.cause_text if axis == "cause" else p.measure_text
    return _NUMBER.sub("0", s) if s else ""


def region_chars(p: Prepared, axis: str, n_min: int = 2, n_max: int = 2) -> list[str]:
    s = region_folded(p, axis)
    if not s:
        return ["<none>"]
    out = []
    for n in range(n_min, n_max + 1):
        out.extend(map("".join, zip(*(s[i:] for i in range(n)))))
    return out
