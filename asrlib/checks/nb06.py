"""Exercise checks for notebook 06 (decoding)."""

from __future__ import annotations

import math

import numpy as np

from asrlib import checks, ctc, decoding, lm
from asrlib.text import Alphabet

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LEXICON_TEXTS = ("two", "six one", "three eight", "seven zero five", "nine four", "eight six two")

def two_frame_prob(answer, p_a: float = 0.4) -> bool:
    """Exercise 1: total CTC probability of "a" over two frames that each give ``a`` with
    ``p_a`` and blank with ``1 - p_a``: paths ``aa``, ``a_`` and ``_a``."""
    name = "Exercise 1 (summing the paths)"
    if checks.untried(name, answer):
        return False
    p_blank = 1 - p_a
    two_frames = np.log([[p_blank, p_a], [p_blank, p_a]])  # classes: blank (0), a (1)
    expected = float(np.exp(-ctc.forward(two_frames, [1])[1]))  # p("a") = exp(-CTC loss)
    return checks.report(
        name, checks.close(answer, expected, 1e-6),
        hint="three paths collapse to 'a': a a, a _ and _ a. Multiply along each, then add.",
        praise=f"{expected:.2f} > {p_blank * p_blank:.2f} for the empty transcript: the best "
        "path (blank, blank) is not the best transcript.",
    )


def uniform_perplexity(answer, n_words: int = 10) -> bool:
    """Exercise 2: the perplexity of a model that gives each of ``n_words`` equal probability."""
    name = "Exercise 2 (perplexity)"
    if checks.untried(name, answer):
        return False
    expected = float(np.exp(-np.mean(np.log(np.full(n_words, 1 / n_words)))))
    return checks.report(
        name, checks.close(answer, expected, 1e-6),
        hint="perplexity is exp(-mean log P(word)); every word has P = 1/10.",
        praise="random digit strings leave a word LM nothing to predict: here the lexicon, "
        "not the LM, does the work.",
    )


class _TextScorer:
    """A function of (text so far, next character) as a :class:`decoding.Scorer`; the end of
    the utterance is allowed only after a whole digit word."""

    def __init__(self, fn, alphabet: Alphabet):
        self.fn, self.alphabet = fn, alphabet

    def score(self, prefix, token):
        return float(self.fn(self.alphabet.decode(prefix), self.alphabet.symbols[token]))

    def final(self, prefix):
        return 0.0 if self.alphabet.decode(prefix).split(" ")[-1] in DIGIT_WORDS else -math.inf


def _posteriorgram(text: str, rng, alphabet: Alphabet) -> np.ndarray:
    """Frames that spell ``text`` with slips: a letter frame often rates another letter a
    little higher than the right one (greedy then writes a non-word); blanks in between."""
    frames = []
    for ch in text:
        frame = np.full(alphabet.size, 1e-4)
        true = alphabet.symbols.index(ch)
        if ch != " " and rng.random() < 0.5:
            wrong = int(rng.choice([i for i in range(2, alphabet.size) if i != true]))
            frame[wrong], frame[true] = 0.5, 0.4
        else:
            frame[true] = 0.85
        frames += [frame / frame.sum(), np.eye(alphabet.size)[0] * 0.9 + 0.1 / alphabet.size]
    return np.array(frames)


def _decode(fn, probs, alphabet) -> str:
    return _decode_with(_TextScorer(fn, alphabet), probs, alphabet)


def _decode_with(scorer, probs, alphabet) -> str:
    beams = decoding.prefix_beam_search(probs, 8, scorer=scorer, prune=1e-3)
    return alphabet.decode(beams[0][0]) if beams else ""


def _library_scorer() -> lm.LMScorer:
    """asrlib's own lexicon rule (:class:`asrlib.lm.LMScorer` with ``lexicon=True``) over the
    ten digit words, with the language model switched off (``alpha = beta = 0``): 0.0 for an
    extension the lexicon allows, -inf for one it forbids. The check's reference."""
    words = lm.NGramLM.train(DIGIT_WORDS, order=1)
    return lm.LMScorer(words, Alphabet(), alpha=0.0, beta=0.0, lexicon=True)


def _ids(text: str) -> tuple[int, ...]:
    """The label ids of ``text`` as the beam holds them, spaces kept where they are."""
    symbols = Alphabet().symbols
    return tuple(symbols.index(ch) for ch in text)


PAIRS = [("", "t"), ("", "x"), ("", " "), ("tw", "o"), ("tw", "e"), ("two", " "), ("tw", " "),
         ("two ", "s"), ("two ", " "), ("six on", "e"), ("six on", "c"), ("six", "t")]


def lexicon_scorer(answer) -> bool:
    """Exercise 3 (code): ``answer(prefix_text, next_char)`` is 0.0 when the text can still be
    read as digit words after ``next_char`` and -inf when not; checked on hidden pairs and by
    running :func:`asrlib.decoding.prefix_beam_search` with it on hidden posteriorgrams."""
    name = "Exercise 3 (a lexicon scorer)"
    if checks.untried(name, answer):
        return False
    try:
        got = [answer(text, ch) for text, ch in PAIRS]
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if any(g is None for g in got):  # the body is still `...`
        return checks.untried(name, None) and False
    library = _library_scorer()
    for (text, ch), value in zip(PAIRS, got):
        expected = library.score(_ids(text), Alphabet().symbols.index(ch))
        try:
            same = float(value) == expected
        except (TypeError, ValueError):
            same = False
        if not same:
            verdict = "allowed (0.0)" if expected == 0 else "forbidden (-math.inf)"
            return checks.report(name, False, hint=f"after {text!r}, the character {ch!r} "
                                 f"should be {verdict}; your function returned {value!r}.")
    alphabet, rng = Alphabet(), np.random.default_rng(6)
    cases = [_posteriorgram(text, rng, alphabet) for text in LEXICON_TEXTS]
    try:
        mine = [_decode(answer, p, alphabet) for p in cases]
    except Exception as err:
        return checks.report(name, False, hint=f"in the beam search your function raised "
                             f"{type(err).__name__}: {err}")
    expected = [_decode_with(library, p, alphabet) for p in cases]
    greedy = [alphabet.decode(decoding.greedy(p)) for p in cases]
    slips = sum(g != t for g, t in zip(greedy, LEXICON_TEXTS))
    wrong = [i for i, (a, b) in enumerate(zip(mine, expected)) if a != b]
    if wrong:
        i = wrong[0]
        return checks.report(name, False, hint=f"on a hidden string the beam with your scorer "
                             f"wrote {mine[i]!r}, the reference {expected[i]!r}.")
    return checks.report(name, True, praise=f"greedy misspelled {slips} of {len(cases)} hidden "
                         f"strings (e.g. {greedy[0]!r}); the beam with your scorer wrote "
                         f"{sum(m == t for m, t in zip(mine, LEXICON_TEXTS))} of them exactly.")
