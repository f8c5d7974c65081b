"""The many-voice protocol: subsets, per-voice tables, label checks, and one short real fold."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import assert_recipe_current

from asrlib import cli, crossval, recipes, voices
from asrlib.corpora import Speaker, fsdd


def _fold(items, fold=0) -> crossval.VoiceFold:
    return crossval.VoiceFold(
        recipe="r", fold=fold, k=5, test=sorted({i["speaker"] for i in items}), val=[],
        train=[], time_budget=1.0, epochs=1, averaged_epochs=[], best_epoch=1,
        train_seconds=1.0, feature_seconds=1.0, dropped=0, decoder={}, items=items)


def _item(speaker, kind, ref, hyp, uid):
    return {"speaker": speaker, "kind": kind, "id": uid, "ref": ref, "greedy": hyp,
            "task": hyp, "best_task": hyp}


POOL = [Speaker("alphanumeric:a", "alphanumeric", "female", "phone"),
        Speaker("alphanumeric:b", "alphanumeric", "male", "laptop"),
        Speaker("fsdd:c", "fsdd", "male", fsdd.DEVICE),
        Speaker("speech-commands:d", "speech-commands", "unknown", "crowd")]


def test_each_voice_counts_once_and_the_worst_group_is_named():
    items = [
        _item("alphanumeric:a", "connected", "one two three four", "one two three four", "u1"),
        _item("alphanumeric:b", "connected", "one two", "one nine", "u2"),  # 50 %
        *[_item("fsdd:c", "connected", "five six", "five six", f"f{i}") for i in range(9)],
        _item("fsdd:c", "connected", "five six", "five", "f9"),  # 1 error in 20 words: 5 %
        _item("speech-commands:d", "isolated", "zero", "zero", "s1"),
    ]
    summary = crossval.summarize([_fold(items)], pool=POOL)
    connected = summary["mean"]["connected"]
    assert connected["voices"] == 3 and connected["wer"] == pytest.approx((0 + 0.5 + 0.05) / 3,
                                                                          abs=1e-4)
    assert summary["gender"]["male"]["connected"]["wer"] == pytest.approx(0.275, abs=1e-4)
    assert summary["device"]["phone"]["connected"]["wer"] == 0.0
    assert summary["source"]["speech-commands"]["isolated"]["wer"] == 0.0
    # groups of one voice are shown but never named the worst; male (2 voices) is
    assert summary["worst"]["connected"] == {"group": "gender = male", "wer": 0.275}
    # a flagged recording leaves the scores and takes nothing else with it
    fewer = crossval.summarize([_fold(items)], exclude={"u2"}, pool=POOL)
    assert fewer["mean"]["connected"]["voices"] == 2
    table = crossval.format_table(summary)
    assert "| **worst group** | gender = male: 27.5 %" in table


def test_label_check_flags_only_what_both_readings_contradict(tmp_path):
    items = [
        # the model's own slips (1-3 digits): not a label problem
        _item("alphanumeric:a", "connected", "one two three four five", "one two three", "u1"),
        # another number entirely: flagged
        _item("alphanumeric:b", "connected", "one two three four five", "nine nine eight seven",
              "u2"),
        # the digit decoder found nothing, but the letters follow the prompt: not flagged
        {**_item("alphanumeric:c", "connected", "one two three four five", "", "u3"),
         "greedy": "on two thre for fiv"},
        _item("fsdd:c", "connected", "one", "two three four five six", "f1"),  # not a prompt
    ]
    rows = crossval.check_labels([_fold(items)])
    assert [(r["id"], r["prompt"], r["heard"]) for r in rows] == [("u2", "12345", "9987")]
    assert rows[0]["reason"].startswith("5 digit edits between the prompt (5 digits)")
    path = crossval.save_label_check(rows, tmp_path / "labels.tsv")
    assert crossval.flagged(path) == {"u2"}
    assert crossval.flagged(tmp_path / "none.tsv") == set()


def test_an4_digit_strings_are_label_checked_too():
    items = [_item("an4:fash", "connected", "one two three four five", "nine nine eight seven",
                   "an4-1"),
             _item("an4:mcen", "connected", "one two three", "one two", "an4-2")]
    assert [r["id"] for r in crossval.check_labels([_fold(items)])] == ["an4-1"]
    # a second model that never heard the speaker reads it nearly right: a slip, not a label
    better = _fold([_item("an4:fash", "connected", "one two three four five", "one two three four",
                          "an4-1")], fold=1)
    assert crossval.check_labels([_fold(items), better]) == []
    assert crossval.check_labels([better, _fold(items)]) == []


def test_a_fold_scored_on_the_voices_an_older_pool_shares():
    items = [_item("alphanumeric:a", "connected", "one two", "one two", "u1"),
             _item("an4:fash", "connected", "one two", "nine", "u2")]
    fold = replace(_fold(items), voices={"alphanumeric:a": {}, "an4:fash": {}})
    shared = crossval.only(fold, ["alphanumeric:a", "fsdd:c"])
    assert shared.test == ["alphanumeric:a"] and list(shared.voices) == ["alphanumeric:a"]
    assert [i["id"] for i in shared.items] == ["u1"] and len(fold.items) == 2  # a copy


def test_validation_curve_against_training_time(tmp_path):
    log = tmp_path / "run.log.csv"
    log.write_text("epoch,loss,seconds,val_cer,val_wer\n0,9.0,40.5,0.9,1.0\n1,5.0,81.0,0.5,0.6\n")
    curve = crossval.validation_curve(log)
    assert [(r["epoch"], r["seconds"], r["val_wer"]) for r in curve] == [(1, 40.5, 1.0),
                                                                          (2, 81.0, 0.6)]
    assert not curve[0]["estimated"]
    old = tmp_path / "old.log.csv"  # written before runs logged their time
    old.write_text("epoch,loss,val_cer,val_wer\n0,9.0,0.9,1.0\n1,5.0,0.5,0.6\n2,4,0.4,0.5\n")
    assert [r["seconds"] for r in crossval.validation_curve(old, 360.0)] == [120.0, 240.0, 360.0]
    with pytest.raises(ValueError, match="no seconds column"):
        crossval.validation_curve(old)


def test_learning_curve_subsets_are_nested_and_stratified():
    pool = [Speaker(f"speech-commands:{i}", "speech-commands", "unknown", "c") for i in range(40)]
    pool += [Speaker(f"alphanumeric:f{i}", "alphanumeric", "female", "phone") for i in range(14)]
    pool += [Speaker(f"alphanumeric:m{i}", "alphanumeric", "male", "phone") for i in range(14)]
    pool += [Speaker(f"fsdd:{i}", "fsdd", "male", "x") for i in range(4)]
    ids = [s.id for s in pool]
    small, big = crossval.subset(ids, 12, pool), crossval.subset(ids, 36, pool)
    assert len(small) == 12 and set(small) <= set(big)
    counts = {src: sum(s.startswith(src) for s in big) for src in ("speech", "alpha", "fsdd")}
    assert counts == {"speech": 20, "alpha": 14, "fsdd": 2}
    assert crossval.subset(ids, len(ids), pool) == sorted(ids)
    with pytest.raises(ValueError, match="between 1 and 72"):
        crossval.subset(ids, 0, pool)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["voices", "--recipe", "nope"], "unknown recipe 'nope'"),
        (["voices", "--budget", "-1"], "--budget must be seconds, or 0 for no limit"),
        (["voices", "--budget", "nan"], "--budget must be seconds, or 0 for no limit"),
        (["voices", "--patience", "0"], "--patience must be at least 1"),
        (["voices", "--resume-dir", "x"], "--resume-dir goes with --ship"),
        (["voices", "--folds", "7"], "fold numbers are 0 to 4"),
        (["voices", "--table"], "no stored folds yet"),
        (["voices", "--folds", "0", "--speakers", "0"], "between 1 and 118 voices"),
    ],
)
def test_voices_usage_errors_are_one_line(capsys, argv, message, tmp_path, request):
    if "--speakers" in argv:  # the fold's voices come from the corpora
        request.getfixturevalue("mirror")
    assert cli.main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_one_short_fold_for_real(tmp_path, monkeypatch):
    """A fold trained for real (tiny: 6 voices, seconds of training): its test voices are
    never trained on, every test voice is transcribed, and a rerun reads the cache."""
    from conftest import MIRROR

    if not (MIRROR / "alphanumeric-audio-dataset").is_dir():
        pytest.skip(f"speech mirror not found at {MIRROR}")
    monkeypatch.setattr(crossval, "COPIES", 2)
    monkeypatch.setattr(crossval, "N_FSDD_VAL", 2)
    monkeypatch.setattr(crossval, "N_FSDD_TEST", 2)
    recipe = recipes.VOICE_RECIPES["voices-noaug"]
    recipe = replace(recipe, n_train=40, train=replace(recipe.train, epochs=2, patience=2))
    result = crossval.run_fold(recipe, 0, tmp_path, time_budget=30, n_speakers=6, log=print)
    fold = voices.folds(voices.speakers())[0]
    assert len(result.train) == 6 and set(result.train) <= set(fold.train)
    assert result.test == list(fold.test) and result.val == list(fold.val)
    assert {i["speaker"] for i in result.items} == set(fold.test)  # every voice, none dropped
    assert {i["kind"] for i in result.items} == set(voices.KINDS)
    assert result.epochs >= 1 and result.dropped == 0
    summary = crossval.summarize([result])
    assert 0 <= summary["mean"]["connected"]["wer"] and summary["worst"]["connected"]["group"]
    path = crossval.fold_path(tmp_path, recipe.name, 0, 6)
    assert path.exists() and path.with_suffix(".keras").exists()
    again = crossval.run_fold(recipe, 0, tmp_path, time_budget=30, n_speakers=6)
    assert again == result  # read back, not retrained


def test_stored_folds_score_every_voice_once_and_never_leak(mirror):
    """The committed results (data/voices): five folds of the shipped recipe, each test voice
    scored by the one fold that never heard it; the same five folds before AN4's voices joined
    (``voices-124``: every earlier voice in the same fold); the learning-curve points are
    nested subsets of fold 0's voices under the same budget; the label check lists only
    scored strings."""
    from asrlib import runtime

    out = runtime.REPO / "data" / "voices"
    stored = crossval.load(out, "voices")
    assert [f.fold for f in stored] == list(range(crossval.K))
    pool = {s.id for s in voices.speakers()}
    assert sorted(s for f in stored for s in f.test) == sorted(pool)
    for f in stored:
        assert not set(f.train) & (set(f.test) | set(f.val))
        assert {i["speaker"] for i in f.items} == set(f.test) == set(f.voices)
    before = crossval.load(out, "voices-124")
    assert sorted(s for f in before for s in f.test) == sorted(
        s for s in pool if not s.startswith("an4:"))
    for b, a in zip(before, stored, strict=True):
        assert (b.fold, b.time_budget) == (a.fold, a.time_budget)
        for run in (a, b):  # the same recipe (fields added since hold their defaults)
            assert_recipe_current(run.recipe_config, recipes.VOICE_RECIPES["voices"], run.fold)
        assert set(b.test) < set(a.test) and set(b.train) < set(a.train)
        assert all(s.startswith("an4:") for s in set(a.test) - set(b.test))
    curve = sorted((crossval.VoiceFold.load(p) for p in (out / "voices").glob("fold0-*spk.json")),
                   key=lambda f: len(f.train))
    assert len(curve) >= 3
    for small, big in zip(curve, [*curve[1:], before[0], stored[0]]):
        assert set(small.train) < set(big.train) and small.time_budget == big.time_budget
    flagged = crossval.flagged(out / crossval.LABEL_CHECK)
    strings = {i["id"] for f in stored for i in f.items
               if i["speaker"].startswith(("alphanumeric:", "an4:"))}
    assert flagged <= strings and len(flagged) < len(strings) / 10


def test_training_until_it_stops_and_resume_reach_the_fit(monkeypatch, tmp_path):
    """``--budget 0 --patience N --resume-dir D`` reach ``train.fit`` as no time limit, that
    patience (the recipe itself unchanged) and the backup folder that resumes a killed run."""
    from asrlib import protocol, train

    seen = {}

    class Reached(Exception):
        pass

    def fit(train_examples, val_examples, path, spec, schedule, backup_dir=None, **kwargs):
        seen.update(schedule=schedule, backup_dir=backup_dir)
        raise Reached

    monkeypatch.setattr(train, "fit", fit)
    recipe = recipes.VOICE_RECIPES["voices"]
    with pytest.raises(Reached):
        protocol.train_recipe(recipe, {"train": [], "val": []}, tmp_path / "m.keras", {}, [], 0,
                              patience=5, backup_dir=tmp_path / "backup")
    assert seen["schedule"] == replace(recipe.train, time_budget=None, patience=5)
    assert seen["backup_dir"] == tmp_path / "backup"
    assert recipes.VOICE_RECIPES["voices"].train.patience == 15  # the recipe is not changed
    with pytest.raises(Reached):
        protocol.train_recipe(recipe, {"train": [], "val": []}, tmp_path / "m.keras", {}, [],
                              360)
    assert seen["schedule"] == replace(recipe.train, time_budget=360)
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match="patience must be a whole number"):
            protocol.train_recipe(recipe, {"train": [], "val": []}, tmp_path / "m.keras", {},
                                  [], 0, patience=bad)
