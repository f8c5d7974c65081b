"""Exercise checks for notebook 06 (decoding)."""

from __future__ import annotations

from asrlib import checks


def two_frame_prob(answer, p_a: float = 0.4) -> bool:
    """Exercise 1: total CTC probability of "a" over two frames that each give ``a`` with
    ``p_a`` and blank with ``1 - p_a``: paths ``aa``, ``a_`` and ``_a``."""
    name = "Exercise 1 (summing the paths)"
    if checks.untried(name, answer):
        return False
    p_blank = 1 - p_a
    expected = p_a * p_a + 2 * p_a * p_blank
    return checks.report(
        name, checks.close(answer, expected, 1e-6),
        hint="three paths collapse to 'a': a a, a _ and _ a. Multiply along each, then add.",
        praise=f"{expected:.2f} > {p_blank * p_blank:.2f} for the empty transcript: the best "
        "path (blank, blank) is not the best transcript.",
    )


def output_frame_ms(answer, hop_ms: float = 10.0, stride: int = 2) -> bool:
    """Exercise 2: milliseconds of audio per output frame (feature hop × the pooling stride),
    the unit of every time a forced alignment reports."""
    name = "Exercise 2 (time per output frame)"
    if checks.untried(name, answer):
        return False
    expected = hop_ms * stride
    return checks.report(
        name, checks.close(answer, expected, 1e-6),
        hint="one feature frame every 10 ms; the 2×2 max-pool keeps one output frame in two.",
        praise=f"{expected:g} ms: a word that spans 20 output frames lasts about "
        f"{20 * expected / 1000:g} s.",
    )


def uniform_perplexity(answer, n_words: int = 10) -> bool:
    """Exercise 3: the perplexity of a model that gives each of ``n_words`` equal probability."""
    name = "Exercise 3 (perplexity)"
    if checks.untried(name, answer):
        return False
    return checks.report(
        name, checks.close(answer, n_words, 1e-6),
        hint="perplexity is exp(-mean log P(word)); every word has P = 1/10.",
        praise="random digit strings leave a word LM nothing to predict: here the lexicon, "
        "not the LM, does the work.",
    )
