"""Many voices: speaker-grouped cross-validation over the pooled digit voices.

The headline measure of a digits recipe. The 198 pooled voices (:mod:`asrlib.voices`) are
dealt into five groups balanced by source and gender. Fold i tests on group i, validates
(best epoch, decoder weights) on group i+1 and trains on the other three, so every voice is
scored exactly once by a model that never heard it and was never tuned on it. Each fold is
trained under a time budget and cached in ``<out>/<recipe>/fold<i>.json`` with every test
utterance's transcript, so tables, label checks and breakdowns are computed from the
stored files::

    python -m asrlib voices --recipe voices --budget 240            # all five folds
    python -m asrlib voices --recipe voices --folds 0 --speakers 12  # a learning-curve point
    python -m asrlib voices --table                                  # the stored results

Scores are per voice first (each voice counts once, however many strings it said), then
the mean over voices: overall, by gender, by recording device and by source.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

from asrlib import checkpoint, metrics, voices
from asrlib.loso import shipped_summary
from asrlib.protocol import (
    N_VAL,
    SHIPPED_TRAIN_TAKES,
    SHIPPED_VAL_TAKES,
    make_split_examples,
    train_recipe,
    transcribe,
)
from asrlib.results import Stored
from asrlib.text import DIGIT_WORDS

OUT = "data/voices"
K = 5
BUDGET = 360  # training seconds per fold (the comparisons hold it fixed)
COPIES = 20  # augmented versions of each alphanumeric phone number / Speech Commands speaker
N_FSDD_VAL, N_FSDD_TEST = 20, 30  # FSDD connected strings per validation / test speaker
LABEL_CHECK = "label_check.tsv"  # in OUT: phone numbers whose audio disagrees with the prompt

@dataclass
class VoiceFold(Stored):
    """One trained and scored fold: who was heard, and every test transcript."""

    recipe: str
    fold: int
    k: int
    test: list[str]
    val: list[str]
    train: list[str]
    time_budget: float | None
    epochs: int
    averaged_epochs: list[int]
    best_epoch: int
    train_seconds: float
    feature_seconds: float
    dropped: int
    decoder: dict  # the averaged model's task decoder: alpha, beta, beam_width
    items: list[dict]  # speaker, kind, id, ref, greedy, task (averaged weights), best_task
    recipe_config: dict = field(default_factory=dict)
    n_train_utterances: int = 0
    voices: dict = field(default_factory=dict)  # test voice → its groups (source, gender, device)

    kind = "voices fold result"


def groups_of(pool, ids) -> dict:
    """{speaker id: {"source", "gender", "device"}} of ``ids``: stored with each fold, so its
    tables need no corpus."""
    wanted = set(ids)
    return {s.id: {"source": s.source, "gender": s.gender, "device": s.device}
            for s in pool if s.id in wanted}


def fold_path(out_dir, recipe: str, fold: int, n_speakers: int | None = None) -> Path:
    """``<out>/<recipe>/fold<i>.json``; a learning-curve point: ``…/fold<i>-<n>spk.json``."""
    suffix = f"-{n_speakers}spk" if n_speakers is not None else ""
    return Path(out_dir) / recipe / f"fold{fold}{suffix}.json"


def subset(train_ids, n: int, pool=None) -> list[str]:
    """``n`` of ``train_ids``, each stratum (source × gender) in proportion: a nested
    sequence (the first 6 are inside the first 12), in the seeded order of :mod:`voices`."""
    pool = {s.id: s for s in (pool or voices.speakers())}
    strata: dict[tuple[str, str], list[str]] = {}
    for sid in sorted(train_ids, key=lambda s: voices.seeded_order(s, 0)):
        strata.setdefault((pool[sid].source, pool[sid].gender), []).append(sid)
    total, taken, out = len(train_ids), dict.fromkeys(strata, 0), []
    if not 0 < n <= total:
        raise ValueError(f"a learning-curve point needs between 1 and {total} voices (the "
                         f"fold's training voices), got {n}")
    for t in range(1, n + 1):
        key = max((k for k in strata if taken[k] < len(strata[k])),
                  key=lambda k: (len(strata[k]) * t / total - taken[k], len(strata[k])))
        out.append(strata[key][taken[key]])
        taken[key] += 1
    return sorted(out)


def run_fold(recipe, fold: int, out_dir=OUT, k: int = K, time_budget: float | None = BUDGET,
             n_speakers: int | None = None, force: bool = False, verbose: int = 0,
             log=print, patience: int | None = None) -> VoiceFold:
    """Train ``recipe`` on fold ``fold``'s training voices (or ``n_speakers`` of them), pick
    its epoch and decoder on the validation voices, transcribe every test voice; cached."""

    path = fold_path(out_dir, recipe.name, fold, n_speakers)
    if path.exists() and not force:
        return VoiceFold.load(path)
    pool = voices.speakers()
    this = voices.folds(pool, k)[fold]
    train_ids = list(this.train) if n_speakers is None else subset(this.train, n_speakers, pool)
    val_items = voices.material(this.val, n_fsdd_strings=N_FSDD_VAL)
    random.Random(0).shuffle(val_items)  # the decoder tunes on the first 100: every source
    test_items = voices.material(this.test, n_fsdd_strings=N_FSDD_TEST)
    splits = {
        "train": voices.training_utterances(train_ids, n_fsdd=recipe.n_train, copies=COPIES,
                                            perturb=recipe.perturb, effects=recipe.effects),
        "val": [i.utt for i in val_items], "test": [i.utt for i in test_items],
    }
    examples, dropped, feature_seconds = make_split_examples(recipe, splits)
    log(f"[{recipe.name}/fold {fold}{'' if n_speakers is None else f', {n_speakers} voices'}] "
        f"features {feature_seconds:.0f} s: {len(examples['train'])} training strings of "
        f"{len(train_ids)} voices, {len(examples['val'])} val, {len(examples['test'])} test; "
        f"{dropped} dropped")
    info = checkpoint.record(
        "digits", f"python -m asrlib voices --recipe {recipe.name} --folds {fold}"
        + ("" if n_speakers is None else f" --speakers {n_speakers}")
        + (f" --budget {time_budget:g}" if time_budget else " --budget 0")
        + (f" --patience {patience}" if patience else ""),
        {"train": train_ids, "val": list(this.val), "test": list(this.test)}, recipe)
    lm_texts = [u.text for u in splits["train"]]
    trained = train_recipe(recipe, examples, path.with_suffix(".keras"), info, lm_texts,
                           time_budget, verbose=verbose, patience=patience)
    test = examples["test"]
    greedy_hyps, task_hyps = transcribe(trained.model, trained.decoder, test)
    _, best_task = transcribe(trained.best, trained.best_decoder, test)
    by_id = {i.utt.id: i for i in test_items}
    items = [{"speaker": by_id[e.id].speaker, "kind": by_id[e.id].kind, "id": e.id,
              "ref": e.text, "greedy": g, "task": t, "best_task": b}
             for e, g, t, b in zip(test, greedy_hyps, task_hyps, best_task)]
    c = trained.decoder
    result = VoiceFold(
        recipe=recipe.name, fold=fold, k=k, test=list(this.test), val=list(this.val),
        train=train_ids, time_budget=time_budget, epochs=trained.epochs,
        averaged_epochs=trained.averaged_epochs, best_epoch=trained.best_epoch,
        train_seconds=round(trained.seconds, 1), feature_seconds=round(feature_seconds, 1),
        dropped=dropped, decoder={"alpha": c.alpha, "beta": c.beta, "beam_width": c.beam_width},
        items=items, recipe_config=json.loads(json.dumps(recipe.to_dict())),
        n_train_utterances=len(examples["train"]),
        voices=groups_of(pool, this.test),
    )
    result.save(path)
    log(f"[{recipe.name}/fold {fold}] {result.epochs} epochs in {trained.seconds:.0f} s; "
        + ", ".join(f"{kind} WER {100 * v['wer']:.1f}%" for kind, v in
                    summarize([result])["mean"].items()))
    return result


def redecode(path, log=print) -> VoiceFold:
    """Transcribe a stored fold's test voices again with its saved model and lexicon decoder
    (after a decoder fix; the model is not retrained). Updates ``greedy`` and ``task``."""
    path = Path(path)
    fold = VoiceFold.load(path)
    bundle = checkpoint.load(path.with_suffix(".keras"))
    from asrlib import pipeline
    from asrlib.lm import LexiconDecoder

    test_items = voices.material(fold.test, n_fsdd_strings=N_FSDD_TEST)
    examples, _ = pipeline.make_examples([i.utt for i in test_items], bundle.spec)
    decoder = LexiconDecoder.from_spec(bundle.spec.decoder, bundle.alphabet)
    hyps = transcribe(bundle, decoder, examples)
    new = {e.id: (g, t) for e, g, t in zip(examples, *hyps)}
    changed = 0
    for item in fold.items:
        g, t = new[item["id"]]
        changed += t != item["task"]
        item["greedy"], item["task"] = g, t
    fold.save(path)
    log(f"{path}: {changed} of {len(fold.items)} digit-decoder transcripts changed")
    return fold


def load(out_dir=OUT, recipe: str = "voices", n_speakers: int | None = None) -> list[VoiceFold]:
    """The stored folds of ``recipe`` (learning-curve points with ``n_speakers``)."""
    folder = Path(out_dir) / recipe
    pattern = "fold[0-9].json" if n_speakers is None else f"fold*-{n_speakers}spk.json"
    return [VoiceFold.load(p) for p in sorted(folder.glob(pattern))]


def only(fold: VoiceFold, speakers) -> VoiceFold:
    """A copy of ``fold`` scored on ``speakers`` only: e.g. the voices an older, smaller pool
    also tested, so a fold before and after new voices joined is compared on the same voices."""
    keep = set(speakers)
    return replace(fold, test=[s for s in fold.test if s in keep],
                   items=[i for i in fold.items if i["speaker"] in keep],
                   voices={s: g for s, g in fold.voices.items() if s in keep})


def validation_curve(log_csv, train_seconds: float | None = None) -> list[dict]:
    """Validation scores per epoch against training time, from a run's CSV log: rows
    ``{"epoch", "seconds", "val_wer", "val_cer", "estimated"}``. A log written before runs
    logged ``seconds`` spreads ``train_seconds`` evenly over its epochs (``estimated``: every
    epoch of a run reads the same data, so its epochs take about the same time)."""
    with open(log_csv, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{log_csv}: no epochs logged")
    estimated = "seconds" not in rows[0]
    if estimated and not train_seconds:
        raise ValueError(f"{log_csv}: no seconds column; pass the run's train_seconds")
    return [{"epoch": int(r["epoch"]) + 1, "val_wer": float(r["val_wer"]),
             "val_cer": float(r["val_cer"]), "estimated": estimated,
             "seconds": (train_seconds * (k + 1) / len(rows) if estimated
                         else float(r["seconds"]))} for k, r in enumerate(rows)]


def train_all_voices(recipe, out_path, time_budget: float | None = 900, log=print,
                     label_check=None, patience: int | None = None, backup_dir=None) -> dict:
    """Train ``recipe`` on every pooled voice into ``out_path`` (the shipped model).

    No voice is left to validate on, so, as for the FSDD-only model, the best epoch and the
    decoder are chosen on FSDD's recordings 0–4 (never trained on): seen voices, unseen
    recordings, not a measure of a new voice (the cross-validation is). The file holds the
    mean of the last epochs' weights. Phone numbers the label check flagged are not trained
    on. ``time_budget`` None (or 0) trains until validation stops improving (``patience``
    epochs without a better CER; default the recipe's); ``backup_dir`` lets a killed run
    resume (rerun the same command). → what ``data/README.md`` reports."""
    from asrlib import datasets


    pool = [s.id for s in voices.speakers()]
    exclude = flagged(label_check)
    splits = {
        "train": voices.training_utterances(
            pool, n_fsdd=recipe.n_train, copies=COPIES, perturb=recipe.perturb,
            effects=recipe.effects, fsdd_takes=SHIPPED_TRAIN_TAKES, exclude=exclude),
        "val": datasets.connected_digits(N_VAL, datasets.FSDD_SPEAKERS, seed=1,
                                         takes=SHIPPED_VAL_TAKES),
    }
    examples, dropped, feature_seconds = make_split_examples(recipe, splits)
    log(f"[{recipe.name}/every voice] features {feature_seconds:.0f} s: "
        f"{len(examples['train'])} training strings of {len(pool)} voices "
        f"({len(exclude)} flagged phone numbers left out); {dropped} dropped")
    info = checkpoint.record(
        "digits", f"python -m asrlib voices --recipe {recipe.name} --ship {out_path} "
        + (f"--budget {time_budget:g}" if time_budget else "--budget 0")
        + (f" --patience {patience}" if patience else ""),
        {"train": pool, "val": list(datasets.FSDD_SPEAKERS), "test": []}, recipe,
        takes={"train": [5, 49], "val": [0, 4]}, label_check_excluded=len(exclude))
    lm_texts = [u.text for u in splits["train"]]
    trained = train_recipe(recipe, examples, out_path, info, lm_texts, time_budget,
                           patience=patience, backup_dir=backup_dir)
    summary = shipped_summary(recipe, trained, examples["val"], log, f"{recipe.name}/every voice")
    return {"averaged_epochs": [], **summary, "feature_seconds": round(feature_seconds, 1),
            "n_train_utterances": len(examples["train"]), "voices": len(pool),
            "label_check_excluded": len(exclude)}


# --- label checking -----------------------------------------------------------------------

def check_labels(folds: list[VoiceFold], min_errors: int = 4) -> list[dict]:
    """Phone numbers (alphanumeric) and digit strings (AN4) whose audio disagrees with their
    label (the "prompt"), judged by models that never heard the speaker. Two readings of each
    model's output are compared with the prompt: the digit decoder's words, and the greedy
    letters snapped word by word to the nearest digit word (a second opinion when the decoder
    finds no digit words). A recording is listed when every reading of every fold that scored
    it (``folds`` may hold several runs: other recipes, budgets, pools) differs from the prompt
    in at least ``min_errors`` digits (edit distance): more than a model's own slips on a
    ten-digit number (0–3 for almost every speaker), as when a speaker reads another number,
    or the metadata holds a wrong one. A weak model's slips alone do not list a recording that
    a better one read right. → rows (id, speaker, prompt, heard, letters, reason), the
    closest reading shown."""
    best: dict[str, tuple[int, dict]] = {}
    for fold in folds:
        for item in fold.items:
            if not item["speaker"].startswith(("alphanumeric:", "an4:")):
                continue
            ref = item["ref"].split()
            readings = (item["task"].split(), _snapped(item["greedy"]))
            errors = min(metrics.edit_distance(ref, hyp) for hyp in readings)
            if item["id"] not in best or errors < best[item["id"]][0]:
                best[item["id"]] = errors, item
    rows = []
    for uid, (errors, item) in sorted(best.items()):
        if errors >= min_errors:
            rows.append({"id": uid, "speaker": item["speaker"], "prompt": _digits(item["ref"]),
                         "heard": _digits(item["task"]), "letters": item["greedy"],
                         "reason": f"{errors} digit edits between the prompt "
                                   f"({len(item['ref'].split())} digits) and the closest "
                                   "reading of the audio"})
    return rows


def every_fold(out_dir=OUT) -> list[VoiceFold]:
    """Every whole-pool fold stored under ``out_dir`` (every recipe, budget and pool; not the
    learning-curve points): all the readings the label check can use."""
    return [VoiceFold.load(p) for p in sorted(Path(out_dir).rglob("fold[0-9].json"))]


def _snapped(letters: str) -> list[str]:
    """Each greedy word replaced by the digit word closest to it in spelling."""
    words = DIGIT_WORDS
    return [min(words, key=lambda d: metrics.edit_distance(w, d)) for w in letters.split()]


def _digits(text: str) -> str:
    words = {w: str(i) for i, w in enumerate(DIGIT_WORDS)}
    return "".join(words.get(w, "?") for w in text.split())


def save_label_check(rows: list[dict], path=None) -> Path:
    path = Path(path or Path(OUT) / LABEL_CHECK)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["id", "speaker", "prompt", "heard", "letters", "reason"],
                                delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def flagged(path=None) -> set[str]:
    """Utterance ids listed in the committed label check (empty if there is none yet)."""
    path = Path(path or Path(OUT) / LABEL_CHECK)
    if not path.exists():
        return set()
    with open(path, encoding="utf-8", newline="") as f:
        return {row["id"] for row in csv.DictReader(f, delimiter="\t")}


# --- tables -------------------------------------------------------------------------------

def per_voice(folds: list[VoiceFold], decoder: str = "task", exclude=frozenset()) -> dict:
    """{speaker: {kind: {"wer", "cer", "n"}}}: each voice's own score, pooled over its
    utterances of that kind (``exclude``: utterance ids left out, e.g. flagged labels)."""
    refs: dict[tuple[str, str], tuple[list, list]] = {}
    for fold in folds:
        for item in fold.items:
            if item["id"] in exclude:
                continue
            r, h = refs.setdefault((item["speaker"], item["kind"]), ([], []))
            r.append(item["ref"])
            h.append(item[decoder])
    out: dict[str, dict] = {}
    for (speaker, kind), (r, h) in sorted(refs.items()):
        out.setdefault(speaker, {})[kind] = {"wer": metrics.wer(r, h), "cer": metrics.cer(r, h),
                                             "n": len(r)}
    return out


def summarize(folds: list[VoiceFold], decoder: str = "task", exclude=frozenset(),
              pool=None) -> dict:
    """Mean over voices per kind: overall (``mean``), and per group of each breakdown
    (``gender``, ``device``, ``source``: {group: {kind: {"wer", "cer", "voices"}}}), and the
    ``worst`` group per kind (over all breakdowns, groups of at least 2 voices)."""
    scores = per_voice(folds, decoder, exclude)
    if pool is None:  # the groups stored with the folds
        pool = [voices.Speaker(sid, **g) for f in folds for sid, g in f.voices.items()]
    who = {s.id: s for s in pool}

    def mean(ids, kind):
        vals = [scores[i][kind] for i in ids if kind in scores.get(i, {})]
        if not vals:
            return None
        return {"wer": round(sum(v["wer"] for v in vals) / len(vals), 4),
                "cer": round(sum(v["cer"] for v in vals) / len(vals), 4), "voices": len(vals)}

    out = {"mean": {k: mean(scores, k) for k in voices.KINDS}}
    for by in ("gender", "device", "source"):
        groups: dict[str, list[str]] = {}
        for sid in scores:
            groups.setdefault(getattr(who[sid], by), []).append(sid)
        out[by] = {g: {k: mean(ids, k) for k in voices.KINDS} for g, ids in sorted(groups.items())}
    out["worst"] = {}
    for kind in voices.KINDS:
        cells = [(row[kind]["wer"], f"{by} = {g}") for by in ("gender", "device", "source")
                 for g, row in out[by].items() if row[kind] and row[kind]["voices"] >= 2]
        wer, name = max(cells) if cells else (None, None)
        out["worst"][kind] = {"group": name, "wer": wer}
    out["mean"] = {k: v for k, v in out["mean"].items() if v}
    return out


def format_table(summary: dict) -> str:
    """The cross-validated table as markdown: WER (CER) per kind, per group."""
    def cell(v):
        return f"{100 * v['wer']:.1f} % ({100 * v['cer']:.1f} %), {v['voices']}" if v else "–"

    lines = ["| voices | connected digits WER (CER), voices | isolated digits WER (CER), "
             "voices |", "|---|---|---|",
             f"| **all (mean over voices)** | {cell(summary['mean'].get('connected'))} | "
             f"{cell(summary['mean'].get('isolated'))} |"]
    for by in ("gender", "device", "source"):
        for g, row in summary[by].items():
            lines.append(f"| {by}: {g} | {cell(row['connected'])} | {cell(row['isolated'])} |")
    worst = summary["worst"]
    lines.append("| **worst group** | " + " | ".join(
        f"{worst[k]['group']}: {100 * worst[k]['wer']:.1f} %" if worst[k]["wer"] is not None
        else "–" for k in voices.KINDS) + " |")
    return "\n".join(lines)
