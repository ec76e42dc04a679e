"""`pianchai train`: fit both axes on corpus/ (+ extra labelled files), write the model and card.

Reproducible: files are read in sorted order, the held-out split is by a hash of each id (fixed),
the classifier has a fixed seed. Held-out metrics come from a model fitted on the other 80 %;
the shipped model is then fitted on everything. The dev set (../shared) is only scored, never
trained on.
"""
from __future__ import annotations

import hashlib
import platform
import zipfile
from pathlib import Path

from nlp.corpus import DEV_SET, corpus_files, data_hash, read_corpus, read_labelled
from nlp.features import AXES, LABELS, prepare
from nlp.metrics import format_report, score

HELDOUT_SHARE = 5       # 1 in 5 ids (by hash) is held out for the card's held-out metrics
CV_FOLDS = 5            # folds by the same id hash


def _fix_zip_times(path: Path) -> None:
    """Rewrite a zip (skops, npz) with fixed member timestamps so retraining gives identical bytes."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as dst:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data, compresslevel=9)


def features_hash() -> str:
    """sha256 of the data files the features read (lexicons, jieba dictionary): a model is only
    valid with the files it was trained with — tests compare this with the shipped model's."""
    from nlp.lexicon import LEXICON_DIR
    from nlp.pipeline import USERDICT
    return data_hash([LEXICON_DIR / "cues.txt", LEXICON_DIR / "vague.txt", USERDICT])


def _bucket(row_id: str, n: int) -> int:
    return int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % n


def is_heldout(row_id: str) -> bool:
    return _bucket(row_id, HELDOUT_SHARE) == 0


def cross_validate(prepared, rows, fit) -> dict:
    """Out-of-fold verdicts for every row (folds by id hash), scored together."""
    verdicts = [None] * len(rows)
    folds = [_bucket(r["id"], CV_FOLDS) for r in rows]
    for f in range(CV_FOLDS):
        train_idx = [i for i, k in enumerate(folds) if k != f]
        test_idx = [i for i, k in enumerate(folds) if k == f]
        models = fit([prepared[i] for i in train_idx], [rows[i] for i in train_idx])
        for i, v in zip(test_idx, _verdicts(models, [prepared[i] for i in test_idx])):
            verdicts[i] = v
    return score(rows, verdicts)


def prepare_rows(rows):
    return [prepare(r["text"], str(r.get("indicator") or ""), str(r.get("target") or ""),
                    str(r.get("actual") or "")) for r in rows]


def _versions() -> dict:
    import numpy
    import scipy
    import sklearn
    import skops
    from importlib.metadata import version
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
            "rjieba": version("rjieba"), "jieba": version("jieba"),
            "pyahocorasick": version("pyahocorasick")}


def _verdicts(models, prepared) -> list:
    """Verdicts (labels only, no evidence) of fitted Pipelines on prepared explanations."""
    from nlp.judge import Verdict

    probas = {axis: (m.classes_, m.predict_proba(prepared)) for axis, m in models.items()}
    out = []
    for k in range(len(prepared)):
        labels = {axis: str(classes[int(proba[k].argmax())]) for axis, (classes, proba) in probas.items()}
        out.append(Verdict(labels["cause"], labels["measure"], {}, {},
                           labels["cause"] != "specific" or labels["measure"] != "specific"))
    return out


def train(out_dir: Path, extra: list[Path] = (), corpus_dir: Path | None = None,
          dev: Path | None = DEV_SET, log=print) -> dict:
    import skops.io as sio

    from nlp.model import SEED, check_labels, fit_models
    from nlp.runtime import export

    files = corpus_files(corpus_dir) if corpus_dir else corpus_files()
    files = files + [Path(p) for p in extra]
    rows = read_corpus(files)
    rows.sort(key=lambda r: r["id"])
    log(f"training on {len(rows)} explanations from {len(files)} files")
    prepared = prepare_rows(rows)

    train_idx = [i for i, r in enumerate(rows) if not is_heldout(r["id"])]
    held_idx = [i for i, r in enumerate(rows) if is_heldout(r["id"])]
    held_models = fit_models([prepared[i] for i in train_idx], [rows[i] for i in train_idx])
    held_rows = [rows[i] for i in held_idx]
    held_metrics = score(held_rows, _verdicts(held_models, [prepared[i] for i in held_idx]))
    log(format_report(held_metrics, "held-out split of the training data"))

    cv_metrics = cross_validate(prepared, rows, fit_models)
    log(format_report(cv_metrics, f"{CV_FOLDS}-fold cross-validation on the training data"))

    models = fit_models(prepared, rows)
    check_labels(models)
    out_dir.mkdir(parents=True, exist_ok=True)
    skops_path = out_dir / "explanation.skops"
    sio.dump(models, skops_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    _fix_zip_times(skops_path)
    skops_sha = hashlib.sha256(skops_path.read_bytes()).hexdigest()

    dev_metrics = None
    if dev and Path(dev).exists():
        dev_rows = read_labelled(Path(dev))
        dev_metrics = score(dev_rows, _verdicts(models, prepare_rows(dev_rows)))
        log(format_report(dev_metrics, f"dev set {Path(dev).name} (never trained on)"))

    info = {
        "files": [str(f.relative_to(f.parents[2])) if len(f.parents) > 2 else str(f) for f in files],
        "n_rows": len(rows),
        "data_sha256": data_hash(files),
        "labels": list(LABELS),
        "seed": SEED,
        "skops_sha256": skops_sha,
        "features_sha256": features_hash(),
        "versions": _versions(),
        "heldout": held_metrics,
        "heldout_n_train": len(train_idx),
        "cv": cv_metrics,
        "dev": dev_metrics,
        "label_counts": {axis: {lab: sum(r[axis] == lab for r in rows) for lab in LABELS}
                         for axis in AXES},
    }
    export(models, out_dir / "explanation.npz", {"skops_sha256": skops_sha,
                                                  "data_sha256": info["data_sha256"],
                                                  "features_sha256": info["features_sha256"]})
    _fix_zip_times(out_dir / "explanation.npz")
    (out_dir / "MODEL_CARD.md").write_text(model_card(info), encoding="utf-8")
    return info


def model_card(info: dict) -> str:
    def table(m):
        lines = ["| axis | accuracy | macro-F1 | absent-F1 |", "|---|---|---|---|"]
        for axis in AXES:
            a = m[axis]
            lines.append(f"| {axis} | {a['accuracy']:.3f} | {a['macro_f1']:.3f} | {a['absent_f1']:.3f} |")
        lines.append(f"| flagged (macro over both classes) | | {m['flagged']['macro_f1']:.3f} | |")
        return "\n".join(lines)

    counts = "\n".join(f"- {axis}: " + ", ".join(f"{k} {v}" for k, v in c.items())
                       for axis, c in info["label_counts"].items())
    versions = "\n".join(f"- {k} {v}" for k, v in info["versions"].items())
    files = "\n".join(f"- `{f}`" for f in info["files"])
    dev = (f"## Dev set (`../shared/data/dev_explanations.jsonl`, n={info['dev']['n']}, never trained on)\n\n"
           + table(info["dev"])) if info["dev"] else "## Dev set\n\nNot present when this model was trained."
    return f"""# Model card: explanation classifier (`models/explanation.skops`)

Judges a 偏差原因分析及改进措施 text on two axes, `cause` and `measure`, each one of
{", ".join(f"`{x}`" for x in info["labels"])} (definitions: `corpus/GUIDELINE.md`). Flagged = either
axis not `specific`.

## Model
One scikit-learn `Pipeline` per axis (`nlp/model.py`): a `FeatureUnion` of
- tf-idf over jieba tokens (unigrams + bigrams) of the axis's region of the text — the pieces read
  as cause or as measure by the clause/cue tagger (`nlp/features.py`);
- tf-idf over character bigrams of that region (digits folded);
- standardised hand features: lexicon hits per category (`corpus/lexicons/`), vague-phrase
  coverage, dates / frequencies / quantities in the measure, and indicator context (numbers equal
  to the target/actual, share of the indicator name's characters, pieces that only restate);

then `LogisticRegression` (multinomial, class_weight=balanced, seed {info["seed"]}). Two models
rather than one multi-output model: each axis reads its own region, and the per-axis regularisation
is chosen separately.

Files: `explanation.skops` is the model of record (load with `nlp.judge.load_skops`, which trusts
only the names in `nlp.model.TRUSTED_TYPES`). `explanation.npz` is a pickle-free numeric export of
the same Pipelines (`nlp/runtime.py`) that the judge uses at run time so that `pianchai explain`
starts without importing scikit-learn/skops; it records the .skops sha256
(`{info["skops_sha256"][:16]}…`) and a test checks both give the same probabilities.

## Training data
{info["n_rows"]} explanations, sha256 of the files `{info["data_sha256"]}`:
{files}

Label counts:
{counts}

## Held-out metrics
Fixed split: ids whose sha256 ≡ 0 (mod {HELDOUT_SHARE}) held out ({info["heldout"]["n"]} rows); a model
fitted on the other {info["heldout_n_train"]} rows scored them.

{table(info["heldout"])}

{CV_FOLDS}-fold cross-validation over all {info["n_rows"]} rows (folds by the same id hash; every row
scored by a model that did not see it):

{table(info["cv"])}

{dev}

Feature data (lexicons + jieba dictionary) sha256 `{info["features_sha256"]}`: editing
`corpus/lexicons/*` or `corpus/userdict.txt` requires retraining (a test checks the match).

## Caveats
- The dev set was never trained on, but its misclassifications were read while the role tagger
  and the lexicons were revised (in general terms: no dev phrase is in any lexicon or corpus file).
  The dev figures are therefore somewhat optimistic; the corpus held-out split is the cleaner
  estimate of in-distribution quality, and neither says how the model does on other writers' text.
- The training corpus was written for this project (not real forms); writing styles outside it
  (very long official paragraphs, dialect phrasing, OCR noise) are less well covered.
- Labels near the specific/generic line are uncertain by nature; the guideline says choose
  `generic` when in doubt, and the model inherits that lean.

## Library versions
{versions}

Reproduce: `pianchai train` (writes this card). Retraining on the same files gives identical
learned arrays (the .npz members); the .skops bytes differ between runs only because skops keys
its members by Python object ids.
Evaluate: `pianchai evaluate ../shared/data/dev_explanations.jsonl`.
"""
