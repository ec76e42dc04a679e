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
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

from nlp.clauses import piece_spans
from nlp.lexicon import default_lexicon, default_non_answers, default_ocr_slips
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
_EVERY = r"每[天日周旬月季年]|每半年|每季度|每学期|定期"      # a frequency, in a measure
_FREQ = re.compile(_EVERY + r"|周报|月报")
_QUANT = re.compile(r"\d+(?:\.\d+)?\s*(?:%|个|人|次|家|名|户|所|项|场|期|册|座|台|套|万|元|公里|天|小时|份|条)"
                    r"|[一二两三四五六七八九十百]+(?:个|人|次|家|名|户|所|项|场|期|台|套|天)")
# what is left of a text for the non-answer and not-judged tests: no spaces, punctuation, symbols
_NOT_WORD = re.compile(r"[\W_]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_FOREIGN_LETTER = re.compile(rf"[^\W\d_{_CJK}]")     # letters of other scripts (Latin, Cyrillic…)
MIN_CJK = 2            # one Chinese character alone ("是", "因") is too little to judge
_ENUM_LEAD = re.compile(r"(?:[一二三四五六七八九十]是|[（(][0-9一二三四五六七八九十]{1,2}[)）]|[0-9]{1,2}[.．、]|[一二三四五六七八九十][、．]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
_ENUM_FIRST = frozenset("一二三四五六七八九十（(0123456789①②③④⑤⑥⑦⑧⑨⑩")    # what an _ENUM_LEAD starts with
# "已" + an action (not a state like 已达标 / 已完成 / 已经); "X将" with a short subject
_DONE_LEAD = re.compile(
    r"^已(?!达|完成|超|经|是|有|过|满|到|基本|全部完成|拨付|支付|下达|进入|于[^，。；]{0,8}?(?:下达|到位|到账|拨付|批复))"
    r"|^[^，。；已]{1,12}?已(?:于(?![^，。；]{0,8}?(?:下达|到位|到账|拨付|批复))|对|向|与|将|在|为|组织|开展|启动|安排|完成整改|全部追回|追回|补发|移送|责令"
    r"|约谈|扣减|退回|列入|纳入|申请|建立|修订|调整|督促|要求|整改|上缴|交回|拆除|返修|返工|重新|更换|补|清退|收回|立案|查处|外包|并入)")
# "2025年起…", "自下年度起…": a rule from now on; "剩余2座已于/将于…": completing a named remainder;
# "…改为/调整为/设定为…": a changed arrangement
_FROM_NOW = re.compile(r"(?:\d{4}年(?:[一二三四1-4]季度|\d{1,2}月(?:份)?|上半年|下半年)?|明年|下年度|下一年度|次年|次月|下月|今后|下学期)起")
# a routine set up from now on, at the head of a piece ("每季交叉审核一次", "每月通报支付进度")
_ROUTINE_HEAD = re.compile(rf"^(?:{_EVERY})[^，。；]{{0,3}}?"
                           r"(?:开展|组织|召开|通报|审核|核查|检查|抽查|调度|报送|更新|公示|比对|巡查|督查|复核|培训)")
_REMAINDER = re.compile(r"^(?:剩余|其余|余下|尚未完成的|未完成(?:的)?部分)[^，。；]*?(?:已于|将于|于|计划|列入|纳入|并入|转入|安排在|前完成|前交货|明年|次年|\d{1,2}月[^，。；]{0,3}前|\d{1,2}月(?:底|末|中旬|上旬|下旬)?(?:完成|完工|交付))")
# a changed arrangement; not one that happened before ("原设计的中央空调改为分体空调")
_CHANGE = re.compile(r"^(?![^，。；]*(?:原设计|原计划|原定|原方案))[^，。；]*?(?:改为|调整为|设定为|提前至|提高至|替换为|改设|删除该指标"
                     r"|调为|调至|改按|改用|前置至"
                     r"|由每[^，。；]{1,10}?(?:增|提高|调整|缩短|延长|增加|加密)(?:至|到|为))")     # a routine made denser
# a piece that opens with a plan rather than a finding: a deadline to come ("2023年3月底前完成剩余…"),
# an expectation or schedule ("预计年底完工"), waiting on a step ("待竣工验收后支付"), effort under
# way ("正在加紧施工"), working with a partner ("与供应商协调"); not a finding ("正在实施中",
# "与目标值相比…", "预计收入减少")
_PLAN_FIRST = frozenset("于在计预力争待正目现与0123456789上下一二三四年")
_PLAN_HEAD = re.compile(
    r"^(?:(?:于|在|计划于?|预计于?|力争于?|争取于?)?(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|末|中旬|上旬|下旬|份)?(?:之)?前(?=[^，。；未没不无]{0,4}?"
    r"(?:完成|完工|竣工|建成|交付|交货|到位|支付|拨付|实施|启动|开工|上线|补齐|办结|整改|全部))"
    r"|(?:预计|计划)(?:于|在)?(?:年底|年内|明年|次年|下年|今年底|\d{4}年|\d{1,2}月)[^，。；]{0,12}?(?:完成|完工|竣工|到位|支付|拨付|交付|投入使用|验收|实施)"
    r"|(?:\d{4}年)?(?:上半年|下半年|[一二三四1-4]季度|年底|年内)(?:末|前|内)?(?:全部|集中|陆续)?"
    r"(?:完成|完工|建成|交付|拨付|开工|实施|启动|补齐|验收)(?!率|情况|进度|比例|数)"
    r"|待[^，。；]{1,20}?后"
    r"|(?:目前|现|当前)?正(?:在)?(?:加紧|加快|抓紧|积极|全力|协调|督促|组织|推进|跟进|整改|处置|补录|补办|补植|返工|修复|更换)"
    r"|(?:\d{4}年)?与[^，。；]{1,12}?(?:协调|沟通|对接|衔接|协商|商定|约定))")
_CAUSE_STRONG = re.compile(r"由于|因为|原因|主要是|究其")
# What is done about what was left undone, named first ("对未整改的3家单位下发督办函", "对损坏器材建立
# 维修清单"): a measure; not "对政策理解不到位" (no action after the shortfall word).
_ADDRESSING = re.compile(r"(?:对|针对)[^，。；]{0,16}?(?:未|尚未|没有|损坏|缺失|不合格|超期|逾期|剩余|问题|发现|差距)"
                         r"[^，。；]{0,24}?(?:建立|下发|实行|开展|组织|安排|委托|落实|实施|采取|责令|约谈|督促|纳入|列入"
                         r"|逐[一户人个家]|限期|集中|重新|补[发办录种装齐访检])")
# An imperative verb at the head of a piece that is then judged ("推进缓慢", "组织实施不到位",
# "协调难度大", "及时性不够"): a weakness named, a cause, not a measure. Matched right after the
# verb; a preposition first ("加强对知晓率不高村组的宣传") or words after the judgement mean the
# verb has an object: a measure.
_JUDGED_STATE = re.compile(r"[^对把将为向与在的，。；]{0,4}?(?:缓慢|较慢|偏慢|不到位|不够|不足|不力|不及时|不合理"
                           r"|不规范|不完善|不健全|不畅|滞后|难度大|难度较大|较难|困难|频繁|较多|偏多|过多|较少|偏少"
                           r"|不高|不强|欠缺|有待|较弱|偏弱|不明确|不充分|不全面|不精准|不科学|不严|不细|不实)"
                           # the judgement ends the piece or leads to its effect; "加大资金不足地区的投入" has
                           # its object after it
                           r"(?=[^，。；]{0,2}$|导致|影响|致使|造成|使得)")
# A telegraphic measure with no cue word, after the cause it answers ("乡医少 一季度补装",
# "厂家停产 改购同级替代车型", "场地紧张 借镇文化站每月2次", "手续多 跟踪督办"): a time to come
# heading a doing verb, a changed arrangement, borrowed or added means, or a follow-up word.
# Only read so after a cause piece: alone, "7月塌方" or "跟踪服务" may be the finding.
_TERSE_PLAN = re.compile(
    r"(?:(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|底|末|初|中旬|上旬|下旬)?|[一二三四1-4]季度(?:末)?|年底|年内|年前|节前"
    r"|春耕前|汛前|汛后|开学前|下半年|上半年)(?:之)?(?:前|内|起)?(?:全部|集中|统一|再|陆续)?"
    r"(?:补|完成|完工|建成|建完|装完|种完|清完|发放|发完|拨付|付清|交付|交货|开工|启动|上线|投用|验收|办结|招标|签约"
    r"|签订|到位|通电|通水|入住|配发|培训|重新|开展|组织|实施|安装|换|修|出)"
    r"|改(?:为|按|由|用|购|在|成|从|到|季|月|周|年|乡|县|村|走|签|派|租|办|向)"
    r"|(?:借用?|租用|委托|聘请|下派|增派|抽调|新增|增设|加设|补派|另行)(?=[^，。；]{2})"
    r"|与[^，。；]{1,12}?签"
    r"|(?:跟踪|督办|稳步|分步|逐步|多方|广泛|择期|择机|适时|依规|依法|统筹|整合|动态|查漏补缺)")
_WILL = re.compile(r"^(?![^，。；将]*(?:今年|本年|当年|年中|年初|年内|全年|上年|去年|原))[^，。；将]{0,8}?将(?!近|来|要求|资金|项目|其|原|年)")
_PUNCT = set("，。；;：:、！!？?（）()“”\"'《》【】[] \t\u3000-—·.%％/")
# characters so common in indicator names that sharing them says nothing
_COMMON = set("的率数量度性和与及等了在是为有个年")


class Prepared:
    """Everything the models read about one explanation (plain attributes; built by prepare())."""

    __slots__ = ("text", "norm", "offsets", "pieces", "piece_counts", "hits", "cause_text", "measure_text",
                 "cause_tokens", "measure_tokens", "hand", "empty", "not_judged")


# full-width digits, letters and ％ (１００％, Ａ) → ASCII, one character for one; full-width
# punctuation (，：；) is how Chinese is written and stays
_FULLWIDTH = re.compile("[\uff05\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_TO_ASCII = {c: c - 0xFEE0 for c in (0xFF05, *range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
# a slip's first character that is a real word's second: 自己, 知己; 周末, 期末, 年末
_SLIP_GUARD = {"己": "(?<![自知异利克舍])", "末": "(?<![周期年月季岁始本颠])"}
# the letter O read for a zero inside a number: "9O%", "2O24年"
_LETTER_ZERO = re.compile(r"(?<=\d)[Oo〇](?=[\d%年月日万元个人])|(?<=\d[.])[Oo](?=\d)|(?<![A-Za-z])[Oo](?=\d{2}[\d年])")


@lru_cache(maxsize=1)
def _ocr_slips() -> tuple[re.Pattern, dict[str, str]]:
    slips = default_ocr_slips()
    if any("己" not in w and "末" not in w for w in slips):
        raise ValueError("ocr_slips.txt: every slip must contain 己 or 末 (repair() looks for them first)")
    # grouped by first character ("己(?:经|完成|…)"): a literal first character keeps the scan fast
    by_first: dict[str, list[str]] = {}
    for w in sorted(slips, key=len, reverse=True):
        by_first.setdefault(w[0], []).append(re.escape(w[1:]))
    alternatives = (f"{_SLIP_GUARD.get(c, '')}{re.escape(c)}(?:{'|'.join(tails)})" for c, tails in by_first.items())
    return re.compile("|".join(alternatives)), slips


def repair(text: str) -> str:
    """Undo extraction slips character for character (same length, so offsets stay valid):
    full-width digits and letters, O read for 0, and the listed OCR slips (己完成 → 已完成)."""
    if _FULLWIDTH.search(text):
        text = text.translate(_TO_ASCII)
    if "O" in text or "o" in text or "〇" in text:
        text = _LETTER_ZERO.sub("0", text)
    if "己" in text or "末" in text:          # every listed slip has one of them
        pattern, slips = _ocr_slips()
        text = pattern.sub(lambda m: slips[m.group()], text)
    return text


def normalise(text: str) -> tuple[str, Sequence[int], list[int]]:
    """Repair extraction slips, drop whitespace next to CJK characters (PDF line wraps).

    Returns the text, the offset in `text` of each of its characters, and the positions where
    whitespace was dropped (a wrap, or a break between telegraphic fragments: _cuts decides)."""
    text = repair(text or "")
    if not _ANY_SPACE.search(text):
        return text, range(len(text)), []    # most texts: the identity, without building a list
    offsets: list[int] = []
    gaps: list[int] = []
    parts = []
    pos = 0
    for m in _SPACE_IN_CJK.finditer(text):
        offsets.extend(range(pos, m.start()))
        parts.append(text[pos:m.start()])
        gaps.append(len(offsets))
        pos = m.end()
    offsets.extend(range(pos, len(text)))
    parts.append(text[pos:])
    norm = "".join(parts)
    stripped = norm.strip()
    if stripped != norm:
        lead = len(norm) - len(norm.lstrip())
        offsets = offsets[lead:lead + len(stripped)]
        gaps = [g - lead for g in gaps]
        norm = stripped
    return norm, offsets, [g for g in gaps if 0 < g < len(norm)]


def _bare_non_answer(bare: str) -> bool:
    return not bare or bare.isdigit() or default_non_answers().match(bare)


def _why_not_judged(bare: str) -> str | None:
    """Why a text (without spaces and punctuation, no non-answer) cannot be judged at all (None:
    judge it): mostly another script than Chinese, or a single Chinese character."""
    if len(bare) > 8 and not _FOREIGN_LETTER.search(bare):
        return None                     # the common case, without counting
    cjk = len(_CJK_CHAR.findall(bare))
    foreign = len(_FOREIGN_LETTER.findall(bare))
    if foreign >= 3 and foreign > cjk:
        return "非中文文本，无法判断"
    if cjk < MIN_CJK and not foreign:
        return "文字过短，无法判断"
    return None


# punctuation and ASCII digits: what a piece's "content" leaves out. Counted with a regex
# character class: str.translate looks every CJK character up in a dict (≈ 4× slower)
_DROP = re.compile("[" + "".join(map(re.escape, sorted(_PUNCT | set("0123456789")))) + "]")


def _content_chars(s: str) -> int:
    """len(`s`) without punctuation and digits."""
    return len(s) - len(_DROP.findall(s))


def _count_in(s: str, chars) -> int:
    """How many characters of `s` are in the set `chars` (one C scan per member, no per-char objects)."""
    return sum(map(s.count, chars))


def _cuts(norm: str, gaps: list[int], hits) -> list[int]:
    """Where a new role starts inside a comma-piece.

    After a dropped space or line break: before a measure or cause cue, a taken action or a
    section heading, or after a heading ("12户常年外出联系不上 明年3月前补齐", "原因分析⏎供货商停产").
    A wrap inside a phrase ("进一步 加强") or before an ordinary word ("交 货") is no cut.
    With no break at all (telegraphic notes: "差3500人剩余2个村明年6月前通水"): before a strong
    measure opener ("下一步", "已责令"), a remainder with its plan ("剩余2个村…前") or a time to
    come that heads an action — not "推迟到明年"."""
    inline = []
    opener_ends = set()
    for h in hits:
        if h.kind in ("measure_open", "measure_done") or (
                h.kind == "measure_time" and not _DEFERRED.search(norm, max(h.start - 3, 0), h.start)
                and _ACTION_AFTER.match(norm, h.end)):
            inline.append(h.start)
            opener_ends.add(h.end)
    if opener_ends:       # "下一步将于…": one opener after another is one piece
        inline = [i for i in inline if i not in opener_ends]
    if "剩" in norm or "余" in norm or "未完成" in norm:
        remainders = [m.start() for m in _INLINE_REMAINDER.finditer(norm)]
        if remainders:
            # "剩余2个村明年6月前通水" is one measure: no second cut at its time
            inline = [i for i in inline if not any(0 < i - r <= 14 for r in remainders)] + remainders
    if "已" in norm:
        inline.extend(m.start() for m in _INLINE_DONE.finditer(norm))
    if _GLUE_HINT.search(norm):
        inline.extend(m.start() for m in _GLUED.finditer(norm))
    if _STEP_HINT.search(norm):
        inline.extend(m.start() for m in _STEP_AFTER_PROBLEM.finditer(norm))
    if "、" in norm:     # "老人外出多、加强动员": a list mark before an imperative starts the measure
        cuts_after_mark = [h.start for h in hits if h.kind == "measure_lead" and h.start and norm[h.start - 1] == "、"]
    else:
        cuts_after_mark = []
    # not right after a marker: "二是剩余2户…" stays one piece
    cuts = [i for i in inline if i >= 2 and _CJK_CHAR.match(norm, i - 1)
            and not (norm[i - 1] == "是" and norm[i - 2] in "一二三四五六七八九十")] + cuts_after_mark
    # whitespace was dropped there; in a text spaced out character by character ("扫 描 外 包")
    # the spaces are the extraction's, and say nothing about where a fragment ends
    if gaps and len(gaps) * 3 < len(norm):
        starts = {h.start for h in hits if h.kind in _CUT_KINDS}
        heading_ends = {h.end for h in hits if h.kind in _HEADINGS}
        cuts.extend(i for i in gaps if i in starts or i in heading_ends
                    or _DONE_LEAD.match(norm[i:i + 24]) or _REMAINDER.match(norm[i:i + 24])
                    or _ROUTINE_HEAD.match(norm[i:i + 16]) or _GLUE_HEAD.match(norm[i:i + 12])
                    or (i >= 3 and _TERSE_PLAN.match(norm, i)))
    if not cuts:
        return []
    # never inside a phrase: "进一步 加强", "客观 原因"
    return sorted({i for i in cuts if not any(h.start < i < h.end for h in hits)})


# A measure glued to its cause with no break ("入户难后期加强宣传", "纠纷未协调好要积极协调解决",
# "停工近一个月剩余部分继续跟进", "闭园21天将加大营销力度"): a modal or "from now on" word before an
# action verb, or an adverb of effort (继续, 尽快, 积极…) before one. Mid-piece it starts a new
# piece (_cuts); at the head of a piece it makes the piece a measure (_roles). Not "仍需加强" (a
# weakness), "需要多个部门会签" (需要 is no modal there), "无法继续开展", "持续降雨", "参与积极性",
# "影响力进一步提升" (a result: see _RESULT_EFFORT).
_ACTION_VERB = (r"(?:加强|强化|提高|提升|完善|加快|做好|落实|规范|优化|加大|健全|严格|建立|压实|抓好|推进|确保"
                r"|改进|改善|整改|协调|跟进|跟踪|创新|丰富|拓宽|督促|会同|对接|联系|组织|开展|补齐|指导|培育"
                r"|挖掘|宣传|动员|引导|争取)")
_EFFORT = r"(?:进一步|继续|切实|认真|持续|不断|逐步|积极|尽快|抓紧|加紧|主动|再)"
# effort words a result is also told with ("影响力进一步提升", "制度逐步完善"): mid-piece they start a
# measure only when the verb has an object after it
_RESULT_EFFORT = r"(?:进一步|持续|不断|逐步)"
_MODAL = r"(?:要|应|需|须|将|拟|后期|后续|今后|同时|并|还要|还需|争取|力争)"
_GLUE_HINT = re.compile("[要应需须将拟期续后时并争力继逐尽抓加积进持切认不再主]")
_DONE_VERB = r"(?:完成|实施|修复|验收)"      # "尽快完成" is a measure; "需完成环评" a dependency
_GLUED = re.compile(
    rf"(?<=[{_CJK}])(?<![仍还尚亦也需主重只必想就不没无即])(?:{_MODAL}(?!要)(?:{_EFFORT}(?={_ACTION_VERB}|{_DONE_VERB})|(?=与|{_ACTION_VERB}))"
    rf"|(?<![法能愿未止停])(?:{_RESULT_EFFORT}(?={_ACTION_VERB}[^，。；\s]{{2}})|(?!{_RESULT_EFFORT}){_EFFORT}(?={_ACTION_VERB}|{_DONE_VERB})))")
# A concrete step with its number straight after the problem it answers ("人员不足增加临聘人员2名",
# "设备老化更换水泵3台"); not "工作量增加3倍" (no problem word before it).
_STEP = r"(?:增加|增设|新增|更换|招聘|抽调|补充|购置|配备|调配|改为|改用)(?=[^，。；]{1,16}?\d)"
_STEP_HINT = re.compile("[增换招抽补购配调改]")
_STEP_AFTER_PROBLEM = re.compile(
    r"(?:(?<=不足|较慢|偏慢|缓慢|偏低|较低|较少|偏少|困难|较长|过长|老化|故障|紧张|不够|不高|滞后)|(?<=不熟悉))" + _STEP)
_STEP_HEAD = re.compile("^" + _STEP)
_GLUE_HEAD = re.compile(rf"^(?:{_MODAL}(?:与|{_ACTION_VERB}|{_EFFORT}(?:{_ACTION_VERB}|{_DONE_VERB}))"
                        rf"|{_EFFORT}(?:{_ACTION_VERB}|{_DONE_VERB}))")
# "推迟到明年", "结转至次年": a time to come that is where the shortfall went, not a plan
_DEFERRED = re.compile(r"[到至延迟推转入]")
_ACTION_AFTER = re.compile(r"[^，。；、\s]{3}")
_INLINE_REMAINDER = re.compile(
    r"(?:剩余|其余|余下|未完成(?:的)?部分)(?=[^，。；]{0,14}?(?:已|将|于|明年|次年|\d{1,2}月|前|计划|列入|纳入))")
# an action already taken, mid-note ("断供三个月已改为备选品种"); not a state ("资金已于12月下达")
_INLINE_DONE = re.compile(r"已(?:责令|要求|督促|追回|补|约谈|整改|返|重新|安排|组织|启动|列入|纳入|建立|修订|调整|对|向|与|按"
                          r"|协调|报|申请|联系|委托|从|租用|招聘|新建|开通|增设|立案|移送|扣减|退回|更换|改为|改用)")


def prepare(text: str, indicator: str = "", target: str = "", actual: str = "") -> Prepared:
    p = Prepared()
    p.text = text or ""
    norm, offsets, gaps = normalise(p.text)
    p.norm, p.offsets = norm, offsets
    bare = _NOT_WORD.sub("", norm)
    p.empty = _bare_non_answer(bare)
    p.not_judged = None if p.empty else _why_not_judged(bare)
    lex = default_lexicon()
    hits = lex.find(norm) if norm else []
    p.hits = hits

    pieces = piece_spans(norm, _cuts(norm, gaps, hits)) if norm else []
    roles, piece_counts = _roles(norm, pieces, hits, indicator or "")
    if p.empty:
        roles = ["other"] * len(roles)     # "无", "/", "已完成": a non-answer, neither side
    p.pieces = [(a, b, role, ci) for (a, b, ci), role in zip(pieces, roles)]
    p.piece_counts = piece_counts

    cause_parts = [norm[a:b] for a, b, r, _ in p.pieces if r == "cause"]
    measure_parts = [norm[a:b] for a, b, r, _ in p.pieces if r == "measure"]
    p.cause_text = "，".join(cause_parts)
    p.measure_text = "，".join(measure_parts)
    p.cause_tokens, p.measure_tokens = _region_tokens(p.cause_text, p.measure_text)
    p.hand = _hand(p, indicator or "", target or "", actual or "")
    return p


_HEADINGS = {"heading_cause": "cause", "heading_measure": "measure", "heading_both": None,
             "heading_other": "other"}
_CUT_KINDS = frozenset(("measure_open", "measure_done", "measure_lead", "measure_time", "cause_open",
                        *_HEADINGS))
# how a piece repeating its row begins or ends, if not like the indicator: a number, a unit, a
# tick box, "完成"
_ECHO_EDGE = frozenset("0123456789%≥≤><=☑☐□■√口£þ成次户个万亿元米里亩吨座所项场家名台套册篇条件份天时钟批人")
_REMAINDER_FIRST = frozenset("剩其余尚未")
# what makes a reported fact a problem: something missing, late, low, failed, over
_PROBLEM = re.compile(r"[未不没无难缺晚慢少低差停减降欠延误拒损毁]|滞后|推迟|过高|过低|偏高|偏低|超出|超支|结余|故障|影响(?!力)|导致"
                      r"|中断|流标|取消|中止|撤[销回出]|变更|纠纷|死亡|离职|调离|辞职|退休|病假|产假|借调|空缺|外出"
                      r"|失联|放弃|退出|倒闭|停业|宕机|裂缝|暴雨|洪灾|台风|干旱|冰冻|疫情"
                      r"|才(?:下达|到位|到账|拨付|签订|批复|开始|启动|完成|确定|到货)")
# nouns that hold a problem character and name no problem: 低保 (minimum living allowance), 困难群众
# (people in need), 特困, 残疾人, 无障碍, 不动产 …: a report of what was paid to them is no cause
_PROBLEM_NOUNS = re.compile(r"低保|困难(?:群众|家庭|户|学生|职工|老人|人员|群体|人群|儿童|党员|企业)|特困|残疾|残联|无障碍|不动产"
                            r"|无人机|无偿|无害化|不定期|减免|低收入|低碳|降费|减税|差旅|难点")


def _problem(text: str) -> bool:
    """A problem named in the text (_PROBLEM), nouns like 低保 and 困难群众 aside."""
    return _PROBLEM.search(_PROBLEM_NOUNS.sub("", text) if _PROBLEM_NOUN_HINT.search(text) else text) is not None


_PROBLEM_NOUN_HINT = re.compile("[低困特残无不减降差难]")
# money saved or left over: on a budget row (execution rate, cost) it says why, it is no measure
_SAVING = re.compile("结余|节约资金|节约了|节省了|节支|压减了|少支出|节约\\d")
_BUDGET_WORDS = re.compile("执行率|资金|经费|成本|预算|支出|费用|单价|造价")


@lru_cache(maxsize=4096)
def _is_budget_row(indicator: str) -> bool:
    return _BUDGET_WORDS.search(indicator) is not None


# cheap tests before the costlier patterns: a character each of their matches has
_SHOULD_HINT = re.compile("[要应需须]")
_CHANGE_HINT = re.compile("[改调设提替删由]")
# "2025年目标按…确定为25万条", "明年预算依据本年成交价编制": next year's target or budget set (it starts
# with a digit or with one of _NEXT_FIRST)
_NEXT_FIRST = frozenset("明下次")
_NEXT_TARGET = re.compile(r"^(?:\d{4}年|明年|下年度|下一年度|次年)(?:度)?[^，。；]{0,6}(?:目标|指标|预算)[^，。；]{0,30}?"
                          r"(?:按|依据|根据|确定为|调整为|设定为|设置为|改按|编制|设定|设置)")
# work done, counted ("完成提档升级58.3公里", "配备护理员58名", "接待游客12.3万人次"): with no problem
# named and no reason given, the piece reports the year's work and is no cause
_REPORTED = re.compile(r"(?:完成|开展|组织|实施|建成|新建|发放|覆盖|接待|实现|获评|获批|达到|达|累计|培训|检查|改造"
                       r"|配备|选派|投入|惠及|授权|下架|办结|受理|举办|召开|查处|处置)[^，。；\d]{0,12}?\d")


def _reported(piece: str) -> bool:
    """Counted work done ("配备护理员58名"); a piece with no digit is never one (the cheap test first)."""
    return bool(_NUMBER.search(piece) and _REPORTED.search(piece))


# "X要/应/需…" + an action verb, with a short subject: a measure; "仍需/有待加强" describes a weakness
_SHOULD = re.compile(rf"^[^，。；]{{0,8}}?(?<![仍还尚亦])(?:要|应当|应|需要|需|须|必须)(?:与|{_EFFORT}?{_ACTION_VERB})")
# pieces longer than this are neither a non-answer ("详见" + 16) nor the row's own values
_SHORT_PIECE = 32
# what may surround a heading: punctuation, a short note in brackets ("（限200字）")
_HEADING_REST = re.compile(r"[（(][^）)]{0,12}[）)]|[\s：:。.；;、,，]")
# what a piece that only repeats its row is made of, besides the indicator's own characters
_ECHO_DROP = re.compile(r"[☑☐□■√口£þ]\s*(?:未完成|完成|是|否|有|无)|[\d.%‰≥≤><=＞＜\s☑☐□■√×口£þ/、，,：:（）()。；-]|完成|实际|目标|指标值|年度|全年|达到|"
                        r"人次|户|个|万|亿|元|平方米|公里|亩|吨|座|所|项|场|家|名|台|套|册|篇|条|件|份|天|小时|分钟|次|批|人")
_ECHO_CHARS = frozenset("0123456789.%‰≥≤><=＞＜ \t\n☑☐□■√×口£þ/、，,：:（）()。；-是否有无未完成实际目标指标值年度全年达到"
                        "人次户个万亿元平方米公里亩吨座所项场家名台套册篇条件份天小时分钟批")


_char_set = lru_cache(maxsize=4096)(frozenset)     # an indicator's characters, once per indicator


def _without(s: str, phrases: list[str]) -> str:
    for phrase in phrases:
        s = s.replace(phrase, "")
    return s


def _is_echo(head: str, indicator: str) -> bool:
    """The piece only repeats the row: its indicator's name, its values, a tick box ("240人次",
    "家政服务培训人数420人", "☑完成□未完成") — text in the wrong cell, no cause."""
    if not _ECHO_CHARS.issuperset(head) and not (set(head) - _ECHO_CHARS).issubset(_char_set(indicator)):
        return False            # a character neither the row's nor of the words dropped below
    rest = _ECHO_DROP.sub("", head)
    return not rest or all(c in indicator for c in rest)


def _heading_of(norm: str, lead: int, end: int, headings: list) -> tuple[bool, str | None]:
    """(is the piece only headings, the side it opens): "（三）存在的问题及原因分析：",
    "偏差原因分析及改进措施（限200字）", a heading twice."""
    if not headings or headings[0].start != lead:
        return False, None
    parts, pos = [], lead
    for h in headings:
        parts.append(norm[pos:h.start])
        pos = max(pos, h.end)
    parts.append(norm[pos:end])
    if _HEADING_REST.sub("", "".join(parts)):
        return False, None
    sides = {_HEADINGS[h.kind] for h in headings}
    return True, sides.pop() if len(sides) == 1 else None


def _roles(norm: str, pieces, hits, indicator: str = "") -> tuple[list[str], list[tuple]]:
    """The role of each comma-piece (cause / measure / other / heading) and what its lexicon hits
    count: (hits per kind, vague phrases also as vague_cause / vague_measure by their axis; the
    characters they cover that are no substance on the cause side; on the measure side; that are
    vague).

    A piece that is only a section heading ("（三）存在的问题及原因分析", "整改措施：") is a heading:
    the pieces under it take its side unless they say otherwise (a measure cue under a cause
    heading, "由于" under a measure heading). A piece that only repeats the row (its name, its
    values) is other."""
    roles = []
    piece_counts = []
    prev_role, prev_clause = None, -1
    prev_described = False           # the previous piece reports what was done ("全年共…")
    section = None
    hi, n_hits = 0, len(hits)
    non_answers = default_non_answers()
    budget_row = _is_budget_row(indicator)
    # hints absent from the whole text are absent from every piece: one test instead of one a piece
    should, change = _SHOULD_HINT.search(norm), _CHANGE_HINT.search(norm)
    for start, end, ci in pieces:
        counts: dict[str, int] = {}
        lead = start
        m = _ENUM_LEAD.match(norm, start, end) if norm[start] in _ENUM_FIRST else None
        if m:
            lead = m.end()
        headings = []
        cut_c = cut_m = vague_len = 0
        time_at_head = False
        praised = []
        lead_end = lead
        while hi < n_hits and hits[hi][0] < start:
            hi += 1
        for k in range(hi, n_hits):
            h = hits[k]
            h_start, h_end, _, kind, entry = h
            if h_start >= end:
                break
            if h_end <= end:
                if kind == "measure_lead":
                    if h_start != lead or norm.startswith("了", h_end):
                        continue              # an imperative verb counts only at the head; "提升了…" is a result
                    lead_end = max(lead_end, h_end)
                if kind in _HEADINGS:
                    headings.append(h)
                    continue                  # a heading word inside a sentence is no heading
                counts[kind] = counts.get(kind, 0) + 1
                n = h_end - h_start
                if entry is not None:
                    key = _VAGUE_KEY[entry.axis]
                    counts[key] = counts.get(key, 0) + 1
                    vague_len += n
                if kind in _CAUSE_CUT:
                    cut_c += n
                if kind in _MEASURE_CUT:
                    cut_m += n
                if kind == "measure_time" and h_start <= lead + 1:
                    time_at_head = True
                if kind == "praise" or kind == "null":
                    praised.append(h[2])
        piece_counts.append((counts, cut_c, cut_m, vague_len))
        is_heading, heading = _heading_of(norm, lead, end, headings) if headings else (False, None)
        if is_heading:
            roles.append("heading")
            section, prev_role, prev_clause, prev_described = heading, "heading", ci, False
            continue
        head = norm[lead:end]
        cause_cue = counts.get("cause_open") or counts.get("concrete_cause")
        causal = cause_cue or counts.get("restate")
        timed = counts.get("measure_time") and (not cause_cue or time_at_head)
        if len(head) <= _SHORT_PIECE and (
                (head[:1] in non_answers.first and non_answers.match(_NOT_WORD.sub("", head)))
                or (head[:2] in indicator or head[0] in _ECHO_EDGE or head[-1] in _ECHO_EDGE)
                and _is_echo(head, indicator)):
            role = "other"                    # "无。" under a heading; the row's own value
        elif counts.get("measure_open") or counts.get("measure_done") or timed:
            role = "measure"
            if counts.get("measure_open") and section in ("cause", "other"):
                section = "measure"           # "原因：…。下一步将…": the measures have begun
        elif budget_row and _SAVING.search(head):
            role = "cause"                    # "压减一般性支出，节约资金12万元": why money was left
        elif (should and _SHOULD_HINT.search(head) and _SHOULD.match(head)) or _GLUE_HEAD.match(head) or (
                (head[:1] in _NEXT_FIRST or head[:1].isdecimal()) and _NEXT_TARGET.match(head)
                and not _problem(head)):
            role = "measure"                  # "项目单位要强化…", "应进一步完善…"
        elif ("已" in head and _DONE_LEAD.match(head)) or (head[:1] in _REMAINDER_FIRST and _REMAINDER.match(head)) or (
                head[:1] in "对针" and _ADDRESSING.match(head)) or (
                not counts.get("cause_open") and ((head[:1] in _PLAN_FIRST and _PLAN_HEAD.match(head))
                                                  or ("将" in head and _WILL.match(head))
                                                  or (head[:1] in "每定" and _ROUTINE_HEAD.match(head))
                                                  or ("起" in head and _FROM_NOW.search(head))
                                                  or (change and _CHANGE_HINT.search(head) and _CHANGE.search(head)))):
            role = "measure"                  # "已移送…", "学校将安排…", "2025年起…", "剩余…已于…"
        elif (counts.get("praise") or counts.get("null")) and not counts.get("restate") \
                and not _CAUSE_STRONG.search(head) and not _problem(_without(head, praised)):
            role = "other"                    # "资金使用规范", "受到市统计局通报表扬": no cause
        elif section == "cause":
            role = "cause"                    # under 存在问题: a leading "加强" is no measure
        elif section == "measure" and not _CAUSE_STRONG.search(norm, start, end):
            role = "measure"
        elif section == "other":
            role = "cause" if cause_cue else "other"     # under 完成情况: a description
        elif counts.get("measure_lead") and not counts.get("cause_open") \
                and not _JUDGED_STATE.match(norm, lead_end, end):
            role = "measure"                  # "加强领导；严格考核"; not "推进缓慢"
        elif prev_role == "cause" and _TERSE_PLAN.match(norm, lead, end) \
                and not _JUDGED_STATE.match(norm, lead, end) and not _problem(head):
            role = "measure"                  # "8个村未选定场地，一季度补装"
        elif prev_role == "cause" and _STEP_HEAD.match(head):
            role = "measure"                  # "设备老化，更换水泵3台": the step that answers it
        elif prev_role == "measure" and ci == prev_clause and not _CAUSE_STRONG.search(norm, start, end):
            role = "measure"                  # the rest of a measure sentence
        elif prev_role == "measure" and m and not causal and "vague_cause" not in counts:
            role = "measure"                  # the next numbered item of a measure list
        elif "vague_measure" in counts and not causal and "vague_cause" not in counts:
            role = "measure"                  # a bare slogan
        elif (counts.get("describe") or _reported(head)) and not causal and not _problem(head):
            role = "other"                    # "全年共开展培训32场", "新建停靠站12处": a report, no cause
        elif prev_described and ci == prev_clause and not counts.get("cause_open") \
                and not counts.get("restate") and not _problem(head):
            role = "other"                    # "…共发布稿件4860条，制作短视频1260条": the report goes on
        else:
            role = "cause"
        roles.append(role)
        prev_described = role == "other" and (bool(counts.get("describe")) or prev_described or _reported(head))
        prev_role, prev_clause = role, ci
    return roles, piece_counts


def _tokens(raw) -> list[str]:
    return ["#" if t[0].isdigit() else t for t in raw if t not in _PUNCT and not t.isspace()]

_SEP = "\x00"      # a character no text has; jieba keeps it as a token of its own


def _region_tokens(cause: str, measure: str) -> tuple[list[str], list[str]]:
    """The tokens of both regions, from one segmenter call (jieba never joins across _SEP)."""
    if not (cause and measure):
        return (_tokens(segment_raw(cause)) if cause else []), (_tokens(segment_raw(measure)) if measure else [])
    raw = segment_raw(cause + _SEP + measure)
    k = raw.index(_SEP)
    return _tokens(raw[:k]), _tokens(raw[k + 1:])


_NOT_INDICATOR = frozenset(_COMMON | _PUNCT)


@lru_cache(maxsize=4096)
def _indicator_chars(indicator: str) -> frozenset:
    return frozenset(c for c in set(indicator).difference(_NOT_INDICATOR) if not c.isdigit())


# a number as written, with a 万/亿 multiplier right after it ("2.4万人" is 24000 as well as 2.4)
_VALUE = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?")
_MULT = {"万": 1e4, "亿": 1e8}


def _values(s: str) -> list[float]:
    out = []
    for m in _VALUE.finditer(s):
        v = float(m.group(1))
        out.append(v)
        if m.group(2):
            out.append(v * _MULT[m.group(2)])
    return out


@lru_cache(maxsize=4096)
def _row_values(target: str, actual: str) -> tuple[float, ...]:
    """What a text restating this row's result may quote: the target and actual, their
    difference, the completion rate (actual/target as a percentage) and, for rates, the gap to
    100 (rows repeat the same few values: "100%", "≥95%")."""
    t, a = _values(target), _values(actual)
    vals = set(t) | set(a)
    for x in t:
        for y in a:
            vals.add(abs(x - y))
            if x:
                vals.add(100.0 * y / x)
    for y in a:
        if y <= 100 and "%" in actual:
            vals.add(100.0 - y)
    return tuple(sorted(vals))


def _restates(v: float, row: tuple[float, ...]) -> bool:
    """`v` is one of the row's values (sorted), to the rounding a text would use."""
    k = bisect_left(row, v)
    return any(abs(v - r) <= max(0.051, 0.005 * abs(r)) for r in row[max(k - 1, 0):k + 1])


# a deadline or a future date attached to an action: "3月底前", "明年二季度", "寒假期间", "于11月"
_DEADLINE = re.compile(
    r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末|中旬|上旬|下旬|\d{1,2}日)?(?:前|以前|之前)"
    r"|(?:年底|年末|月底|季度末|汛期|汛前|开学|春节|雨季|寒假|暑假)(?:前|以前|之前|期间)"
    r"|(?:明年|下年度|次年|下半年|下一年度|\d{4}年)(?:[一二三四1-4]季度|上半年|下半年|\d{1,2}月|年底|底前)"
    r"|(?:于|在|到)\d{1,2}月")
# a new target value: "调整为96%", "调到50家", "按近三年平均水平设定"
_NEW_VALUE = re.compile(r"(?:调整为|调整到|调到|调为|设定为|设为|提高到|提高至|降为|降到|下调至|下调为|上调至|改为)"
                        r"[^，。；]{0,6}\d|按[^，。；]{2,14}(?:设定|测算|确定|核定)")
# who does it: an office of the unit, or "由…负责/牵头"
_OWNER = re.compile(r"由[^，。；]{1,12}?(?:负责|牵头|实施|承担|组织)|(?:科|股|办公室|中心|站|所|卫生院|局|委|处)(?:负责|牵头|每|于|在|将|已)")


# the measure region's counts of deadlines, new values, owners, frequencies, quantities (bare dates
# and numbers added nothing in cross-validation once deadlines and quantities were counted)
# Each with a character class every match has a member of: a scan for it is far cheaper than the
# pattern's, and most measures have none.
_MEASURE_COUNTS = (("deadline", _DEADLINE, re.compile("[前间月年季]")),
                   ("new_value", _NEW_VALUE, re.compile("[调设提降改按]")),
                   ("owner", _OWNER, re.compile("[由科股办心站所院局委处]")),
                   ("freq", _FREQ, re.compile("[每定周月]")),
                   ("quant", _QUANT, re.compile("[0-9一二两三四五六七八九十百]")))
_QUANT_HINT = _MEASURE_COUNTS[-1][2]
_NO_COUNTS = (0,) * len(_MEASURE_COUNTS)
_DATE_HINT = re.compile("[0-9季年月春汛前日]")

# hit kinds that are not substance: cut from a cause piece's length, or from a measure piece's
_CAUSE_CUT = frozenset(("restate", "vague", "cause_open", "null", "praise"))
_MEASURE_CUT = frozenset(("vague", "measure_open", "measure_lead", "measure_done", "measure_time"))
# A cause piece that ends in a judgement of insufficiency ("创新能力有待提升", "把关不够严格",
# "服务能力仍较薄弱", "电商人才缺乏"): a verdict on the unit's own work or a standing condition,
# not a factor; with no number and no concrete event it is the guideline's boilerplate. Every
# alternative ends the piece within 8 characters, so only the tail is searched.
_JUDGEMENT = re.compile(r"(?:不够|不太|尚不|仍不|还不)[\u4e00-\u9fff]{1,3}$|有待[\u4e00-\u9fff]{1,6}$"
                        r"|(?:薄弱|较弱|偏弱|不足|不强|不高|不到位|不充分|不健全|不完善|不规范|不明显|不平衡"
                        r"|不均衡|欠缺|缺乏|不经常|不深入|不及时|不精准)$")
_VAGUE_KEY = {"cause": "vague_cause", "measure": "vague_measure"}
_ROLES = ("cause", "measure", "other", "heading")


# the hand features of each axis, in the order _hand() gives them
HAND_FEATURES = {
    "cause": ("empty_text", "no_cause_region", "cause_len", "cause_pieces", "restate_pieces",
              "substance_pieces", "only_restate", "substance_chars", "cause_open", "concrete_cause",
              "restate_cues", "vague_cause", "vague_cover", "nums_equal_row", "nums_other",
              "factor_quant", "factor_date", "indicator_overlap", "praise", "best_piece", "headings",
              "has_measure", "text_len", "problem_pieces", "judgement_pieces"),
    "measure": ("empty_text", "no_measure_region", "measure_len", "measure_pieces", "measure_open",
                "measure_done", "concrete_measure", "vague_measure", "vague_cover", "rest_chars",
                *(name for name, _, _ in _MEASURE_COUNTS), "indicator_overlap",
                "best_piece_rest", "clean_pieces", "signal_pieces", "headings", "has_cause"),
}


def _hand(p: Prepared, indicator: str, target: str, actual: str) -> dict[str, tuple]:
    """The hand features of each axis as a tuple, named by HAND_FEATURES."""
    # one pass over the pieces and their hits; the region totals (content length, indicator
    # characters) are sums over the pieces, since the "，" joining them counts in neither
    norm = p.norm
    ind_chars = _indicator_chars(indicator)
    row = None                  # the row's values, read when a cause piece has a number
    vague_cover = dict.fromkeys(_ROLES, 0)
    kinds = {r: {} for r in _ROLES}
    n_pieces = dict.fromkeys(_ROLES, 0)
    restate_pieces = substance_pieces = substance_chars = nums_eq = nums_other = 0
    factor_quant = factor_date = problem_pieces = judgement_pieces = 0
    best_rest = clean_pieces = signal_pieces = best_cause = 0
    c_len = c_ind = 0
    for (a, b, r, _), (counts, cut_c, cut_m, vague_len) in zip(p.pieces, p.piece_counts):
        n_pieces[r] += 1
        if r == "heading":
            continue
        kr = kinds[r]
        for kind, n in counts.items():
            kr[kind] = kr.get(kind, 0) + n
        vague_cover[r] += vague_len
        if r == "cause":
            s = norm[a:b]
            eq = other = 0
            if _NUMBER.search(s):
                if row is None:
                    row = _row_values(target, actual)
                for v in _values(s):
                    if _restates(v, row):
                        eq += 1
                    else:
                        other += 1
                nums_eq += eq
                nums_other += other
            if _QUANT_HINT.search(s):
                quant = len(_QUANT.findall(s))
                factor_quant += quant if quant > eq else 0
            if _DATE_HINT.search(s) and _DATE.search(s):
                factor_date += 1
            # a piece that names nothing missing, late, low or failed and gives no reason
            # ("资金使用严格按照规定执行") reports the work: few such pieces are causes
            if "cause_open" in counts or "concrete_cause" in counts or "restate" in counts or _problem(s):
                problem_pieces += 1
            if "concrete_cause" not in counts and not _NUMBER.search(s) and _JUDGEMENT.search(s, max(len(s) - 8, 0)):
                judgement_pieces += 1
            n_content = _content_chars(s)
            # indicator characters are never punctuation or digits: counting them in s is
            # counting them in its content
            in_ind_n = _count_in(s, ind_chars) if ind_chars else 0
            c_len += n_content
            c_ind += in_ind_n
            rest = max(n_content - in_ind_n - cut_c, 0)
            best_cause = max(best_cause, n_content - in_ind_n)
            # a piece that only restates: nothing left but the result itself, or a restating
            # cue / the row's own numbers with little else ("差12户", "完成率81%，未达目标")
            if "concrete_cause" not in counts and (rest <= 2 or (("restate" in counts or eq) and rest <= 8)):
                restate_pieces += 1
            else:
                substance_pieces += 1
                substance_chars += rest
        elif r == "measure":
            # one by one: "one concrete action is enough, even among slogans"
            s = norm[a:b]
            m = _ENUM_LEAD.match(s) if s[0] in _ENUM_FIRST else None
            rest = max(_content_chars(s[m.end():] if m else s) - cut_m, 0)
            best_rest = max(best_rest, rest)
            if rest >= 5 and "vague" not in counts:
                clean_pieces += 1
            if ("concrete_measure" in counts or (_DATE_HINT.search(s) and _DATE.search(s))
                    or (_QUANT_HINT.search(s) and _QUANT.search(s)) or _FREQ.search(s)):
                signal_pieces += 1

    mt = p.measure_text
    m_len = _content_chars(mt)
    ind_overlap_c = (c_ind / c_len) if c_len and ind_chars else 0.0
    ind_overlap_m = (_count_in(mt, ind_chars) / m_len) if m_len and ind_chars else 0.0
    kc, km = kinds["cause"], kinds["measure"]
    m_vague = km.get("vague_measure", 0) + km.get("vague_cause", 0)
    m_rest = max(m_len - vague_cover["measure"], 0)
    # in HAND_FEATURES order
    cause = (
        float(p.empty),
        float(c_len == 0),
        c_len,
        n_pieces["cause"],
        restate_pieces,
        substance_pieces,
        float(substance_pieces == 0 and restate_pieces > 0),
        substance_chars,
        kc.get("cause_open", 0),
        kc.get("concrete_cause", 0),
        kc.get("restate", 0),
        kc.get("vague_cause", 0),
        vague_cover["cause"] / c_len if c_len else 0.0,
        nums_eq,
        nums_other,
        factor_quant,
        factor_date,
        ind_overlap_c,
        kinds["other"].get("praise", 0) + kinds["other"].get("null", 0),
        best_cause,
        n_pieces["heading"],
        float(m_len > 0),
        len(norm),
        problem_pieces,
        judgement_pieces,
    )
    measure = (
        float(p.empty),
        float(m_len == 0),
        m_len,
        n_pieces["measure"],
        km.get("measure_open", 0) + km.get("measure_time", 0),
        km.get("measure_done", 0),
        km.get("concrete_measure", 0),
        m_vague,
        vague_cover["measure"] / m_len if m_len else 0.0,
        m_rest,
        *([len(r.findall(mt)) if hint.search(mt) else 0 for _, r, hint in _MEASURE_COUNTS] if mt else _NO_COUNTS),
        ind_overlap_m,
        best_rest,
        clean_pieces,
        signal_pieces,
        n_pieces["heading"],
        float(c_len > 0),
    )
    return {"cause": cause, "measure": measure}


# ---- what the models read from a Prepared (shared by nlp/estimators.py and nlp/runtime.py)

# counts and lengths that enter the models as log1p(min(x, 400)): a 10,000-character paste must
# not swamp the scaler (applied column-wise in hand_matrix, once per batch)
LOG_FEATURES = frozenset([
    "best_piece", "best_piece_rest", "cause_len", "cause_open", "cause_pieces", "clean_pieces",
    "concrete_cause", "concrete_measure", "deadline", "factor_date", "factor_quant", "freq",
    "headings", "judgement_pieces", "measure_done", "measure_len", "measure_open", "measure_pieces", "new_value",
    "nums_equal_row", "nums_other", "owner", "problem_pieces", "praise", "quant", "rest_chars", "restate_cues",
    "restate_pieces", "signal_pieces", "substance_chars", "substance_pieces", "text_len",
    "vague_cause", "vague_measure"])
LOG_CAP = 400


def hand_matrix(prepared: list, axis: str, names: tuple) -> "np.ndarray":
    """The hand features of `axis` for a batch, in `names` order, log columns transformed."""
    import numpy as np

    order = HAND_FEATURES[axis]
    # one flat pass (np.array over a list of tuples inspects every element for shape and type)
    m = np.fromiter(chain.from_iterable([p.hand[axis] for p in prepared]), dtype=float,
                    count=len(prepared) * len(order)).reshape(len(prepared), len(order))
    if names != order:
        m = m[:, [order.index(n) for n in names]]
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
