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


def solution_beta(log_probs: np.ndarray, labels) -> np.ndarray:
    """The β recursion as plain loops: log β, shape (time, 2L+1), like ``alpha_by_hand``."""
    ext = ctc.extend(labels)
    n_frames, n_rows = len(log_probs), len(ext)
    log_beta = np.full((n_frames, n_rows), -np.inf)
    log_beta[-1, -2:] = 0.0  # log 1: a path may end in the last label or the final blank
    for t in range(n_frames - 2, -1, -1):
        for s in range(n_rows):
            moves = [s]  # stay
            if s + 1 < n_rows:
                moves.append(s + 1)  # advance
            if s + 2 < n_rows and ext[s + 2] != 0 and ext[s + 2] != ext[s]:
                moves.append(s + 2)  # skip the blank between two different labels
            log_beta[t, s] = np.logaddexp.reduce(
                [log_beta[t + 1, m] + log_probs[t + 1, ext[m]] for m in moves])
    return log_beta


def solution_padded_loss(log_probs: np.ndarray, labels, length: int) -> float:
    """The CTC loss of the first ``length`` frames only: the padding never reaches it."""
    return ctc.forward(log_probs[:length], labels)[1]


KEY = {
    "Exercise 1 (alignments)":
        "**15.** A path is blanks, a run of a's (at least one), blanks, a run of b's (at least "
        "one), blanks: five runs whose lengths add up to 4 with two of them at least 1, "
        "C(6, 4) = 15 ways (`len(ctc.alignments(labels, 4))`).",
    "Exercise 2 (minimum frames)":
        "**13** frames: 10 letters plus one blank inside each of the 3 doubled letters (oo, kk, "
        "ee). At one output frame per 20 ms that is 0.26 s of audio for the seed model.",
    "Exercise 3 (collapse)":
        "**mississippi.** Merging runs first gives `mi_s_s_is_si_p_pi`; dropping the blanks "
        "then gives 'mississippi'. The blanks are what keep the double s's and p's.",
    "Exercise 4 (the β recursion)":
        "`solution_beta` mirrors `alpha_by_hand` backwards in time: `beta[T-1]` is 0 (log 1) "
        "in the last two rows and −∞ elsewhere; for t = T−2 … 0, `beta[t, s]` is the "
        "`logaddexp` over the rows s can move to (s, s+1, and s+2 when the skip is allowed) of "
        "`beta[t + 1, s2] + log_probs[t + 1, ext[s2]]`. It equals `ctc.backward`.",
    "Exercise 5 (a padded utterance)":
        "`solution_padded_loss` runs `ctc.forward` on `log_probs[:length]` only and returns its "
        "loss: the padded frames are not audio, and a path through them would be a path through "
        "frames that do not exist (this is what `logit_length` tells `tf.nn.ctc_loss`).",
}
