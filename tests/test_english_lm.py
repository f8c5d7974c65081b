"""The English word LM that pocketsphinx ships, read through pocketsphinx and fused into our
beam search; and the sentence recipe's commands."""

import math

import numpy as np
import pytest

from asrlib import cli, english_lm, lm, recipes
from asrlib.text import Alphabet


@pytest.fixture(scope="module")
def english():
    return english_lm.load()


def test_vocabulary_is_large_and_spelled_in_our_alphabet(english):
    assert len(english.vocab) > 50_000
    alphabet = set(Alphabet().symbols[2:])
    assert all(set(w) <= alphabet for w in list(english.vocab)[:5000])
    assert english.spelling["dont"] == "don't"  # no apostrophe in our alphabet


def test_probabilities_follow_english(english):
    assert english.logprob("of", ["in", "front"]) > english.logprob("off", ["in", "front"])
    assert english.logprob("the", []) > english.logprob("aardvark", [])
    assert english.sentence_logprob("the cat sat on the mat") > \
        english.sentence_logprob("mat the on sat cat the")
    assert english.logprob("xqzzy", []) == english_lm.UNKNOWN_LOGPROB
    assert english.perplexity(["he said that it was a good day"]) < 200
    assert math.isfinite(english.logprob(lm.EOS, ["the", "end"]))


def _probs_for(text: str, alphabet: Alphabet, noise: dict[int, str]) -> np.ndarray:
    """A peaky posteriorgram spelling ``text`` (blank between letters); at the positions in
    ``noise`` the acoustic model slightly prefers another letter."""
    rows = []
    for i, ch in enumerate(text):
        p = np.full(len(alphabet.symbols), 1e-4)
        p[alphabet.symbols.index(ch)] = 0.9
        if i in noise:
            p[alphabet.symbols.index(noise[i])] = 0.92
            p[alphabet.symbols.index(ch)] = 0.6
        rows += [p / p.sum()]
        blank = np.full(len(alphabet.symbols), 1e-4)
        blank[0] = 1.0
        rows += [blank / blank.sum()]
    return np.array(rows)


def test_fused_in_the_beam_search_it_corrects_a_letter(english):
    alphabet = Alphabet()
    probs = _probs_for("in front of the house", alphabet, {10: "n"})  # "in front on the house"
    greedy = alphabet.decode(np.argmax(probs, axis=1).tolist())
    assert greedy == "in front on the house"
    decoder = lm.LexiconDecoder(english, alpha=1.0, beta=1.0, beam_width=16, alphabet=alphabet)
    assert decoder(probs) == "in front of the house"


def test_missing_model_files_say_which(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothing\.bin"):
        english_lm.EnglishLM(lm_path=tmp_path / "nothing.bin")


def test_sentence_recipe_commands_parse_and_describe_a_bigger_model():
    parser = cli.build_parser()
    prepare_train, prepare_dev, train = (parser.parse_args(c) for c in recipes.sentence_commands())
    assert prepare_train.features == prepare_dev.features == "logmel"
    assert train.data == "shards" and train.train_shards == prepare_train.out
    assert train.val_shards == prepare_dev.out
    assert train.bidirectional and train.lstm_layers == 3 and train.units == 320
    assert train.precision == "mixed_float16"
