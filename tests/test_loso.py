"""loso, protocol, recipes, results: consistent recipes; a LOSO fold trains, scores, caches."""

from dataclasses import replace

import numpy as np
import pytest

from asrlib import checkpoint, datasets, loso, protocol, recipes, results, train
from asrlib.features import FeatureConfig
from asrlib.recipes import RECIPES, Recipe
from asrlib.results import FoldResult
from asrlib.text import DIGIT_WORDS


def test_folds_cover_every_speaker_once_and_never_leak():
    tests, vals = [], []
    for speaker in datasets.FSDD_SPEAKERS:
        train_speakers, val, test = loso.fold_speakers(speaker)
        assert test == speaker and val != test
        assert len(train_speakers) == 4 and not {val, test} & set(train_speakers)
        tests.append(test)
        vals.append(val)
    assert sorted(tests) == sorted(vals) == sorted(datasets.FSDD_SPEAKERS)
    with pytest.raises(ValueError, match="unknown FSDD speaker 'alice'"):
        loso.fold_speakers("alice")


def test_recipes_check_their_feature_width():
    assert RECIPES["seed"].model.n_features == 13
    with pytest.raises(ValueError, match="40 features per frame but the model expects 13"):
        Recipe("bad", "", features=FeatureConfig(kind="logmel"))


def test_one_short_fold_for_real_then_from_cache(mirror, tmp_path, monkeypatch):
    recipe = replace(RECIPES["seed"], n_train=48, train=replace(RECIPES["seed"].train, epochs=2))
    fold = loso.run_fold(recipe, "theo", tmp_path, time_budget=None, n_val=12, n_test=12,
                                log=lambda *_: None)
    assert (fold.test_speaker, fold.val_speaker) == ("theo", "yweweler")
    assert fold.epochs == 2 and fold.n_test == 12 and fold.train_seconds > 0
    for scores in (fold.greedy, fold.task):
        assert 0 <= scores["cer"] and 0 <= scores["wer"]
    # the fold's model carries its tuned lexicon decoder in its spec: it only spells digit words
    path = results.fold_path(tmp_path, "seed", "theo")
    bundle = checkpoint.load(path.with_suffix(".keras"))
    assert bundle.spec.decoder.kind == "lexicon" and "decoder" not in bundle.info
    assert set(bundle.spec.decoder.lm["vocab"]) <= set(DIGIT_WORDS)
    assert bundle.info["speakers"]["test"] == ["theo"]
    assert path.with_suffix(".log.csv").exists()
    # checkpoint averaging is scored beside the best epoch: the mean of both epochs' weights
    averaged = fold.extra["averaged"]
    assert averaged["epochs"] == [1, 2] and 0 <= averaged["val_cer"]
    assert set(averaged["greedy"]) == set(averaged["task"]) == {"wer", "cer"}

    def no_training(*args, **kwargs):
        raise AssertionError("a cached fold must not train again")

    monkeypatch.setattr(train, "fit", no_training)
    again = loso.run_fold(recipe, "theo", tmp_path, n_val=12, n_test=12)
    assert again == fold
    summary = results.summarize(results.load_results(tmp_path, "seed"))
    assert summary["folds"] == 1 and summary["greedy"]["worst_speaker"] == "theo"
    assert summary["task"]["mean_wer"] == fold.task["wer"]


def test_shipped_recipe_trains_on_all_six_and_validates_on_unused_takes(mirror, tmp_path,
                                                                        monkeypatch):
    monkeypatch.setattr(protocol, "N_TUNE", 12)  # decoder tuning strings: a few suffice here
    recipe = replace(RECIPES["seed"], n_train=36, train=replace(RECIPES["seed"].train, epochs=1))
    out = tmp_path / "all_six.keras"
    summary = loso.train_shipped(recipe, out, time_budget=None, n_val=12,
                                        log=lambda *_: None)
    assert summary["epochs"] == 1 and summary["recipe"] == "seed" and summary["params"] > 0
    assert "averaged_epochs" not in summary  # one epoch: nothing to average, the best is kept
    assert set(summary["val_task"]) == {"wer", "cer"}
    info = checkpoint.read_meta(out)["info"]
    assert info["speakers"]["train"] == list(datasets.FSDD_SPEAKERS)
    assert not info["speakers"]["test"]
    assert info["recipe_config"]["name"] == "seed" and "ship --recipe seed" in info["command"]
    # training and validation strings come from disjoint recordings of the same six voices
    assert info["takes"] == {"train": [5, 49], "val": [0, 4]}
    assert set(checkpoint.read_meta(out)["decoder"]["lm"]["vocab"]) <= set(DIGIT_WORDS)
    # the decoder can be re-tuned from the recorded split alone
    decoder = protocol.attach_decoder(out, n_train=24)
    assert set(decoder.lm.vocab) <= set(DIGIT_WORDS)


def test_shipped_model_saves_the_mean_of_the_last_epochs(mirror, tmp_path, monkeypatch):
    monkeypatch.setattr(protocol, "N_TUNE", 12)
    recipe = replace(RECIPES["seed"], n_train=36, train=replace(RECIPES["seed"].train, epochs=3))
    out = tmp_path / "averaged.keras"
    keepers = []

    class Recording(train.KeepLastWeights):
        def __init__(self, k):
            super().__init__(k)
            keepers.append(self)

    monkeypatch.setattr(train, "KeepLastWeights", Recording)
    summary = loso.train_shipped(recipe, out, time_budget=None, n_val=12,
                                        log=lambda *_: None, average=2)
    assert summary["averaged_epochs"] == [2, 3]
    info = checkpoint.read_meta(out)["info"]
    assert info["averaged"]["epochs"] == [2, 3] and info["epoch"] == 3
    assert info["averaged"]["best_epoch"] == summary["best_epoch"]
    assert "--average 2" in info["command"]
    assert info["val_cer"] == summary["val_greedy"]["cer"]
    assert set(checkpoint.read_meta(out)["decoder"]["lm"]["vocab"]) <= set(DIGIT_WORDS)
    # the saved weights are the element-wise mean of the kept epochs', not any one epoch's
    saved = checkpoint.load(out).model.get_weights()
    kept = keepers[-1].weights
    assert len(kept) == 2 and not np.allclose(kept[0][0], kept[1][0])
    for w, mean in zip(saved, train.average_weights(kept)):
        np.testing.assert_allclose(w, mean, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="average must be at least 1"):
        loso.train_shipped(recipe, out, average=0)


def test_claims_change_one_thing_each_from_the_seed():
    seed = recipes.CLAIMS["c-seed"]
    assert seed.model == RECIPES["seed"].model and seed.features == RECIPES["seed"].features
    assert seed.train.epochs == recipes.CLAIM_EPOCHS and seed.n_train == RECIPES["seed"].n_train
    for name, recipe in recipes.CLAIMS.items():
        changed = [part for part in ("features", "model", "train")
                   if getattr(recipe, part) != getattr(seed, part)]
        assert len(changed) <= (2 if name == "c-logmel40" else 1), (name, changed)
        data_changes = [recipe.perturb, bool(recipe.effects), recipe.more_voices]
        assert sum(data_changes) + len(changed) <= (2 if name == "c-logmel40" else 1), name
    with pytest.raises(ValueError, match="unknown claim recipe"):
        loso.run_claims(["c-nonsense"])


def test_verdicts_respect_the_noise_floor():
    def fold(name, greedy, task):
        return FoldResult(name, "theo", "yweweler", [], None, 10, 10, 1.0, 1.0, 300,
                          {"wer": greedy, "cer": 0.0}, {"wer": task, "cer": 0.0})

    claims = {"c-seed": fold("c-seed", 0.50, 0.20), "c-rerun": fold("c-rerun", 0.53, 0.25)}
    assert results.noise_floor(claims, "task") == pytest.approx(0.05)
    assert results.noise_floor(claims, "greedy") == pytest.approx(0.03)
    assert results.noise_floor({"c-seed": claims["c-seed"]}) == results.MIN_DIFFERENCE
    cases = {(0.40, 0.10): "better", (0.60, 0.30): "worse",
             (0.52, 0.23): "no measurable difference",
             (0.70, 0.10): "mixed: worse greedy, better with the digit decoder",
             (0.40, 0.22): "better greedy only", (0.51, 0.30): "worse with the digit decoder only"}
    for (greedy, task), expected in cases.items():
        claims["x"] = fold("x", greedy, task)
        assert results.verdict(claims, "x") == expected, (greedy, task)


def test_a_claim_run_scores_beam_noise_and_cost(mirror, tmp_path):
    recipe = replace(recipes.CLAIMS["c-lstm-only"], n_train=32,
                     train=replace(recipes.CLAIMS["c-lstm-only"].train, epochs=1))
    fold = loso.run_fold(recipe, "theo", tmp_path, time_budget=None, n_val=8, n_test=8,
                                log=lambda *_: None, extra_scores=True)
    extra = fold.extra
    assert extra["params"] == 4 * (13 + 128 + 1) * 128 + 128 * 28 + 28  # LSTM on MFCC + softmax
    assert extra["noisy"]["snr_db"] == recipes.NOISE_SNR_DB and extra["infer_rtf"] > 0
    for scores in (extra["beam"], extra["noisy"]):
        assert scores["wer"] >= 0 and scores["cer"] >= 0
    assert results.FoldResult.load(results.fold_path(tmp_path, recipe.name, "theo")) == fold
    assert "averaged" not in extra  # one epoch: nothing to average


def test_bad_result_file_names_itself(tmp_path):
    path = tmp_path / "seed" / "theo.json"
    path.parent.mkdir()
    path.write_text("{")
    with pytest.raises(ValueError, match=r"theo\.json: not a fold result"):
        results.load_results(tmp_path, "seed")
    with pytest.raises(ValueError, match="no fold results"):
        results.summarize([])


def test_summary_mean_and_worst():
    def fold(speaker, wer):
        return FoldResult("r", speaker, "x", [], 1.0, 1, 1, 10.0, 1.0, 5,
                          {"wer": wer, "cer": wer / 2}, {"wer": wer / 4, "cer": wer / 8})

    summary = results.summarize([fold("a", 0.2), fold("b", 0.1)])
    assert summary["greedy"] == {"mean_wer": 0.15, "mean_cer": 0.075, "worst_wer": 0.2,
                                 "worst_cer": 0.1, "worst_speaker": "a"}
    assert summary["task"]["mean_wer"] == 0.0375


def test_summary_scores_averaging_only_when_every_fold_measured_it(tmp_path):
    scores = {"wer": 0.2, "cer": 0.1}
    averaged = {"epochs": [4, 5, 6], "val_cer": 0.1, "greedy": {"wer": 0.15, "cer": 0.05},
                "task": {"wer": 0.05, "cer": 0.02}}
    a = FoldResult("r", "george", "x", [], 1.0, 6, 6, 10.0, 1.0, 5, scores, scores,
                   extra={"averaged": averaged})
    worse = {**averaged, "task": {"wer": 0.25, "cer": 0.1}}
    b = replace(a, test_speaker="jackson", extra={"averaged": worse})
    summary = results.summarize([a, b])
    assert summary["averaged_task"]["mean_wer"] == 0.15
    assert summary["averaged_task"]["worst_speaker"] == "jackson"
    assert summary["averaged_greedy"]["mean_wer"] == 0.15
    assert "averaged_task" not in results.summarize([a, replace(b, extra={})])
    # the waterfall leaves out a step whose decoder not every fold measured, never guesses it
    for fold in (a, replace(b, extra={})):
        fold.save(results.fold_path(tmp_path, "r", fold.test_speaker))
    steps = [("best", "r", "task"), ("averaged", "r", "averaged_task")]
    assert [row["label"] for row in results.waterfall(tmp_path, steps)] == ["best"]


def test_averaging_table_lists_only_the_folds_that_measured_it():
    scores = {"wer": 0.2, "cer": 0.1}
    averaged = {"epochs": [4, 5, 6], "val_cer": 0.1, "greedy": {"wer": 0.15, "cer": 0.05},
                "task": {"wer": 0.05, "cer": 0.02}}
    old = FoldResult("r", "a", "x", [], 1.0, 6, 6, 10.0, 1.0, 5, scores, scores)
    new = replace(old, test_speaker="b", extra={"averaged": averaged})
    assert results.format_averaging([old]).startswith("no fold")
    table = results.format_averaging([old, new]).splitlines()
    assert len(table) == 3 and table[2].split()[0] == "b"
    assert "[4, 5, 6]" in table[2] and "15.0%" in table[2] and "5.0%" in table[2]


def test_lever_rows_call_a_change_only_when_most_folds_agree():
    def folds(recipe, task_wers, greedy=0.5):
        return [FoldResult(recipe, s, "x", [], 300.0, 7, 7, 300.0, 1.0, 300,
                           {"wer": greedy, "cer": 0.1}, {"wer": w, "cer": w / 2})
                for s, w in zip(datasets.FSDD_SPEAKERS, task_wers)]

    base = folds("seed", [0.20] * 6)
    better = results.lever_row(base, folds("a", [0.10] * 5 + [0.30]))
    assert better["task"]["verdict"] == "better" and better["task"]["folds_lower"] == 5
    assert better["task"]["delta"] == pytest.approx(-0.0667, abs=1e-4)
    assert better["greedy"]["verdict"] == "within noise" and better["greedy"]["delta"] == 0
    # a big mean change carried by one fold is not called a change
    one_fold = results.lever_row(base, folds("b", [0.0] + [0.205] * 5))
    assert one_fold["task"]["delta"] < -0.02 and one_fold["task"]["verdict"] == "within noise"
    worse = results.lever_row(base, folds("c", [0.26] * 4 + [0.18] * 2))
    assert worse["task"]["verdict"] == "worse" and worse["epochs"] == (7, 7)
    with pytest.raises(ValueError, match="same speakers"):
        results.lever_row(base, folds("d", [0.1] * 5))
    table = results.format_levers([worse, better]).splitlines()
    assert [line.split()[0] for line in table[2:]] == ["a", "c"]  # best digit-decoder mean first
    assert table[2].endswith("5 / 6  better")


def test_every_lever_recipe_changes_one_thing_from_the_seed():
    seed = RECIPES["seed"]
    assert len(recipes.LEVERS) >= 10
    for name in recipes.LEVERS:
        recipe = RECIPES[name]
        changed = [part for part in ("features", "model", "train")
                   if getattr(recipe, part) != getattr(seed, part)]
        data_changes = [recipe.perturb != seed.perturb, recipe.effects != seed.effects,
                        recipe.more_voices != seed.more_voices, recipe.n_train != seed.n_train]
        assert len(changed) + sum(data_changes) == 1, (name, changed, data_changes)
        assert len(recipe.effects) <= 1 and recipe.description.startswith("the seed plus one")
