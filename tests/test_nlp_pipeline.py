"""Segmentation: spaCy zh + jieba + domain dictionary, and the rjieba shim gives the same tokens."""
import subprocess
import sys
from pathlib import Path

from nlp.pipeline import jieba_module, make_nlp, read_userdict, segment

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "由于招标两次流标，合同推迟到11月签订。",
    "下一步将按实际工单量将结案率目标调整为98%，并建立整改台账。",
    "一是压实度检测不合格需返工；二是雨季停工。",
    "预算执行率为76.5%，主要是质保金按合同约定次年支付。",
]


def test_make_nlp_uses_jieba_tokens_with_domain_dictionary():
    nlp = make_nlp()
    jieba = jieba_module()
    for text in TEXTS:
        assert [t.text for t in nlp(text)] == jieba.lcut(text) == segment(text)
    assert "流标" in [t.text for t in nlp(TEXTS[0])]
    assert "台账" in segment(TEXTS[1])
    assert make_nlp() is nlp


def test_userdict_entries_have_frequencies():
    words = read_userdict()
    assert words and all(freq > 0 for _, freq, _ in words)


def test_jieba_logs_nothing_to_stderr():
    code = "from nlp.pipeline import make_nlp; make_nlp()('由于资金下达较晚，项目推迟开工。')"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
