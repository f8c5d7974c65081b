"""The statements notebooks 07 and 11 make about the stored results, checked here in full.

The notebooks keep short checks beside their readings; the rest of what the readings say is
tested against the committed results (data/loso, data/claims, data/voices) through
``asrlib.results`` and ``asrlib.crossval``, with the one rule (:func:`results.judge`) and the
floors the notebooks use. Also: the rule itself, and the cumulative waterfall chart.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from asrlib import crossval, datasets, plots, recipes, results

DATA = Path(__file__).resolve().parents[1] / "data"
LOSO, CLAIMS, VOICES = DATA / "loso", DATA / "claims", DATA / "voices"
FOLDS = len(datasets.FSDD_SPEAKERS)


def wers(folds, decoder="task"):
    if decoder.startswith("averaged_"):
        return [f.extra["averaged"][decoder.removeprefix("averaged_")]["wer"] for f in folds]
    return [getattr(f, decoder)["wer"] for f in folds]


@pytest.fixture(scope="module")
def claims():
    return results.load_claims(CLAIMS)


@pytest.fixture(scope="module")
def cost():
    return json.loads((CLAIMS / "cost.json").read_text())


@pytest.fixture(scope="module")
def floors(claims):
    """The floors of notebook 11, section 1: one fold, and a six-fold mean."""
    runs = {d: [getattr(claims[n], d)["wer"] for n in ("c-seed", "c-rerun")]
            for d in ("greedy", "task")}
    return {"runs": runs,
            "one": {d: results.rerun_floor(*r) for d, r in runs.items()},
            "six": {d: results.rerun_floor(*r, folds=FOLDS) for d, r in runs.items()}}


@pytest.fixture(scope="module")
def loso():
    return {name: results.load_results(LOSO, name) for name in recipes.RECIPES}


def verdict(loso, floors, a, b, decoder="task", b_decoder=None):
    return results.judge(wers(loso[a], decoder), wers(loso[b], b_decoder or decoder),
                         floors["six"][decoder])


def claim_verdict(claims, floors, name, decoder):
    return results.judge(floors["runs"][decoder], [getattr(claims[name], decoder)["wer"]],
                         floors["one"][decoder])


# --- the rule ---------------------------------------------------------------------------------

def test_judge_compares_means_beyond_the_floor():
    assert results.judge([0.20, 0.16], [0.10], 0.048) == "better"
    assert results.judge([0.20, 0.16], [0.15], 0.048) == "within noise"  # beats 0.20 alone
    assert results.judge([0.10], [0.16], 0.05) == "worse"
    assert results.judge([0.10], [0.125], 0.05) == "within noise"


def test_rerun_floor_shrinks_with_folds_but_never_below_the_minimum():
    assert results.rerun_floor(0.214, 0.166) == pytest.approx(0.048)
    assert results.rerun_floor(0.30, 0.20, folds=4) == pytest.approx(0.05)
    assert results.rerun_floor(0.214, 0.166, folds=6) == results.MIN_DIFFERENCE
    assert results.rerun_floor(0.1, 0.1) == results.MIN_DIFFERENCE


def test_the_floors_the_notebooks_use(floors):
    assert floors["one"]["task"] > 0.04  # "the floor is large": several points on one fold
    assert floors["six"] == {"greedy": results.MIN_DIFFERENCE, "task": results.MIN_DIFFERENCE}


# --- the waterfall ----------------------------------------------------------------------------

def test_waterfall_bars_start_where_the_previous_ended():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [{"label": "a", "mean_wer": 0.50, "worst_wer": 0.6},
            {"label": "b", "mean_wer": 0.30, "worst_wer": 0.4},
            {"label": "c", "mean_wer": 0.31, "worst_wer": 0.5},
            {"label": "d", "mean_wer": 0.20, "worst_wer": 0.3}]
    fig, ax = plt.subplots()
    plots.waterfall(rows, ax=ax, floor=0.02, end_label="end")
    bars = [(p.get_y(), p.get_y() + p.get_height(), p.get_facecolor()) for p in ax.patches]
    assert len(bars) == len(rows) + 1
    assert bars[0][:2] == pytest.approx((0, 50)) and bars[-1][:2] == pytest.approx((0, 20))
    for (bottom, top, _), before, after in zip(bars[1:-1], [50, 30, 31], [30, 31, 20]):
        assert (bottom, top) == pytest.approx((min(before, after), max(before, after)))
    assert ax.totals == pytest.approx([50, 30, 31, 20, 20])
    grey = matplotlib.colors.to_rgba("0.7")
    assert bars[2][2] == pytest.approx(grey) and bars[1][2] != pytest.approx(grey)
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "50.0" and texts[1] == "-20.0 → 30.0" and texts[-1] == "20.0"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["start: a", "b", "c", "d", "end"]
    plt.close(fig)


# --- notebook 07 ------------------------------------------------------------------------------

def test_the_worst_voice_is_far_from_the_mean():
    stored = crossval.load(VOICES, "voices")
    flags = crossval.flagged(VOICES / crossval.LABEL_CHECK)
    per_voice = crossval.per_voice(stored, exclude=flags)
    for kind in ("connected", "isolated"):
        values = [s[kind]["wer"] for s in per_voice.values() if kind in s]
        assert max(values) > 2 * np.mean(values) and np.median(values) < np.mean(values), kind


def test_the_shipped_choice_is_a_tie_won_by_greedy_decoding(loso, floors):
    candidates = {}
    for name, folds in loso.items():
        if len(folds) == FOLDS:
            candidates[(name, "task")] = np.mean(wers(folds))
            if all("averaged" in f.extra for f in folds):
                candidates[(name, "averaged_task")] = np.mean(wers(folds, "averaged_task"))
    (best, decoder), (runner_up, runner_decoder) = sorted(candidates, key=candidates.get)[:2]
    assert (best, decoder) == ("v4-helped", "averaged_task") and len(candidates) > 25
    assert candidates[(runner_up, runner_decoder)] - candidates[(best, decoder)] < 0.02
    assert verdict(loso, floors, runner_up, best, "greedy", "averaged_greedy") == "better"


# --- notebook 11 ------------------------------------------------------------------------------

def test_three_recipes(loso, cost):
    seed, v4 = results.summarize(loso["seed"]), results.summarize(loso["v4"])
    assert sum(f.best_epoch >= f.epochs - 1 for f in loso["seed"]) >= 5  # still improving
    assert 1.5 < cost["i-bilstm"]["epoch_seconds"] / cost["c-seed"]["epoch_seconds"] < 2.5
    for s in (seed, v4):  # the decoder fixes spelling, not unheard digits: CER falls less
        assert (s["greedy"]["mean_cer"] - s["task"]["mean_cer"]
                < s["greedy"]["mean_wer"] - s["task"]["mean_wer"])


def test_each_lever_alone(loso):
    seed = loso["seed"]
    lower = {n: sum(a < b for a, b in zip(wers(loso[n]), wers(seed))) for n in recipes.LEVERS}
    epochs = {n: [f.epochs for f in loso[n]] for n in ["seed", *recipes.LEVERS]}
    assert lower["seed-bilstm"] == 5 and lower["seed-speed"] == 6
    assert max(epochs["seed-bilstm"]) <= 0.75 * min(epochs["seed"])  # about half the epochs
    greedy_worst = {n: max(wers(loso[n], "greedy")) for n in recipes.LEVERS}
    assert min(greedy_worst, key=greedy_worst.get) == "seed-reverb"
    assert max(wers(loso["seed-eq"])) > max(wers(seed))  # a worse worst voice
    assert FOLDS - lower["seed-noise"] == 3  # only three folds got worse
    assert max(epochs["seed-voices"]) < min(epochs["seed"])
    assert min(epochs["seed-narrow"]) > max(epochs["seed"])
    assert all(f.best_epoch == f.epochs for f in loso["seed-narrow"])
    assert results.summarize(loso["seed-nonorm"])["greedy"]["mean_wer"] > 0.95


def test_combining_levers_and_averaging(loso, floors, cost):
    assert np.mean(wers(loso["v4-pitch"], "greedy")) > np.mean(wers(loso["v4"], "greedy"))
    for name in ("i-specaug", "i-dropout"):  # "a few seconds an epoch" on the idle machine
        assert 0 < cost[name]["epoch_seconds"] - cost["c-seed"]["epoch_seconds"] < 10, name
    averaging = {n: (verdict(loso, floors, n, n, "greedy", "averaged_greedy"),
                     verdict(loso, floors, n, n, "task", "averaged_task"))
                 for n in ("seed-pitch", "v4-pitch", "v4-helped")}
    assert averaging == {"seed-pitch": ("within noise", "within noise"),
                         "v4-pitch": ("worse", "within noise"),
                         "v4-helped": ("better", "better")}


def test_the_claims(claims, floors):
    assert claims["c-lstm-only"].extra["params"] < claims["c-seed"].extra["params"] / 2
    assert claims["c-units64"].greedy["wer"] > 0.9  # greedy wrote almost nothing right
    assert claims["c-seed"].best_epoch == claims["c-seed"].epochs
    # c-seed alone is the unluckier run with the digit decoder: the mean of both is the reference
    assert claims["c-seed"].task["wer"] > claims["c-rerun"].task["wer"]
    against_c_seed = [n for n in claims if n not in ("c-seed", "c-rerun") and results.judge(
        [claims["c-seed"].task["wer"]], [claims[n].task["wer"]], floors["one"]["task"])
        == "better"]
    fair = [n for n in claims if n not in ("c-seed", "c-rerun")
            and claim_verdict(claims, floors, n, "task") == "better"]
    assert set(fair) < set(against_c_seed)


def test_one_fold_against_six(claims, floors, loso):
    assert claim_verdict(claims, floors, "i-speed", "greedy") == "worse"
    assert verdict(loso, floors, "seed", "seed-speed", "greedy") == "better"
    assert claim_verdict(claims, floors, "c-units256", "task") == "better"
    assert verdict(loso, floors, "seed", "seed-wide") == "within noise"
    assert max(f.epochs for f in loso["seed-wide"]) < min(f.epochs for f in loso["seed"])
