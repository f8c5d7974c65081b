"""Notebook 04 (the CTC loss): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb04`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

import numpy as np

from asrlib import ctc


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
