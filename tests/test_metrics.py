"""Tests for asrlib.metrics: our edit distance and error rates against jiwer."""

import random

import jiwer
import pytest

from asrlib.metrics import (
    ErrorRate,
    align,
    cer,
    edit_distance,
    error_counts,
    operation_counts,
    wer,
)

PAIRS = [
    ("the cat sat on the mat", "the cat sat on mat"),
    ("hello world", "hello there world"),
    ("a b c d", "x y"),
    ("speech recognition is fun", "speech wreck ignition is fun"),
    ("one", "one one one"),
]
WORDS = ["a", "an", "the", "cat", "cut", "sat", "at", "mat", "hat", "on"]  # small vocab: many hits


def _random_sentence(rng: random.Random, min_words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(min_words, 8)))


def _random_corpus(seed: int, size: int = 12) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    refs = [_random_sentence(rng, 1) for _ in range(size)]
    hyps = [_random_sentence(rng, 0) for _ in range(size)]
    return refs, hyps


@pytest.mark.parametrize(
    "ref, hyp, expected",
    [
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("", "abc", 3),
        ("abc", "", 3),
        ("", "", 0),
        ("abc", "abc", 0),
        ("ab", "ba", 2),
        (["the", "cat"], ["the", "bat", "cat"], 1),
    ],
)
def test_edit_distance_known_values(ref, hyp, expected):
    assert edit_distance(ref, hyp) == expected
    assert edit_distance(hyp, ref) == expected


def test_edit_distance_matches_jiwer_on_random_char_strings():
    rng = random.Random(1)
    for _ in range(200):
        ref = "".join(rng.choice("abc") for _ in range(rng.randint(1, 12)))
        hyp = "".join(rng.choice("abc") for _ in range(rng.randint(0, 12)))
        expected = jiwer.process_characters(ref, hyp)
        assert edit_distance(ref, hyp) == (
            expected.substitutions + expected.deletions + expected.insertions
        ), (ref, hyp)


@pytest.mark.parametrize("ref, hyp", PAIRS)
def test_single_pairs_match_jiwer(ref, hyp):
    assert wer(ref, hyp) == pytest.approx(jiwer.wer(ref, hyp), abs=1e-12)
    assert cer(ref, hyp) == pytest.approx(jiwer.cer(ref, hyp), abs=1e-12)


def test_fixed_corpus_matches_jiwer():
    refs, hyps = map(list, zip(*PAIRS))
    assert wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps), abs=1e-12)
    assert cer(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps), abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_random_corpus_matches_jiwer(seed):
    refs, hyps = _random_corpus(seed)
    assert wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps), abs=1e-12)
    assert cer(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps), abs=1e-12)


def test_corpus_level_is_not_mean_of_sentences():
    refs, hyps = ["a b c d e f g h i j", "a"], ["a b c d e f g h i j", "b"]
    assert wer(refs, hyps) == pytest.approx(1 / 11)  # the mean per sentence would be 0.5


def test_identical_is_zero():
    refs = ["the cat sat", "on the mat"]
    assert wer(refs, refs) == 0.0
    assert cer(refs, refs) == 0.0


def test_empty_hypothesis_is_all_deletions():
    assert error_counts("the cat sat", "") == ErrorRate(3, 3)
    assert wer("the cat sat", "") == 1.0
    assert cer("the cat", "") == 1.0


def test_insertions_only():
    assert error_counts("the cat", "the big fat cat") == ErrorRate(2, 2)
    assert wer("the cat", "the big fat cat") == 1.0
    assert cer("ab", "xaybz") == pytest.approx(jiwer.cer("ab", "xaybz"))


def test_empty_reference_does_not_raise():
    assert wer("", "") == 0.0
    assert wer(["", ""], ["a b", ""]) == 2.0  # float(errors), as jiwer 4 returns
    assert wer(["", ""], ["a b", ""]) == jiwer.wer(["", ""], ["a b", ""])
    assert cer(["", "ab"], ["x", "ab"]) == pytest.approx(0.5)


def test_whitespace_is_normalised():
    assert wer("  the   cat ", "the cat") == 0.0
    assert cer("the   cat", "the cat") == 0.0
    assert error_counts("the   cat", "the cat", unit="char").total == len("the cat")


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="unit"):
        error_counts("a", "a", unit="phone")
    with pytest.raises(ValueError, match="hypotheses"):
        wer(["a", "b"], ["a"])


def _rebuilt(pairs):
    """The reference and the hypothesis read back off an alignment's two rows."""
    return [p.ref for p in pairs if p.ref is not None], [p.hyp for p in pairs if p.hyp is not None]


@pytest.mark.parametrize("seed", range(5))
def test_align_counts_agree_with_wer_and_cer_on_random_strings(seed):
    refs, hyps = _random_corpus(seed, size=20)
    for ref, hyp in zip(refs, hyps):
        for unit, rate in (("word", wer), ("char", cer)):
            pairs = align(ref, hyp, unit=unit)
            counts = operation_counts(pairs)
            errors, total = counts["S"] + counts["D"] + counts["I"], len(pairs) - counts["I"]
            assert ErrorRate(errors, total) == error_counts(ref, hyp, unit=unit), (ref, hyp)
            assert errors / total == pytest.approx(rate(ref, hyp), abs=1e-12)
            tokens = ref.split() if unit == "word" else list(" ".join(ref.split()))
            hyp_tokens = hyp.split() if unit == "word" else list(" ".join(hyp.split()))
            assert _rebuilt(pairs) == (tokens, hyp_tokens)
            assert all((p.op == "=") == (p.ref == p.hyp) for p in pairs)


def test_align_shows_a_substitution_a_deletion_and_an_insertion():
    pairs = align("four one two five", "for two five six")
    assert [tuple(p) for p in pairs] == [("four", "for", "S"), ("one", None, "D"),
                                         ("two", "two", "="), ("five", "five", "="),
                                         (None, "six", "I")]
    assert operation_counts(pairs) == {"=": 2, "S": 1, "D": 1, "I": 1}
    assert wer("four one two five", "for two five six") == 3 / 4


def test_align_insertions_can_pass_100_percent_and_characters_include_spaces():
    pairs = align("nine two", "nine nine two two five two")
    assert operation_counts(pairs)["I"] == 4 and wer("nine two", "nine nine two two five two") == 2
    chars = align("to be", "tobe", unit="char")
    assert ("D" in [p.op for p in chars]) and chars[2] == (" ", None, "D")
    assert align([1, 2], [2]) == [(1, None, "D"), (2, 2, "=")]  # any tokens, not only text
    assert align("", "") == []
    with pytest.raises(ValueError, match="unit"):
        align("a", "a", unit="phone")
