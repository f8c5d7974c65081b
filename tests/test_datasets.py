import itertools

import numpy as np
import pytest

from asrlib import datasets
from asrlib.utterance import ManifestError


def test_fsdd_mirror_has_six_speakers(mirror):
    utts = datasets.fsdd()
    assert len(utts) == 3000
    assert {u.speaker for u in utts} == set(datasets.FSDD_SPEAKERS)
    assert utts[0].text in datasets.DIGIT_WORDS


def test_connected_digits_deterministic_and_one_speaker(mirror):
    a = datasets.connected_digits(20, ["lucas", "theo"], seed=3)
    b = datasets.connected_digits(20, ["lucas", "theo"], seed=3)
    c = datasets.connected_digits(20, ["lucas", "theo"], seed=4)
    assert a == b and a != c
    for u in a:
        words = u.text.split()
        assert 1 <= len(words) <= 7 and all(w in datasets.DIGIT_WORDS for w in words)
        assert all(f"_{u.speaker}_" in p for p in u.parts)
        assert len(u.pauses) == len(u.parts) + 1
    samples = a[0].load()
    expected = sum(int(p * 16000) for p in a[0].pauses)
    assert samples.dtype == np.float32 and len(samples) > expected


@pytest.mark.parametrize("perturb", [False, True])
def test_part_spans_locate_each_digit(mirror, perturb):
    u = datasets.connected_digits(3, ["george"], seed=5, min_digits=3, perturb=perturb)[1]
    samples, spans = u.load(), u.part_spans()
    assert len(spans) == len(u.parts) == len(u.text.split())
    silence = np.ones(len(samples), bool)
    for start, end in spans:
        silence[start:end] = False
    assert np.all(samples[silence] == 0)  # everything outside the spans is the added pauses
    assert spans[-1][1] + int(u.pauses[-1] * 16000) == len(samples)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))
    with pytest.raises(ValueError, match="no parts"):
        datasets.Utterance("x", "one", path="x.wav").part_spans()


def test_digits_split_is_by_speaker(mirror):
    split = datasets.digits_split(n_train=40, n_val=5, n_test=5)
    speakers = {k: {u.speaker for u in v} for k, v in split.items()}
    assert speakers["test"] == {datasets.DIGITS_TEST_SPEAKER}
    assert speakers["val"] == {datasets.DIGITS_VAL_SPEAKER}
    assert not speakers["train"] & (speakers["test"] | speakers["val"])
    assert len(speakers["train"]) == 4


def test_librispeech_and_ljspeech_mirror(mirror):
    libri = datasets.librispeech("sample")
    assert len(libri) == 496 and {u.speaker for u in libri} == {"4088", "4406", "5652", "8226"}
    assert libri[0].path.endswith(".flac") and libri[0].text.isupper()
    lj = datasets.ljspeech()
    assert len(lj) == 141 and all(u.speaker == "LJ" for u in lj)


def test_sentences_split_holds_out_the_test_speaker(mirror):
    split = datasets.sentences_split()
    assert {u.speaker for u in split["test"]} == {datasets.SENTENCE_TEST_SPEAKER} == {"8226"}
    assert "8226" not in {u.speaker for u in split["train"] + split["val"]}
    # validation is a voice of its own, never trained on
    assert {u.speaker for u in split["val"]} == {datasets.SENTENCE_VAL_SPEAKER} == {"LJ"}
    assert {u.speaker for u in split["train"]} == {"4088", "4406", "5652"}
    with pytest.raises(ManifestError, match="validation speaker"):
        datasets.sentences_split(val_speaker="8226")


def test_unknown_librispeech_subset_says_what_exists(mirror):
    with pytest.raises(ManifestError, match="downloadable subsets"):
        datasets.librispeech("nope")


def test_common_voice_layout(tmp_path):
    (tmp_path / "clips").mkdir()
    (tmp_path / "train.tsv").write_text(
        "client_id\tpath\tsentence\tup_votes\nabc\tcommon_voice_en_1.mp3\tHello there.\t2\n"
    )
    utts = datasets.common_voice(tmp_path)
    assert utts[0].text == "Hello there." and utts[0].speaker == "abc"
    assert utts[0].path == str(tmp_path / "clips" / "common_voice_en_1.mp3")
    with pytest.raises(ManifestError, match=r"dev\.tsv"):
        datasets.common_voice(tmp_path, "dev")
