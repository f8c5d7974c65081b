"""traditional: pocketsphinx as the comparison recogniser, scored and cached like our models."""

import json
import sys

import numpy as np
import pytest

from asrlib import datasets, traditional
from asrlib.text import DIGIT_WORDS

pytest.importorskip("pocketsphinx")


def test_grammar_accepts_a_word_list_and_rejects_junk():
    text = traditional.grammar(["two", "one", "one"])
    assert "( one | two )+" in text and text.startswith("#JSGF V1.0;")
    with pytest.raises(ValueError, match="plain words"):
        traditional.grammar(["one;", "two"])
    with pytest.raises(ValueError, match="plain words"):
        traditional.grammar([])


def test_missing_pocketsphinx_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)  # import now raises ImportError
    with pytest.raises(RuntimeError, match="pip install pocketsphinx"):
        traditional.Pocketsphinx()


def test_any_audio_gives_text_not_an_error():
    rng = np.random.default_rng(0)
    for samples in (np.zeros(16_000, np.float32), rng.normal(0, 0.1, 8_000).astype(np.float32),
                    np.full(4_000, 3.0, np.float32)):  # silence, noise, clipped junk
        assert isinstance(traditional.Pocketsphinx()(samples), str)


def test_digit_grammar_only_writes_digit_words_and_is_cached(mirror, tmp_path):
    utts = datasets.connected_digits(2, ["theo"], seed=2)
    path = tmp_path / "ps.json"
    result = traditional.cached_evaluation(utts, path, words=DIGIT_WORDS)
    assert result["ids"] == [u.id for u in utts] and result["rtf"] > 0
    assert all(set(h.split()) <= set(DIGIT_WORDS) for h in result["hyps"])
    assert 0 <= result["wer"] and 0 <= result["cer"]
    stored = json.loads(path.read_text())
    stored["hyps"] = ["marker"] * len(utts)  # a second call reads the file, not the audio
    path.write_text(json.dumps(stored))
    assert traditional.cached_evaluation(utts, path, words=DIGIT_WORDS)["hyps"][0] == "marker"
    # another grammar (here: none) is another evaluation, not the stored one
    assert traditional.cached_evaluation(utts, path)["hyps"][0] != "marker"


def test_a_damaged_cache_file_names_itself(tmp_path):
    path = tmp_path / "ps.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"ps\.json: not a stored evaluation"):
        traditional.cached_evaluation([], path)
