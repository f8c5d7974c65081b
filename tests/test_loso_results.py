"""The committed LOSO results in data/loso are complete, leak-free and match today's recipes."""

import json
from pathlib import Path

import pytest
from conftest import assert_recipe_current

from asrlib import datasets, loso, protocol, recipes, results

RESULTS = Path(__file__).resolve().parents[1] / "data" / "loso"
STORED = sorted(RESULTS.glob("*/*.json"))


def test_there_are_stored_results():
    assert {p.parent.name for p in STORED} >= {"seed", "v4"}


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fold_is_leak_free_and_current(path):
    fold = results.FoldResult.load(path)
    train_speakers, val, test = loso.fold_speakers(path.stem)
    assert (fold.test_speaker, fold.val_speaker, fold.train_speakers) == (test, val, train_speakers)
    assert fold.recipe == path.parent.name and fold.n_test == protocol.N_TEST
    # a recipe changed since its folds ran must be rerun (python -m asrlib loso --force)
    assert_current(fold, recipes.RECIPES[fold.recipe], path)
    assert path.with_suffix(".log.csv").exists()


def assert_current(fold, recipe, path):
    assert_recipe_current(fold.recipe_config, recipe, path)


CLAIMS = sorted((RESULTS.parent / "claims").glob("*/theo.json"))


@pytest.mark.parametrize("path", CLAIMS, ids=lambda p: p.parent.name)
def test_claim_run_is_leak_free_and_current(path):
    fold = results.FoldResult.load(path)
    assert fold.test_speaker == recipes.CLAIM_SPEAKER and fold.recipe == path.parent.name
    assert fold.val_speaker not in fold.train_speakers and "theo" not in fold.train_speakers
    assert fold.time_budget is None and fold.n_test == protocol.N_TEST
    assert_current(fold, recipes.CLAIMS[fold.recipe], path)
    assert {"beam", "noisy", "params", "infer_rtf"} <= set(fold.extra)
    assert path.with_suffix(".log.csv").exists()


def test_complete_recipes_have_all_six_folds():
    # every recipe, each lever alone included: issue 8 measures them all under LOSO
    assert len(recipes.LEVERS) >= 12
    assert {"seed", "v4", "v4-pitch", "v5"} <= set(recipes.RECIPES)
    for recipe in recipes.RECIPES:
        speakers = {f.test_speaker for f in results.load_results(RESULTS, recipe)}
        assert speakers == set(datasets.FSDD_SPEAKERS), recipe


def test_evaluate_lines_match_their_folds():
    """Each fold model's `evaluate` line (data/loso/evaluate.jsonl, the manifest stores 16-bit
    WAVs) agrees with the WER its fold scored in float, to within a point."""
    lines = [json.loads(line) for line in (RESULTS / "evaluate.jsonl").read_text().splitlines()]
    assert lines
    for line in lines:
        fold = results.FoldResult.load(
            results.fold_path(RESULTS, line["recipe"], line["test_speaker"]))
        assert line["decoder"] == "task" and line["utterances"] == fold.n_test
        assert abs(line["wer"] - fold.task["wer"]) <= 0.01, line
