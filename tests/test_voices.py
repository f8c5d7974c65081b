"""The pooled voices: groups, speaker-grouped folds that never leak, and their material."""

from __future__ import annotations

from collections import Counter

import pytest

from asrlib import voices
from asrlib.text import DIGIT_WORDS


@pytest.fixture(scope="module")
def pool(mirror_root):
    return voices.speakers(root=mirror_root)


@pytest.fixture(scope="module")
def mirror_root():
    from conftest import MIRROR

    if not (MIRROR / "alphanumeric-audio-dataset").is_dir():
        pytest.skip(f"speech mirror not found at {MIRROR}")
    return MIRROR


def test_the_pool_has_every_voice_and_its_groups(pool):
    assert len(pool) == 198 and len({s.id for s in pool}) == 198
    assert Counter(s.source for s in pool) == {"speech-commands": 69, "alphanumeric": 49,
                                                "fsdd": 6, "an4": 74}
    alnum = [s for s in pool if s.source == "alphanumeric"]
    assert Counter(s.gender for s in alnum) == {"female": 26, "male": 21, "unknown": 2}
    assert {s.device for s in alnum} <= {"phone", "laptop", "external mic"}
    assert all(s.gender == "male" for s in pool if s.source == "fsdd")
    an4 = [s for s in pool if s.source == "an4"]
    assert Counter(s.gender for s in an4) == {"female": 21, "male": 53}
    assert all(s.gender == {"f": "female", "m": "male"}[s.name[0]] for s in an4)


def test_an4_joins_from_its_training_split_with_oh_as_zero(pool, mirror_root):
    from asrlib.corpora import an4

    strings = an4.digit_strings("train", root=mirror_root)
    assert len(strings) == 181 and {u.speaker for u in strings} == {
        s.name for s in pool if s.source == "an4"}
    assert all(set(u.text.split()) <= set(DIGIT_WORDS) for u in strings)
    raw = dict((uid, text) for text, uid in an4.transcript_lines(
        mirror_root / "an4" / "etc" / "an4_train.transcription"))
    for u in strings:  # "oh" and "zero" both become zero, word for word
        words = raw[u.id].split()
        assert len(words) == len(u.text.split())
        assert [w == "zero" for w in u.text.split()] == [w in ("OH", "ZERO") for w in words]
    assert sum(raw[u.id].split().count("OH") for u in strings) == 50
    test_voices = set(an4.speakers("test", root=mirror_root))
    assert not test_voices & {s.name for s in pool if s.source == "an4"}


def test_a_corpus_that_joins_later_moves_no_earlier_voice(pool):
    before = voices.groups([s for s in pool if s.source != "an4"])
    after = voices.groups(pool)
    assert all(set(b) < set(a) for b, a in zip(before, after))
    assert [sum(s.startswith("an4:") for s in g) for g in after] == [15, 15, 15, 14, 15]


def test_folds_never_train_on_a_scored_or_tuning_voice(pool):
    folds = voices.folds(pool, k=5)
    assert sorted(s for f in folds for s in f.test) == sorted(s.id for s in pool)
    assert sorted(s for f in folds for s in f.val) == sorted(s.id for s in pool)
    for f in folds:
        assert not set(f.train) & (set(f.test) | set(f.val)) and not set(f.test) & set(f.val)
        assert len(f.test) + len(f.val) + len(f.train) == len(pool)
        sources = Counter(s.split(":")[0] for s in f.test)
        assert sources["alphanumeric"] >= 9 and sources["speech-commands"] >= 13
    assert voices.folds(pool, k=5) == folds  # deterministic
    with pytest.raises(ValueError, match="at least 3"):
        voices.folds(pool, k=2)


def test_material_is_only_the_named_speakers(pool, mirror_root):
    fold = voices.folds(pool)[0]
    items = voices.material(fold.test, n_fsdd_strings=4, root=mirror_root)
    assert {i.speaker for i in items} <= set(fold.test)
    assert {i.kind for i in items} == set(voices.KINDS)
    assert all(set(i.utt.text.split()) <= set(DIGIT_WORDS) for i in items)
    numbers = [i for i in items if i.speaker.startswith("alphanumeric:")]
    assert len(numbers) == sum(s.startswith("alphanumeric:") for s in fold.test)


def test_training_material_replays_each_voice(pool, mirror_root):
    fold = voices.folds(pool)[0]
    utts = voices.training_utterances(fold.train, n_fsdd=10, copies=2, perturb=True,
                                      effects=("pitch",), root=mirror_root)
    assert len({u.id for u in utts}) == len(utts)
    test_names = {s.split(":", 1)[1] for s in fold.test + fold.val}
    assert not {u.speaker for u in utts} & test_names
    replayed = [u for u in utts if "-copy" in u.id]
    assert replayed[0].speeds == () and replayed[1].speeds  # first copy as recorded
    assert len(replayed[1].load()) > 16000
