"""The model card (models/MODEL_CARD.md), written by `pianchai train` from what it measured."""
from __future__ import annotations

from nlp.features import AXES

_PROTOCOL = """## Evaluation protocol
Decided before the figures below were produced, and kept:
- **Headline: leave-one-writer-out cross-validation.** Every corpus line names its writer. Each
  writer's texts are scored by a model trained on the other writers only — a style the model has
  not seen, not a row it has not seen. `part_a`…`part_d` and `extra_nlp` are the project team's
  files (one team, similar style), each its own writer; `w1frag`, `w2list`, … are independent
  writers, each briefed on one real style and not shown the dev or real sets.
- **Calibration is cross-validated too**: the probabilities of writer W's texts come from a
  temperature and floor fitted on the other independent writers' cross-validated scores
  (`nlp/calibration.py`); the shipped model's calibration is fitted on all independent writers'.
  The team's files are left out of the fit: held out one at a time, each still has its four
  sister files in training, so their scores are optimistic about an unseen style.
- **Dev set** (`../shared/data/dev_explanations.jsonl`) split once by a hash of the id
  (`corpus/dev_split.toml`): the `read` half may be listed (`pianchai evaluate FILE --dev-half read
  --errors`); the `score_only` half is scored at the end only, where the expected calibration error
  is measured. `pianchai evaluate` refuses to list errors of the score-only half.
- **Real texts** (`../shared/real/explanations.jsonl`): summary figures only, never their texts or
  errors (`pianchai evaluate` refuses `--errors` there). They were scored about seven times
  while the earlier models were built (accuracy and confusion counts, which pointed at classes of
  problem to look for in the corpus: measures not found, descriptions read as causes, generic
  causes called specific) and once by each final run or closing check since: about twenty-one times
  in total, this model's final run included. No real text or error was read.
- The `score_only` half was scored fourteen times before (first final runs and earlier final
  models) and once by this model's final run: fifteen times in total. Its figures drove no
  change (a fall in cause macro-F1 there, 0.935 → 0.898, was reported, not chased).
- **Writers as untouched test sets.** The eleven latest writers were each scored by the model of
  the day before their texts joined the corpus: a style that model had not seen, and texts
  nobody had read. Cause / measure / flagged macro-F1: `w18nearmiss` (causes near the line, on
  the generic side) 0.950 / 0.973 / 0.962; `w19slogans` (measures glued into short cells)
  0.910 / 0.898 / 0.908; `w20glued` (one breath, no punctuation) 0.868 / 0.852 / 0.853;
  `w21official` (the official register) 0.984 / 0.962 / 0.968; `w23cells` (short cells of
  central and western counties) 0.959 / 0.961 / 0.923; `w22sections` (report excerpts) 0.891 /
  0.965 / 0.929; `w24problems` (a department report's 存在问题 paragraph) 0.944 / 0.947 / 0.939
  (0.932 / 0.947 / 0.945 with the judgement feature below); `w25formlevel` (form-level cause and
  measure cells) 0.976 / 0.968 / 0.947; `w26fragments` (2–20 character fragments) 0.834 / 0.773
  / 0.629; `w27township` (township reports) 0.866 / 0.961 / 0.973; `w28achievements` (answers that
  report the year's work) 0.755 / 0.903 / 0.873. The last three are the weakest styles found:
  fragments with no cue word, and reports of work done read as causes.
- Feature changes came from reading those writers' errors; the first two were then checked on a
  writer nobody had read. Measures glued to their cause with no break ("入户难后期加强宣传", from
  `w19slogans` and `w20glued`): `w20glued` measure 0.852 → 0.919, the untouched `w21official`
  unchanged. Cause pieces that only judge insufficiency ("创新能力有待提升", "把关不够严格", from
  `w22sections`): `w22sections` cause 0.902 → 0.943, the untouched `w24problems` cause 0.944 →
  0.932 and flagged 0.939 → 0.945, the cross-validated figures unchanged; kept because it is the
  guideline's rule (boilerplate and standing complaints are generic) and the real texts' known
  error runs that way. Reports of work done (describe cues of township and bureau reports; a
  counted piece of work with no problem named; the rest of such a sentence) and measures with no
  cue word (a new value, a changed arrangement, a routine) came from reading `w26fragments`,
  `w27township` and `w28achievements`: `w27township` cause 0.866 → 0.937, `w28achievements`
  0.755 → 0.782, cross-validated figures within 0.001; no untouched writer was left to check
  them on. A count of pieces carrying an event, a date or a number moved nothing and was left
  out.
- Four more writers were scored untouched by the previous model before they joined:
  `w29terse` (telegraphic cells of western county stations, no cue words) 0.840 / 0.714 / 0.754;
  `w30notcause` (reports, scoring statements and pointers instead of a reason) 0.905 / 0.970 /
  0.922; `w31nearline` (plain sentences on the specific/generic line, both ways) 0.929 / 0.955 /
  0.951; `w32cells` (damaged and odd cells of published tables) 0.875 / 0.910 / 0.884.
  Reading `w29terse`'s errors gave two role-tagger changes: an imperative verb heading a piece
  that is then judged ("推进缓慢", "组织不到位", "协调难度大") names a weakness, a cause, not a
  measure; and a telegraphic measure after its cause, split off at a dropped space or read after
  a comma (a time to come heading a doing verb "一季度补装", a changed arrangement "改季度拨付",
  borrowed or added means "借镇文化站", a follow-up word "跟踪督办"). With the corpus of the day
  (before the four joined): `w29terse` 0.840 / 0.714 / 0.754 → 0.869 / 0.804 / 0.806; the
  untouched `w30notcause` 0.905 → 0.900 cause, `w31nearline` flagged 0.951 → 0.945, `w32cells`
  unchanged; cross-validated cause / measure / flagged 0.924 / 0.945 / 0.929 → 0.925 / 0.946 /
  0.930. A routine made denser ("由每日1次增至2次"), "2023年一季度起…" and "2024年与…协调" were
  added as measures from a reading probe's false "no measure" warnings on constructed forms.
- Two more writers were scored untouched by the model trained with the four above:
  `w33archive` (the lost-point rows of one prefecture's archive for a year, every author's style
  mixed, labels falling as such an archive has them) 0.851 / 0.935 / 0.852; `w34overunder`
  (over-achievement and budget execution) 0.894 / 0.899 / 0.866. Reading `w33archive`'s errors
  gave one change: a piece that names what was left undone and then acts on it ("对未整改的3家单位
  下发督办函") is a measure. From `w32cells`' held-out errors: in a text spaced out character by
  character the spaces are the extraction's, so they no longer start telegraphic pieces.
- Two more writers were scored untouched by that model: `w35aggregate` (provincial departments
  explaining transfer funds carried out by many counties) 0.956 / 0.979 / 0.967; `w36measures`
  (the specific/generic line of the measure axis, both ways) 0.877 / 0.867 / 0.886. From reading
  `w12praise` and `w28achievements` held-out errors: characters of nouns such as 低保, 困难群众,
  特困 and 残疾 no longer count as a problem named (a report of what was paid to them read as a
  cause), and "提升了…" after an imperative is a result, not a measure. A half-year or quarter to
  come heading the work ("2024年上半年完成剩余3个项目验收") is a plan, from a reading probe's
  false "no measure" warnings on constructed forms.
- tf-idf terms are kept only when seen in two texts, a change made for size (the skops
  file had passed 5 MB); cross-validated figures moved by at most 0.002.
- Vague-cause phrases of insufficiency (不够细致, 不够完善, 不够深入 …) came from a seed form's
  judged finding (a generic cause called specific); cross-validated figures unchanged.
- Writers `w16county` (fast, loose township clerks) and `w17measures` (the measure
  side in every shape: requests, conditions, actions taken, dated plans, slogans), were brought
  in as written, with no feature change after them.
- Writers `w11status` (status, waiting and expected-completion cells) and
  `w12praise` (praise, process and template text in the explanation cell) were briefed on the
  styles of real cells the earlier corpus lacked, chosen from the known confusion counts of the
  real texts (descriptions read as causes, generic measures not found) and from what real forms
  look like; no real text was read. Their cross-validated errors were then read for general
  cues (praise and process phrases, plans that open a piece, a cause piece that names no
  problem), so their held-out figures are on read data too. They stay low (a style the rest of
  the corpus lacks), while most other writers' held-out figures rose when the two came in.
  Three more writers followed, briefed the same way: `w13short` (short cause-only cells on the
  specific/generic line) came in before the last role change (actions already taken, remainders
  with their plan); `w14report` (report sections pasted as the explanation) and `w15cells` (what
  else ends up in a cell: over-achievement, budget rows, wrong-cell text, slips, cut-offs) came
  in last, with no feature change after them.
- Writers `w9narrative` and `w10clerk` came in after the features were built: their
  texts were read for the section headings they use, and every change kept afterwards was kept
  only if it raised or kept the cross-validated figures overall and lowered no writer by more
  than 0.02."""


def _table(m: dict) -> str:
    lines = ["| axis | accuracy | macro-F1 | absent-F1 | ECE | wrong shown as 1.00 |", "|---|---|---|---|---|---|"]
    for axis in AXES:
        a = m[axis]
        lines.append(f"| {axis} | {a['accuracy']:.3f} | {a['macro_f1']:.3f} | {a['absent_f1']:.3f} | "
                     f"{a['ece']:.3f} | {a['certain_wrong']} |")
    lines.append(f"| flagged (macro over both classes) | | {m['flagged']['macro_f1']:.3f} | | | |")
    return "\n".join(lines)


def _per_writer(per: dict) -> str:
    lines = ["| writer | n | cause macro-F1 | measure macro-F1 | flagged macro-F1 |", "|---|---|---|---|---|"]
    for w, m in per.items():
        lines.append(f"| {w} | {m['n']} | {m['cause']['macro_f1']:.3f} | {m['measure']['macro_f1']:.3f} | "
                     f"{m['flagged']['macro_f1']:.3f} |")
    return "\n".join(lines)


def _band(m: dict, unsure_below: float) -> str:
    lines = [f"| axis | share unsure (top p < {unsure_below}) | accuracy when sure | accuracy when unsure |",
             "|---|---|---|---|"]
    for axis in AXES:
        a = m[axis]
        lines.append(f"| {axis} | {a['unsure_share']:.1%} | {a['accuracy_sure']:.3f} | {a['accuracy_unsure']:.3f} |")
    return "\n".join(lines)


_EVALUATIONS = {
    "dev read": "Dev set, `read` half (n={n}): errors were read while the features were built",
    "dev score_only": "Dev set, `score_only` half (n={n}): scored once, at the end; never read",
    "real": "Real texts, `../shared/real/explanations.jsonl` (n={n}): summary only; never read",
}


def model_card(info: dict) -> str:
    from nlp.judge import UNSURE_BELOW

    counts = "\n".join(f"- {axis}: " + ", ".join(f"{k} {v}" for k, v in c.items())
                       for axis, c in info["label_counts"].items())
    versions = "\n".join(f"- {k} {v}" for k, v in info["versions"].items())
    files = "\n".join(f"- `{f}`" for f in info["files"])
    calib = "\n".join(f"- {axis}: temperature {t:.3f}, floor {e:.4f}" for axis, (t, e) in info["calibration"].items())
    evaluations = "\n\n".join(f"### {_EVALUATIONS[k].format(n=m['n'])}\n\n{_table(m)}"
                              for k, m in info["evaluations"].items())
    if "dev score_only" not in info["evaluations"]:
        evaluations += ("\n\nThe dev set's `score_only` half and the real texts are scored by "
                        "`pianchai train --final` only.")
    return f"""# Model card: explanation classifier (`models/explanation.skops`)

Judges a 偏差原因分析及改进措施 text on two axes, `cause` and `measure`, each one of
{", ".join(f"`{x}`" for x in info["labels"])} (definitions: `corpus/GUIDELINE.md`). Flagged = either
axis not `specific`. Probabilities are calibrated; an axis whose top probability is below
{UNSURE_BELOW} is *unsure* (its findings are info, never warnings). A text in another script than
Chinese, or a single character that is no known non-answer, is *not judged* (label `unjudged`).

{_PROTOCOL}

## Model
One scikit-learn `Pipeline` per axis (`nlp/model.py`): a `FeatureUnion` of
- tf-idf over jieba tokens (unigrams + bigrams) of the axis's region of the text — the pieces read
  as cause or as measure by the role tagger (`nlp/features.py`: cue words, section headings such
  as `（三）存在的问题及原因分析` / `（四）下一步改进措施`, breaks in telegraphic notes, taken actions,
  text that only repeats the row);
- tf-idf over character bigrams of that region (digits folded); both tf-idf blocks keep only terms
  seen in at least two texts (a term of one text says nothing about the next, and kept the model
  three times larger);
- standardised hand features: lexicon hits per category (`corpus/lexicons/`), vague-phrase
  coverage; for the cause, numbers compared with the row's own target, actual, gap and completion
  rate (a restated result vs a number describing the factor), quantities and dates attached to
  the factor, causal connectives; for the measure, deadlines, new target values, owners,
  frequencies and quantities;

then `LogisticRegression` (multinomial, newton-cg, class_weight=balanced, seed {info["seed"]}),
then the calibration (temperature and floor per axis, `nlp/calibration.py`):
{calib}

Text is repaired first (`corpus/lexicons/ocr_slips.txt`, full-width digits, `9O%`), and
non-answers (`corpus/lexicons/non_answers.txt`: 无, /, 详见自评报告) are absent/absent.

Files: `explanation.skops` is the model of record (the Pipelines and the calibration; load with
`nlp.judge.load_skops`, which trusts only the names in `nlp.model.TRUSTED_TYPES`). `explanation.npz`
is a pickle-free numeric export of the same (`nlp/runtime.py`) that the judge uses at run time so
that `pianchai explain` starts without importing scikit-learn/skops; it records the .skops sha256
(`{info["skops_sha256"][:16]}…`) and a test checks both give the same probabilities. It also records
the sha256 of its verdicts on the training corpus: a test recomputes them, so a change to the
features or the run-time scoring that alters any verdict is caught as a model change.

## Training data
{info["n_rows"]} explanations from {len(info["writers"])} writers, sha256 of the files `{info["data_sha256"]}`:
{files}

Label counts:
{counts}

## Leave-one-writer-out cross-validation (headline)
Pooled over all {info["n_rows"]} rows, each scored by a model that had not seen its writer. The
features were built while reading these cross-validated errors, so these are figures on data whose
errors were read.

{_table(info["cv"])}

Per writer:

{_per_writer(info["cv_per_writer"])}

The unsure band in cross-validation:

{_band(info["cv"], UNSURE_BELOW)}

## Other sets

{evaluations}

Feature data (lexicons + jieba dictionary) sha256 `{info["features_sha256"]}`: editing
`corpus/lexicons/*` or `corpus/userdict.txt` requires retraining (a test checks the match).

## Caveats
- Every text here was written for this project (corpus and dev set); only the real set is real,
  and it is small. Styles no writer covered are less well handled.
- The dev set's `read` half was read while building the features; the earlier model's lexicons
  were also revised with the whole dev set's errors in view (before this protocol), so even the
  `score_only` half is not entirely untouched by tuning; the real texts are.
- Labels near the specific/generic line are uncertain by nature; the guideline says choose
  `generic` when in doubt, and the model inherits that lean.

## Runtime
Recorded by `taskset -c 0 python bench/bench_nlp.py --card` (one core; rates are texts per
CPU-second, best of 3 runs; the machine's load is printed with the figures, since other processes
on shared cores slow every one of them: runs minutes apart still differ by up to ≈ 20 % (this
model: 6,600–7,600 distinct texts/s on 41-character texts), so compare the ratios to
segmentation, or two versions run side by side on the same texts).

{info.get("runtime") or "Not recorded for this model yet."}

## Library versions
{versions}

Reproduce: `pianchai train` (writes this card; `--final` adds the score-only and real figures).
Retraining on the same files gives identical learned arrays (the .npz members); the .skops bytes
differ between runs only because skops keys its members by Python object ids.
Evaluate: `pianchai evaluate ../shared/data/dev_explanations.jsonl --dev-half read`.
"""
