"""`pianchai train`: fit both axes on corpus/ (+ extra labelled files), write the model and card.

The protocol (nlp/splits.py, models/MODEL_CARD.md):
- leave-one-writer-out cross-validation is the headline: every writer's texts are scored by a
  model trained on the other writers only, and calibrated by a temperature and floor fitted on the
  other independent writers' cross-validated scores (nlp/calibration.py, nlp/splits.TEAM);
- the shipped model is fitted on everything and calibrated on all independent writers' scores;
- the dev set's `read` half is scored on every run; its `score_only` half and the real texts
  only with `final=True` (summary figures, never the texts).
Reproducible: files are read in sorted order, rows sorted by id, the classifier has a fixed seed.
"""
from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from pathlib import Path

import numpy as np

from nlp import calibration
from nlp.corpus import DEV_SET, corpus_files, data_hash, read_corpus, read_labelled
from nlp.features import AXES, LABELS, prepare
from nlp.metrics import format_report, score
from nlp.splits import REAL_DIR, TEAM, dev_halves, writer_folds, writer_of

REAL_SET = REAL_DIR / "explanations.jsonl"


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
    return data_hash([LEXICON_DIR / "cues.txt", LEXICON_DIR / "vague.txt", LEXICON_DIR / "non_answers.txt",
                      LEXICON_DIR / "ocr_slips.txt", USERDICT])


def verdicts_sha256(judge, rows) -> str:
    """sha256 of the judge's whole verdicts (labels, probabilities, unsure axes, evidence) on
    `rows`, in order: recorded with the model, so a test sees any change to the features or the
    run-time scoring that alters a verdict without retraining."""
    items = [{"text": r["text"], "indicator": r.get("indicator") or "", "target": r.get("target") or "",
              "actual": r.get("actual") or ""} for r in rows]
    digest = hashlib.sha256()
    for v in judge.judge_many(items):
        digest.update(json.dumps(v.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()


def prepare_rows(rows):
    return [prepare(r["text"], str(r.get("indicator") or ""), str(r.get("target") or ""),
                    str(r.get("actual") or "")) for r in rows]


def logits(models, prepared) -> dict[str, np.ndarray]:
    """Each axis's logits, columns in LABELS order."""
    out = {}
    for axis, m in models.items():
        z = m.decision_function(prepared)
        out[axis] = z[:, [list(m.classes_).index(lab) for lab in LABELS]]
    return out


def gold_index(rows, axis) -> np.ndarray:
    return np.array([LABELS.index(r[axis]) for r in rows])


def verdicts(rows_logits: dict[str, np.ndarray], calib: dict) -> list:
    """Verdicts (labels and calibrated probabilities, no evidence) from logits."""
    from nlp.judge import batch_rows, make_verdict

    rows = {axis: batch_rows(LABELS, calibration.probabilities(z, *calib[axis])) for axis, z in rows_logits.items()}
    return [make_verdict(rows, k) for k in range(len(rows["cause"][1]))]


def fit_calibration(oof: dict, rows: list[dict], idx: list[int]) -> dict:
    """Temperature and floor per axis from the out-of-fold logits of the rows `idx`."""
    return {axis: calibration.fit(oof[axis][idx], gold_index([rows[i] for i in idx], axis)) for axis in AXES}


def cross_validate(prepared, rows, fit, log=print) -> dict:
    """Leave-one-writer-out: out-of-fold logits for every row, each writer calibrated on the
    others' out-of-fold logits; metrics pooled over all rows and per writer."""
    folds = writer_folds(rows)
    oof = {axis: np.zeros((len(rows), len(LABELS))) for axis in AXES}
    for writer, train_idx, test_idx in folds:
        models = fit([prepared[i] for i in train_idx], [rows[i] for i in train_idx])
        z = logits(models, [prepared[i] for i in test_idx])
        for axis in AXES:
            oof[axis][test_idx] = z[axis]
        log(f"  fold {writer}: {len(test_idx)} rows scored")
    out = [None] * len(rows)
    per_writer = {}
    for writer, train_idx, test_idx in folds:
        calib = fit_calibration(oof, rows, [i for i in train_idx if writer_of(rows[i]) not in TEAM])
        vs = verdicts({axis: oof[axis][test_idx] for axis in AXES}, calib)
        for i, v in zip(test_idx, vs):
            out[i] = v
        per_writer[writer] = score([rows[i] for i in test_idx], vs)
    return {"metrics": score(rows, out), "per_writer": per_writer, "logits": oof, "verdicts": out}


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


def score_file(rows, models, calib) -> dict:
    return score(rows, verdicts(logits(models, prepare_rows(rows)), calib))


def train(out_dir: Path, extra: list[Path] = (), corpus_dir: Path | None = None,
          dev: Path | None = DEV_SET, final: bool = False, log=print) -> dict:
    import skops.io as sio

    from nlp.model import SEED, check_labels, fit_models
    from nlp.runtime import export

    files = corpus_files(corpus_dir) if corpus_dir else corpus_files()
    files = files + [Path(p) for p in extra]
    rows = read_corpus(files)
    rows.sort(key=lambda r: r["id"])
    writers = sorted({writer_of(r) for r in rows})
    log(f"training on {len(rows)} explanations from {len(files)} files, {len(writers)} writers")
    prepared = prepare_rows(rows)

    cv = cross_validate(prepared, rows, fit_models, log)
    log(format_report(cv["metrics"], "leave-one-writer-out cross-validation"))

    models = fit_models(prepared, rows)
    check_labels(models)
    calib = fit_calibration(cv["logits"], rows, [i for i, r in enumerate(rows) if writer_of(r) not in TEAM])
    out_dir.mkdir(parents=True, exist_ok=True)
    skops_path = out_dir / "explanation.skops"
    sio.dump({"models": models, "calibration": {a: list(c) for a, c in calib.items()}}, skops_path,
             compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    _fix_zip_times(skops_path)
    skops_sha = hashlib.sha256(skops_path.read_bytes()).hexdigest()

    evaluations = {}
    if dev and Path(dev).exists():
        dev_rows = read_labelled(Path(dev))
        halves = dev_halves()
        for half in ("read", "score_only") if final else ("read",):
            part = [r for r in dev_rows if r["id"] in halves[half]]
            evaluations[f"dev {half}"] = m = score_file(part, models, calib)
            log(format_report(m, f"dev set, {half} half"))
    if final and REAL_SET.exists():
        evaluations["real"] = m = score_file(read_labelled(REAL_SET), models, calib)
        log(format_report(m, "real texts (summary only)"))

    info = {
        "files": [str(f.relative_to(f.parents[2])) if len(f.parents) > 2 else str(f) for f in files],
        "n_rows": len(rows),
        "writers": {w: sum(writer_of(r) == w for r in rows) for w in writers},
        "data_sha256": data_hash(files),
        "labels": list(LABELS),
        "seed": SEED,
        "skops_sha256": skops_sha,
        "features_sha256": features_hash(),
        "versions": _versions(),
        "cv": cv["metrics"],
        "cv_per_writer": cv["per_writer"],
        "calibration": calib,
        "evaluations": evaluations,
        "label_counts": {axis: {lab: sum(r[axis] == lab for r in rows) for lab in LABELS}
                         for axis in AXES},
    }
    npz = out_dir / "explanation.npz"
    meta = {"skops_sha256": skops_sha, "data_sha256": info["data_sha256"], "features_sha256": info["features_sha256"]}
    export(models, calib, npz, meta)
    # the verdicts need the exported model itself (the numeric runtime is what judges)
    from nlp.judge import Judge
    from nlp.runtime import RuntimeModel
    meta["corpus_verdicts_sha256"] = verdicts_sha256(Judge(RuntimeModel(npz)), rows)
    export(models, calib, npz, meta)
    _fix_zip_times(npz)
    from nlp.card import model_card
    (out_dir / "MODEL_CARD.md").write_text(model_card(info), encoding="utf-8")
    return info
