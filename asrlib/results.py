"""Results: the stored outcome of each experiment, and the tables and verdicts made from it.

Every fold's result is a JSON file written by :mod:`asrlib.loso` (and :mod:`asrlib.crossval`)
and read back here, so the notebooks and the tables are computed from the committed files,
never from a training run. A difference is only called one when it is larger than the noise
between two runs of the same recipe and at least :data:`MIN_DIFFERENCE`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from asrlib import datasets
from asrlib.recipes import CLAIM_SPEAKER, CLAIMS, LEVERS


class Stored:
    """Save and load a result dataclass as one JSON file (``kind`` names it in errors)."""

    kind = "result"

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path):
        try:
            return cls(**json.loads(Path(path).read_text()))
        except (OSError, ValueError, TypeError) as err:
            raise ValueError(f"{path}: not a {cls.kind} ({err}); delete it to rerun") from None


@dataclass
class FoldResult(Stored):
    """One fold's outcome, as stored in its JSON file."""

    recipe: str
    test_speaker: str
    val_speaker: str
    train_speakers: list[str]
    time_budget: float | None
    epochs: int
    best_epoch: int
    train_seconds: float
    feature_seconds: float
    n_test: int
    greedy: dict  # {"wer", "cer"} on the test speaker
    task: dict  # {"wer", "cer", "alpha", "beta", "beam_width"}
    dropped: int = 0  # utterances pipeline.make_examples dropped (and reported)
    recipe_config: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # claims runs: beam, noisy test, params, speed

    kind = "fold result"


def fold_path(out_dir, recipe: str, test_speaker: str) -> Path:
    """Where the fold's result JSON lives (its model and CSV log sit beside it)."""
    return Path(out_dir) / recipe / f"{test_speaker}.json"


def load_results(out_dir, recipe: str) -> list[FoldResult]:
    """Every stored fold of ``recipe`` under ``out_dir``, in speaker order."""
    paths = [fold_path(out_dir, recipe, s) for s in datasets.FSDD_SPEAKERS]
    return [FoldResult.load(p) for p in paths if p.exists()]


def load_claims(out_dir="data/claims") -> dict[str, FoldResult]:
    """The stored claim runs under ``out_dir``, in :data:`CLAIMS` order (missing ones left out)."""
    paths = {name: fold_path(out_dir, name, CLAIM_SPEAKER) for name in CLAIMS}
    return {name: FoldResult.load(p) for name, p in paths.items() if p.exists()}


MIN_DIFFERENCE = 0.02  # a WER difference smaller than 2 points is never called a difference


def noise_floor(claims: dict[str, FoldResult], decoder: str = "task") -> float:
    """How far apart two runs of the same recipe land (c-seed vs c-rerun, another random
    initialisation), at least :data:`MIN_DIFFERENCE`: differences below it are not evidence."""
    if "c-seed" not in claims or "c-rerun" not in claims:
        return MIN_DIFFERENCE
    rerun, seed = getattr(claims["c-rerun"], decoder), getattr(claims["c-seed"], decoder)
    gap = abs(rerun["wer"] - seed["wer"])
    return max(gap, MIN_DIFFERENCE)


def verdict(claims: dict[str, FoldResult], name: str, reference: str = "c-seed") -> str:
    """A run's WER change against ``reference`` in words, by greedy and by the digit decoder,
    each judged against its own :func:`noise_floor`: lower WER is better."""

    def direction(decoder: str) -> int:
        delta = getattr(claims[name], decoder)["wer"] - getattr(claims[reference], decoder)["wer"]
        floor = noise_floor(claims, decoder)
        return -1 if delta < -floor else 1 if delta > floor else 0

    greedy, task = direction("greedy"), direction("task")
    if greedy == task:
        return {-1: "better", 0: "no measurable difference", 1: "worse"}[greedy]
    if greedy * task < 0:
        return f"mixed: {'better' if greedy < 0 else 'worse'} greedy, " \
               f"{'better' if task < 0 else 'worse'} with the digit decoder"
    word = "better" if min(greedy, task) < 0 else "worse"
    return f"{word} {'greedy' if greedy else 'with the digit decoder'} only"


def summarize(results: list[FoldResult]) -> dict:
    """Mean and worst speaker (WER, CER) per decoder, and mean training seconds per fold.

    ``averaged_greedy`` and ``averaged_task`` score checkpoint averaging (the mean of the last
    epochs' weights) the same way, when every fold measured it."""
    if not results:
        raise ValueError("no fold results to summarise")
    out = {"folds": len(results), "recipe": results[0].recipe,
           "train_seconds": round(float(np.mean([r.train_seconds for r in results])), 1)}
    decoders = {"greedy": [r.greedy for r in results], "task": [r.task for r in results]}
    if all("averaged" in r.extra for r in results):  # the last epochs' mean weights, every fold
        for decoder in ("greedy", "task"):
            decoders[f"averaged_{decoder}"] = [r.extra["averaged"][decoder] for r in results]
    for decoder, scores in decoders.items():
        worst = max(range(len(results)), key=lambda k: scores[k]["wer"])
        out[decoder] = {
            "mean_wer": round(float(np.mean([s["wer"] for s in scores])), 4),
            "mean_cer": round(float(np.mean([s["cer"] for s in scores])), 4),
            "worst_wer": scores[worst]["wer"],
            "worst_cer": round(float(max(s["cer"] for s in scores)), 4),
            "worst_speaker": results[worst].test_speaker,
        }
    return out


def format_table(results: list[FoldResult]) -> str:
    """The folds of one recipe as a text table, with the mean and worst rows under it."""
    head = (f"{'test speaker':<13}{'val':<10}{'epochs':>7}{'train s':>9}"
            f"{'greedy WER':>12}{'CER':>7}{'task WER':>10}{'CER':>7}")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.test_speaker:<13}{r.val_speaker:<10}{r.epochs:>7}{r.train_seconds:>9.0f}"
            f"{r.greedy['wer']:>12.1%}{r.greedy['cer']:>7.1%}{r.task['wer']:>10.1%}"
            f"{r.task['cer']:>7.1%}"
        )
    s = summarize(results)
    g, t = s["greedy"], s["task"]
    lines.append("-" * len(head))
    lines.append(f"{'mean':<30}{s['train_seconds']:>9.0f}{g['mean_wer']:>12.1%}"
                 f"{g['mean_cer']:>7.1%}{t['mean_wer']:>10.1%}{t['mean_cer']:>7.1%}")
    lines.append(f"{'worst':<39}{g['worst_wer']:>12.1%}{g['worst_cer']:>7.1%}"
                 f"{t['worst_wer']:>10.1%}{t['worst_cer']:>7.1%}")
    return "\n".join(lines)


def format_averaging(results: list[FoldResult]) -> str:
    """Checkpoint averaging against the best epoch, for the folds that measured it."""
    rows = [r for r in results if "averaged" in r.extra]
    if not rows:
        return "no fold of these measured checkpoint averaging yet"
    head = (f"{'test speaker':<13}{'averaged epochs':<17}{'greedy WER best':>16}{'averaged':>10}"
            f"{'task WER best':>15}{'averaged':>10}")
    lines = [head, "-" * len(head)]
    for r in rows:
        a = r.extra["averaged"]
        lines.append(f"{r.test_speaker:<13}{a['epochs']!s:<17}{r.greedy['wer']:>16.1%}"
                     f"{a['greedy']['wer']:>10.1%}{r.task['wer']:>15.1%}{a['task']['wer']:>10.1%}")
    return "\n".join(lines)


def lever_row(base: list[FoldResult], folds: list[FoldResult]) -> dict:
    """One lever's LOSO summary beside its base recipe's (the same six speakers): the change
    in mean WER per decoder, in how many folds the digit-decoder WER fell, and a verdict.

    A change is only called one when the mean moved by at least :data:`MIN_DIFFERENCE` and
    most folds (at least four of six) moved the same way; anything less is "within noise"."""
    base_by = {f.test_speaker: f for f in base}
    if {f.test_speaker for f in folds} != set(base_by):
        raise ValueError(f"{folds[0].recipe if folds else 'lever'} and {base[0].recipe} were "
                         "not tested on the same speakers; run all six folds of both")
    s, b = summarize(folds), summarize(base)
    row = {"recipe": s["recipe"], "folds": s["folds"], "train_seconds": s["train_seconds"],
           "epochs": (min(f.epochs for f in folds), max(f.epochs for f in folds))}
    for decoder in ("greedy", "task"):
        delta = s[decoder]["mean_wer"] - b[decoder]["mean_wer"]
        lower = sum(getattr(f, decoder)["wer"] < getattr(base_by[f.test_speaker], decoder)["wer"]
                    for f in folds)
        majority = len(folds) // 2 + 1  # 4 of 6
        if delta <= -MIN_DIFFERENCE and lower >= majority:
            word = "better"
        elif delta >= MIN_DIFFERENCE and len(folds) - lower >= majority:
            word = "worse"
        else:
            word = "within noise"
        row[decoder] = {**s[decoder], "delta": round(delta, 4), "folds_lower": lower,
                        "verdict": word}
    return row


def compare_levers(out_dir, base: str = "seed", names=None) -> list[dict]:
    """:func:`lever_row` for every lever recipe (default :data:`LEVERS`) with all six folds
    stored; recipes still running are left out, never half-counted."""
    base_folds = load_results(out_dir, base)
    rows = []
    for name in names or LEVERS:
        folds = load_results(out_dir, name)
        if len(folds) == len(datasets.FSDD_SPEAKERS):
            rows.append(lever_row(base_folds, folds))
    return rows


def format_levers(rows: list[dict], base: str = "seed") -> str:
    """The rows of :func:`compare_levers` as a text table, best digit-decoder mean first."""
    head = (f"{'lever (alone on ' + base + ')':<22}{'epochs':>7}{'train s':>8}"
            f"{'greedy WER':>11}{'change':>8}{'task WER':>10}{'worst':>7}{'change':>8}"
            f"{'folds lower':>12}  verdict (digit decoder)")
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: r["task"]["mean_wer"]):
        g, t = r["greedy"], r["task"]
        epochs = f"{r['epochs'][0]}-{r['epochs'][1]}"
        lines.append(f"{r['recipe']:<22}{epochs:>7}{r['train_seconds']:>8.0f}"
                     f"{g['mean_wer']:>11.1%}{g['delta'] * 100:>+8.1f}{t['mean_wer']:>10.1%}"
                     f"{t['worst_wer']:>7.1%}{t['delta'] * 100:>+8.1f}"
                     f"{t['folds_lower']:>9} / {r['folds']}  {t['verdict']}")
    return "\n".join(lines)


def waterfall(out_dir, steps) -> list[dict]:
    """One row per ``(label, recipe, decoder)`` step with its LOSO summary: mean and worst
    WER and CER, the worst speaker and mean training seconds per fold. Steps whose recipe
    has no stored folds, or whose decoder not every fold measured (``averaged_task``), are
    left out (a row never mixes in a guess)."""
    rows = []
    for label, recipe, decoder in steps:
        results = load_results(out_dir, recipe)
        if not results:
            continue
        summary = summarize(results)
        if decoder not in summary:
            continue
        rows.append({"label": label, "recipe": recipe, "decoder": decoder,
                     "folds": summary["folds"], "train_seconds": summary["train_seconds"],
                     **summary[decoder]})
    return rows


# --- the one rule of notebooks 07 and 11 ------------------------------------------------------

def rerun_floor(first: float, second: float, folds: int = 1) -> float:
    """The noise floor measured from two runs of one recipe that differ only in the training
    seed (their WERs ``first`` and ``second``): the gap between them, and for a mean over
    ``folds`` independent folds that gap shrunk by √folds (an estimate), never below
    :data:`MIN_DIFFERENCE`."""
    return max(abs(first - second) / np.sqrt(folds), MIN_DIFFERENCE)


def judge(a_runs, b_runs, floor: float) -> str:
    """The one rule for every comparison: B's mean WER against A's (each a list of the WERs of
    one recipe's runs, or of its folds on the same test voices). "better" when B is lower by
    more than ``floor``, "worse" when higher by more than ``floor``, else "within noise"."""
    delta = float(np.mean(b_runs)) - float(np.mean(a_runs))
    return "better" if delta < -floor else "worse" if delta > floor else "within noise"
