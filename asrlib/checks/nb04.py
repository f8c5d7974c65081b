"""Exercise checks for notebook 04 (the CTC loss)."""

from __future__ import annotations

import numpy as np

from asrlib import checks, ctc
from asrlib.text import Alphabet

COLLAPSE_PATH = "mmii_sss_s_iiss__ssii_pp_pii"  # exercise 3's frame path, blank written "_"


def n_alignments(answer, text: str = "ab", n_frames: int = 4) -> bool:
    """Exercise 1: how many frame paths of ``n_frames`` collapse to ``text``."""
    name = "Exercise 1 (alignments)"
    if checks.untried(name, answer):
        return False
    alphabet = Alphabet()
    paths = ctc.alignments(alphabet.encode(text), n_frames)
    shown = ", ".join("".join(alphabet.symbols[i] for i in p) for p in paths[:3])
    return checks.report(
        name,
        answer == len(paths),
        hint=f"list them: which frames hold 'a', which 'b', where can blanks go? "
        f"ctc.alignments(labels, {n_frames}) lists them all.",
        praise=f"{len(paths)} paths, e.g. {shown}, …",
    )


def min_frames(answer, text: str = "bookkeeper") -> bool:
    """Exercise 2: the fewest CTC frames that can emit ``text``."""
    name = "Exercise 2 (minimum frames)"
    if checks.untried(name, answer):
        return False
    labels = Alphabet().encode(text)
    expected = ctc.min_frames(labels)
    repeats = expected - len(labels)
    return checks.report(
        name,
        answer == expected,
        hint="one frame per letter, plus one blank between every pair of equal neighbours.",
        praise=f"{len(labels)} letters + {repeats} blanks between doubled letters = {expected}.",
    )


def collapsed(answer, path: str = COLLAPSE_PATH) -> bool:
    """Exercise 3: the text that the frame path ``path`` ("_" = blank) collapses to."""
    name = "Exercise 3 (collapse)"
    if checks.untried(name, answer):
        return False
    alphabet = Alphabet()
    expected = alphabet.decode(ctc.collapse([alphabet.symbols.index(c) for c in path]))
    return checks.report(
        name,
        isinstance(answer, str) and answer.strip() == expected,
        hint="first merge runs of the same symbol, THEN drop the blanks ('ss_ss' stays 'ss').",
        praise=f"'{path}' → '{expected}'.",
    )


def _cases(seed: int, shapes) -> list[tuple[np.ndarray, list[int]]]:
    """Hidden test cases: random log-probabilities ``(time, 4)`` and a label per case."""
    rng = np.random.default_rng(seed)
    return [(ctc.log_softmax(rng.normal(size=(n_frames, 4))), labels)
            for n_frames, labels in shapes]


def _call(name: str, answer, *args):
    """``(ok, value)``: the student's function's result, or a one-line report when it raises
    (``ok`` False) or returns None (not tried yet)."""
    try:
        got = answer(*args)
    except Exception as err:  # the student's function: say what went wrong, no traceback
        checks.report(name, False, hint=f"your function raised {type(err).__name__}: {err}")
        return False, None
    if got is None:  # the body is still `...`
        checks.untried(name, None)
        return False, None
    return True, got


def beta(answer) -> bool:
    """Exercise 4 (code): ``answer(log_probs, labels)`` (a function; one that returns None is
    not tried yet) is the log β lattice ``(time, 2L+1)``; checked against :func:`ctc.backward`
    on hidden cases, with and without repeated labels."""
    name = "Exercise 4 (the β recursion)"
    if checks.untried(name, answer):
        return False
    for log_probs, labels in _cases(4, [(6, [1, 2]), (7, [3, 3, 1]), (5, [2, 1, 2]), (3, [1, 1]),
                                         (4, [2])]):
        ok, got = _call(name, answer, log_probs, labels)
        if not ok:
            return False
        expected = ctc.backward(log_probs, labels)
        if not checks.close(got, expected, 1e-6):
            shape = np.shape(got)
            hint = (f"labels {labels}, {len(log_probs)} frames: expected shape "
                    f"{expected.shape}, got {shape}." if shape != expected.shape else
                    f"labels {labels}, {len(log_probs)} frames: the values differ. Start with "
                    "β[T−1] = 0 in the last two rows, −∞ elsewhere; from row s a path may stay, "
                    "advance to s+1, or skip to s+2 when ext[s+2] is a label unlike ext[s]; add "
                    "log_probs[t+1] of the row it moves INTO.")
            return checks.report(name, False, hint=hint)
    return checks.report(name, True, praise="α·β summed over the rows gives p(label) at every "
                         "frame: the γ of the gradient comes from your two lattices.")


def padded_loss(answer) -> bool:
    """Exercise 5 (code): ``answer(log_probs, labels, length)`` is the CTC loss of one
    utterance padded to ``len(log_probs)`` frames, of which only the first ``length`` count;
    checked against :func:`ctc.forward` on the unpadded frames."""
    name = "Exercise 5 (a padded utterance)"
    if checks.untried(name, answer):
        return False
    cases = _cases(5, [(12, [1, 2]), (12, [2, 2, 3]), (9, [3, 1, 1, 2]), (10, [1, 2, 3])])
    for (log_probs, labels), length in zip(cases, [7, 12, 6, 2]):
        ok, got = _call(name, answer, log_probs, labels, length)
        if not ok:
            return False
        expected = ctc.forward(log_probs[:length], labels)[1]
        if not checks.close(got, expected, 1e-6):
            full = ctc.forward(log_probs, labels)[1]
            hint = ("that is the loss over all the frames, padding included: cut log_probs to "
                    "its first `length` frames first." if checks.close(got, full, 1e-6) else
                    f"labels {labels}, length {length} of {len(log_probs)} frames: expected "
                    f"{expected:.4f}, got {got!r}. ctc.forward returns (log α, loss).")
            return checks.report(name, False, hint=hint)
    return checks.report(name, True, praise="the padding frames never reach the loss; with "
                         "fewer than min_frames real frames it is inf, however long the padding.")
