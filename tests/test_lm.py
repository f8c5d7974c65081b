"""lm: Kneser-Ney n-gram probabilities sum to one; fusion and the lexicon change decoding."""

import json
import math

import numpy as np
import pytest

from asrlib import decoders, decoding, lm
from asrlib.decoding import DecoderSpec
from asrlib.text import Alphabet

TEXTS = ["one two three", "two three four", "one one two", "three four"]


@pytest.mark.parametrize("order", [1, 2, 3])
def test_probabilities_sum_to_one(order):
    model = lm.NGramLM.train(TEXTS, order=order)
    words = [*model.vocab, lm.EOS, lm.UNK]
    for context in [(), ("one",), ("one", "two"), ("unseen", "words")]:
        assert math.isclose(sum(math.exp(model.logprob(w, context)) for w in words), 1.0)


def test_seen_text_is_likelier_and_save_load(tmp_path):
    model = lm.NGramLM.train(TEXTS, order=3)
    assert model.perplexity(["one two three"]) < model.perplexity(["four one three"])
    assert model.logprob("three", ("one", "two")) > model.logprob("one", ("one", "two"))
    copy = lm.NGramLM.load(model.save(tmp_path / "lm.json"))
    assert copy.logprob("two", ("one",)) == model.logprob("two", ("one",))
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match=r"bad\.json: not an asrlib language model"):
        lm.NGramLM.load(tmp_path / "bad.json")


def test_bad_arguments():
    with pytest.raises(ValueError, match="no text"):
        lm.NGramLM.train(["", "  "])
    with pytest.raises(ValueError, match="order"):
        lm.NGramLM(order=0)


def _probs_for(text: str, alphabet: Alphabet, confusion: dict[int, tuple[str, float]]):
    """Peaky probabilities spelling ``text`` (a blank between letters); ``confusion`` maps a
    letter position to a rival symbol and the probability it takes from the true one."""
    rows = []
    for k, char in enumerate(text):
        row = np.full(len(alphabet), 1e-4)
        row[alphabet.symbols.index(char)] = 1.0
        if k in confusion:
            rival, p = confusion[k]
            row[alphabet.symbols.index(char)] = 1 - p
            row[alphabet.symbols.index(rival)] = p
        rows.append(row / row.sum())
        blank = np.full(len(alphabet), 1e-4)
        blank[0] = 1.0
        rows.append(blank / blank.sum())
    return np.array(rows)


def test_lexicon_forces_real_words():
    alphabet = Alphabet()
    model = lm.NGramLM.train(["one two three", "three two one"], order=2)
    # "thre" is likelier than "three" acoustically: the second e is weak
    probs = _probs_for("one three", alphabet, {8: ("_", 0.7)})
    assert decoders.decode(probs, "greedy", alphabet) == "one thre"
    scorer = lm.LMScorer(model, alphabet, alpha=0.5, beta=1.0, lexicon=True)
    assert lm.decode(probs, scorer) == "one three"
    free = lm.LMScorer(model, alphabet, alpha=0.0, beta=0.0)
    assert lm.decode(probs, free) == "one thre"  # no LM, no lexicon: the acoustics win


def test_lexicon_keeps_the_finished_words_when_the_audio_ends_mid_word():
    alphabet = Alphabet()
    model = lm.NGramLM.train(["one two three", "three two one"], order=2)
    probs = _probs_for("one two th", alphabet, {})  # the last word is cut off
    scorer = lm.LMScorer(model, alphabet, alpha=0.5, beta=1.0, lexicon=True)
    assert lm.decode(probs, scorer, beam_width=2) == "one two"  # not an empty transcript


def test_fusion_with_zero_weights_matches_plain_beam():
    alphabet = Alphabet()
    probs = _probs_for("one two", alphabet, {1: ("m", 0.45), 5: ("o", 0.4)})
    model = lm.NGramLM.train(TEXTS)
    plain = decoding.prefix_beam_search(probs, 8)
    fused = decoding.prefix_beam_search(probs, 8, scorer=lm.LMScorer(model, alphabet, 0.0, 0.0))
    assert [b for b, _ in fused[:3]] == [b for b, _ in plain[:3]]
    assert np.allclose([s for _, s in fused[:3]], [s for _, s in plain[:3]])


def test_tune_returns_best_first():
    alphabet = Alphabet()
    model = lm.NGramLM.train(["one three", "three one"], order=2)
    probs = [_probs_for("one three", alphabet, {8: ("_", 0.7)})]
    results = lm.tune(probs, ["one three"], model, alphabet, alphas=(0.0, 1.0), betas=(0.0,),
                      lexicon=False)
    assert [r["wer"] for r in results] == sorted(r["wer"] for r in results)
    assert results[0]["alpha"] == 1.0 and results[0]["wer"] == 0.0


def test_lexicon_decoder_fits_saves_and_restores():
    alphabet = Alphabet()
    probs = [_probs_for("one three", alphabet, {8: ("_", 0.7)}),
             _probs_for("two one", alphabet, {2: ("e", 0.6)})]
    decoder, grid = lm.LexiconDecoder.fit(["one three", "two one", "three two"], probs,
                                          ["one three", "two one"], alphabet)
    assert grid[0]["wer"] == 0.0 and len(grid) == 9
    assert [decoder(p) for p in probs] == ["one three", "two one"]
    spec = DecoderSpec.from_dict(json.loads(json.dumps(decoder.spec.to_dict())))
    assert spec == decoder.spec and spec.kind == "lexicon"
    again = lm.LexiconDecoder.from_spec(spec, alphabet)
    assert [again(p) for p in probs] == ["one three", "two one"]
    with pytest.raises(ValueError, match="needs its word LM"):
        DecoderSpec("lexicon")
    with pytest.raises(ValueError, match="beam_width"):
        lm.LexiconDecoder(decoder.lm, beam_width=0)


def test_the_factory_builds_every_kind_from_its_spec():
    alphabet = Alphabet()
    model = lm.NGramLM.train(["one two three", "three two one"], order=2)
    words = lm.LexiconDecoder(model, alpha=0.5, beta=1.0, beam_width=4, alphabet=alphabet)
    probs = _probs_for("one three", alphabet, {8: ("_", 0.7)})
    assert decoders.decode(probs, "beam", alphabet, beam_width=4) == "one thre"
    assert decoders.build(words.spec, alphabet)(probs) == "one three"
    assert decoders.build(words.spec.switch("greedy"), alphabet)(probs) == "one thre"
    search = decoders.build(words.spec, alphabet).search()
    # a partial: "thre" is a prefix of a lexicon word, and the word's end is not scored yet
    assert alphabet.decode(search.advance(probs).best()) == "one thre"
    assert decoders.build(DecoderSpec(), alphabet).search() is None  # greedy: no beam
    plain = decoders.build(words.spec.switch("beam"), alphabet)  # the model's LM is not used
    assert plain.words is None and plain.search().scorer is None
    with pytest.raises(ValueError, match="no word LM saved"):
        DecoderSpec("beam").switch("lexicon")
