"""The committed LOSO results in data/loso are complete, leak-free and match today's recipes."""

import json
from pathlib import Path

import pytest

from asrlib import datasets, experiments

RESULTS = Path(__file__).resolve().parents[1] / "data" / "loso"
STORED = sorted(RESULTS.glob("*/*.json"))


def test_there_are_stored_results():
    assert {p.parent.name for p in STORED} >= {"seed", "v4"}


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fold_is_leak_free_and_current(path):
    fold = experiments.FoldResult.load(path)
    train_speakers, val, test = experiments.fold_speakers(path.stem)
    assert (fold.test_speaker, fold.val_speaker, fold.train_speakers) == (test, val, train_speakers)
    assert fold.recipe == path.parent.name and fold.n_test == experiments.N_TEST
    # a recipe changed since its folds ran must be rerun (python -m asrlib loso --force)
    # (a field added to Recipe after the run must still hold its default in that recipe)
    current = json.loads(json.dumps(experiments.RECIPES[fold.recipe].to_dict()))
    defaults = json.loads(json.dumps(experiments.Recipe("x", "").to_dict()))
    for key, value in current.items():
        assert fold.recipe_config.get(key, defaults[key]) == value, f"{path}: {key} changed"
    assert path.with_suffix(".log.csv").exists()


def test_complete_recipes_have_all_six_folds():
    for recipe in ("seed", "v4"):
        speakers = {f.test_speaker for f in experiments.load_results(RESULTS, recipe)}
        assert speakers == set(datasets.FSDD_SPEAKERS), recipe
