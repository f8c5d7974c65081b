"""Tests for asrlib.decoding and the decoder factory: collapse, greedy, beam searches, specs,
CTC log prob."""

import itertools

import numpy as np
import pytest

from asrlib import ctc
from asrlib.decoders import build, decode
from asrlib.decoding import (
    KINDS,
    DecoderSpec,
    collapse,
    ctc_log_prob,
    greedy,
    greedy_batch,
    keras_beam_search,
    prefix_beam_search,
)
from asrlib.text import Alphabet


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _random_probs(seed: int, shape: tuple[int, ...], sharpness: float = 1.0) -> np.ndarray:
    """Random softmax outputs; a larger ``sharpness`` makes them peakier, like a trained model."""
    return _softmax(sharpness * np.random.default_rng(seed).normal(size=shape))


def _brute_force(probs: np.ndarray) -> dict[tuple[int, ...], float]:
    """Total log probability of every label sequence, by enumerating all C^T alignments."""
    time, classes = probs.shape
    totals: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(classes), repeat=time):
        label = tuple(collapse(path))
        totals[label] = totals.get(label, 0.0) + np.prod(probs[np.arange(time), path])
    return {label: float(np.log(p)) for label, p in totals.items()}


@pytest.fixture(scope="module")
def tf():
    """TensorFlow, imported once, for the tests that compare with it."""
    return pytest.importorskip("tensorflow")


@pytest.mark.parametrize(
    "ids, expected",
    [
        ([1, 1, 0, 1], [1, 1]),  # "aa_a": the blank keeps the two a's apart
        ([1, 1, 1], [1]),
        ([0, 1, 0, 0, 2, 2, 0], [1, 2]),
        ([1, 2, 1], [1, 2, 1]),
        ([0, 0, 0], []),
        ([], []),
    ],
)
def test_collapse(ids, expected):
    assert collapse(ids) == expected
    assert collapse(np.array(ids, dtype=np.int32)) == expected


def test_collapse_other_blank():
    assert collapse([2, 0, 0, 2, 1, 2, 1], blank=2) == [0, 1, 1]


def test_greedy_on_handmade_matrix():
    probs = np.array(
        [
            [0.1, 0.8, 0.1],  # a
            [0.2, 0.7, 0.1],  # a
            [0.6, 0.2, 0.2],  # blank
            [0.3, 0.6, 0.1],  # a
            [0.1, 0.1, 0.8],  # b
            [0.9, 0.05, 0.05],  # blank
        ]
    )
    assert greedy(probs) == [1, 1, 2]
    assert greedy(probs, length=3) == [1]
    batch = np.stack([probs, probs[::-1]])
    assert greedy_batch(batch, [6, 2]) == [[1, 1, 2], [2]]
    assert greedy_batch(batch) == [[1, 1, 2], [2, 1, 1]]


@pytest.mark.parametrize("seed", range(5))
def test_prefix_beam_search_equals_brute_force(seed):
    probs = _random_probs(seed, (5, 3))
    exact = _brute_force(probs)
    beams = prefix_beam_search(probs, beam_width=100)
    best = max(exact, key=exact.get)
    assert beams[0][0] == best
    assert beams[0][1] == pytest.approx(exact[best], abs=1e-6)
    assert {label for label, _ in beams} == set(exact)  # a wide beam keeps every prefix
    for label, score in beams:
        assert score == pytest.approx(exact[label], abs=1e-6)
    assert [s for _, s in beams] == sorted((s for _, s in beams), reverse=True)


def test_prefix_beam_search_repeats_need_a_blank():
    a, b = [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]  # certain "a", certain blank
    assert prefix_beam_search(np.array([a, a, a]))[0] == ((1,), 0.0)
    assert prefix_beam_search(np.array([a, b, a]))[0] == ((1, 1), 0.0)
    assert prefix_beam_search(np.array([b, b]))[0] == ((), 0.0)
    assert prefix_beam_search(np.array([a, [0.0, 0.0, 0.0], a])) == []  # an impossible frame


@pytest.mark.parametrize("seed", range(5))
def test_ctc_log_prob_equals_brute_force(seed):
    probs = _random_probs(seed, (5, 3))
    for label, total in _brute_force(probs).items():
        assert ctc_log_prob(probs, label) == pytest.approx(total, abs=1e-9)


def test_ctc_log_prob_impossible_label():
    probs = _random_probs(0, (3, 4))
    assert ctc_log_prob(probs, [1, 1, 1]) == -np.inf  # needs 5 frames: a _ a _ a
    assert np.isfinite(ctc_log_prob(probs, [1, 2, 3]))


@pytest.mark.parametrize("seed", range(5))
def test_beam_score_never_exceeds_total(seed):
    probs = _random_probs(seed, (30, 6), sharpness=2.0)
    for beam_width, prune in [(2, 0.0), (16, 0.0), (16, 0.05)]:
        for label, score in prefix_beam_search(probs, beam_width, prune=prune):
            assert score <= ctc_log_prob(probs, label) + 1e-9
    small = _random_probs(seed, (8, 3))
    label, score = prefix_beam_search(small, beam_width=10_000)[0]
    assert score == pytest.approx(ctc_log_prob(small, label), abs=1e-9)


def test_prune_drops_unlikely_tokens():
    probs = _random_probs(3, (4, 5))
    probs[:, :4] *= 0.99 / probs[:, :4].sum(axis=1, keepdims=True)
    probs[:, 4] = 0.01  # token 4 is always unlikely
    assert any(4 in label for label, _ in prefix_beam_search(probs, beam_width=1000))
    assert not any(4 in label for label, _ in prefix_beam_search(probs, 1000, prune=0.02))


def test_length_cuts_frames():
    probs = _random_probs(4, (20, 4), sharpness=3.0)
    assert prefix_beam_search(probs, length=7) == prefix_beam_search(probs[:7])
    assert prefix_beam_search(probs, length=7) != prefix_beam_search(probs)


class _Forbid:
    """Toy scorer: token ``banned`` is impossible, and ending costs ``end_cost`` per label."""

    def __init__(self, banned: int, end_cost: float = 0.0):
        self.banned, self.end_cost, self.calls = banned, end_cost, 0

    def score(self, prefix: tuple[int, ...], token: int) -> float:
        self.calls += 1
        return -np.inf if token == self.banned else 0.0

    def final(self, prefix: tuple[int, ...]) -> float:
        return -self.end_cost * len(prefix)


def test_scorer_changes_result():
    probs = _random_probs(7, (20, 4), sharpness=3.0)
    plain = prefix_beam_search(probs, beam_width=8)
    banned = max(set(plain[0][0]), key=plain[0][0].count)  # a token of the best path
    scorer = _Forbid(banned)
    scored = prefix_beam_search(probs, beam_width=8, scorer=scorer)
    assert scorer.calls > 0
    assert scored[0][0] != plain[0][0]
    assert all(banned not in label for label, _ in scored)
    neutral = prefix_beam_search(probs, beam_width=8, scorer=_Forbid(banned=-1))
    assert neutral == plain  # a zero bonus changes nothing


def test_scorer_final_bonus_reorders_beams():
    probs = _random_probs(8, (10, 3))
    plain = prefix_beam_search(probs, beam_width=32)
    ended = prefix_beam_search(probs, beam_width=32, scorer=_Forbid(-1, end_cost=100.0))
    assert ended[0][0] == min((label for label, _ in plain), key=len)
    assert ended[0][0] != plain[0][0]


def test_decode_texts():
    alphabet = Alphabet()
    ids = alphabet.encode("hello world")
    path = [i for label in ids for i in (label, label, 0)]  # "hh_ee_ll_ll_oo_ ..."
    probs = np.full((len(path), alphabet.size), 1e-4)
    probs[np.arange(len(path)), path] = 1.0
    probs /= probs.sum(axis=-1, keepdims=True)
    expected = "hello world"
    assert decode(probs, "greedy") == expected
    assert decode(probs, "beam", alphabet, beam_width=4) == expected
    with pytest.raises(ValueError, match="kind"):
        decode(probs, "viterbi")


def test_ctc_log_prob_equals_tf_ctc_loss(tf):
    probs = _random_probs(11, (25, 7)).astype(np.float32)
    labels = np.array([3, 1, 1, 5, 2, 6, 6, 6], dtype=np.int32)
    loss = tf.nn.ctc_loss(
        labels=labels[None],
        logits=np.log(probs)[:, None, :],  # (time, batch, classes): log probs are valid logits
        label_length=[len(labels)],
        logit_length=[len(probs)],
        logits_time_major=True,
        blank_index=0,
    )
    assert ctc_log_prob(probs, labels) == pytest.approx(-float(loss[0]), abs=1e-5)


def test_keras_beam_search_agrees_with_prefix_beam_search(tf):
    # peaky, like a trained model: on flat outputs TensorFlow's beam bookkeeping
    # differs (see keras_beam_search) and about 1 in 6 best paths disagree
    probs = np.stack([_random_probs(seed, (30, 6), sharpness=4.0) for seed in range(20)])
    lengths = [30 - seed % 5 for seed in range(20)]  # some items are padded
    ours = [prefix_beam_search(p, 16, length=n)[0][0] for p, n in zip(probs, lengths)]
    theirs = keras_beam_search(probs, lengths, beam_width=16)
    assert [list(label) for label in ours] == theirs
    assert [decode(p[:n], "keras_beam", beam_width=16) for p, n in zip(probs, lengths)] == [
        decode(p[:n], "beam", beam_width=16) for p, n in zip(probs, lengths)]


def _spelled(text: str, alphabet: Alphabet) -> np.ndarray:
    """Peaky ``(time, classes)`` probabilities whose every decoder reads ``text``."""
    ids = alphabet.encode(text)
    path = [i for label in ids for i in (label, label, 0)]
    probs = np.full((len(path), alphabet.size), 1e-4)
    probs[np.arange(len(path)), path] = 1.0
    return probs / probs.sum(axis=-1, keepdims=True)


def test_the_factory_builds_every_kind_but_those_that_need_an_lm(tf):
    alphabet = Alphabet()
    probs = _spelled("hello world", alphabet)
    texts = {k: build(DecoderSpec(k, 4), alphabet)(probs) for k in KINDS
             if k not in ("lexicon", "lm")}
    assert texts == {"greedy": "hello world", "beam": "hello world", "keras_beam": "hello world"}
    assert build(DecoderSpec())(probs, length=3) == "h"  # cut to the utterance's length
    assert decode(probs) == "hello world"  # greedy, the default alphabet


def test_a_decoder_spec_rejects_what_it_cannot_run():
    with pytest.raises(ValueError) as err:
        DecoderSpec("viterbi")
    assert str(err.value) == f"decoder kind must be one of {KINDS}, got 'viterbi'"
    with pytest.raises(ValueError, match="needs its word LM"):
        DecoderSpec("lexicon")
    with pytest.raises(ValueError, match="unknown decoder field"):
        DecoderSpec.from_dict({"kind": "beam", "width": 3})
    old = {"config": {"alpha": 0.5, "beta": 2.0, "beam_width": 4, "lexicon": True,
                      "prune": 0.001}, "lm": {"vocab": ["one"]}}
    assert DecoderSpec.from_dict(old) == DecoderSpec("lexicon", 4, 0.5, 2.0, 0.001,
                                                     {"vocab": ["one"]})


def test_collapse_has_one_home_in_ctc():
    assert collapse is ctc.collapse


@pytest.mark.parametrize("seed", range(4))
def test_ctc_log_prob_is_ctc_forward_on_log_probs(seed):
    rng = np.random.default_rng(seed)
    probs = _random_probs(seed, (9, 5))
    for labels in ([], [1], [2, 2], rng.integers(1, 5, size=4).tolist(), [3] * 5, [3] * 6):
        _, loss = ctc.forward(np.log(probs), labels)
        assert ctc_log_prob(probs, labels) == -loss
