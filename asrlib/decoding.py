"""CTC decoding of per-frame probabilities: greedy, prefix beam search, Keras beam search.

Inputs are the softmax outputs of the model, ``(time, classes)`` for one
utterance or ``(batch, time, classes)`` for a batch, with the CTC blank at
index 0. Everything except :func:`keras_beam_search` is plain NumPy, so this
module imports without TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from asrlib.text import Alphabet

METHODS = ("greedy", "beam", "keras_beam")  # what decode_batch can run
_KERAS_FLOOR = 1e-30  # smallest probability passed to Keras, so that its logits stay finite


def collapse(ids: Sequence[int], blank: int = 0) -> list[int]:
    """The CTC collapse rule: merge repeated ids, then drop blanks (``aa_a`` → ``aa``)."""
    out, previous = [], None
    for i in ids:
        i = int(i)
        if i != previous and i != blank:
            out.append(i)
        previous = i
    return out


def greedy(probs: np.ndarray, length: int | None = None, blank: int = 0) -> list[int]:
    """Best-path decoding of ``(time, classes)``: argmax per frame, then collapse."""
    return collapse(np.argmax(probs[:length], axis=-1), blank)


def greedy_batch(
    probs: np.ndarray, lengths: Sequence[int] | None = None, blank: int = 0
) -> list[list[int]]:
    """:func:`greedy` on each item of ``(batch, time, classes)``, cut to ``lengths``."""
    lengths = _lengths(probs, lengths)
    return [greedy(p, n, blank) for p, n in zip(probs, lengths)]


class Scorer(Protocol):
    """Language-model hook for :func:`prefix_beam_search`; returns additive log-space bonuses.

    ``score(prefix, token)`` is added to every path that extends ``prefix`` (label
    ids, blank-free) by the non-blank ``token``; ``final(prefix)`` is added once to
    each surviving beam at the end (end of sentence). A bonus of ``-inf`` forbids
    the extension. LM weight, word insertion bonus and caching are the scorer's
    business: ``score`` is called for every kept (beam, token) pair at every frame.
    """

    def score(self, prefix: tuple[int, ...], token: int) -> float:
        """Log-space bonus for extending ``prefix`` by ``token``."""
        ...

    def final(self, prefix: tuple[int, ...]) -> float:
        """Log-space bonus for ending the utterance after ``prefix``."""
        ...


def prefix_beam_search(
    probs: np.ndarray,
    beam_width: int = 16,
    blank: int = 0,
    length: int | None = None,
    scorer: Scorer | None = None,
    prune: float = 0.0,
) -> list[tuple[tuple[int, ...], float]]:
    """CTC prefix beam search on ``(time, classes)`` probabilities, in log space.

    Each prefix keeps two log probabilities, of its alignments ending in a blank
    and in a non-blank (Hannun 2017; Distill, "Sequence Modeling with CTC"), so
    that a repeated label is only counted twice when a blank separates the two.
    Tokens whose frame probability is below ``prune`` are not used to extend
    prefixes (``0.0`` keeps them all). Returns ``(prefix, log_prob)`` pairs, best
    first: without a scorer ``log_prob`` is the prefix's CTC log probability summed
    over the alignments the beam kept (all of them when the beam never overflows);
    with one it also holds the scorer's bonuses. Empty if every prefix has
    probability zero.
    """
    with np.errstate(divide="ignore"):  # log(0) = -inf is a valid log probability
        logp = np.log(np.asarray(probs[:length], dtype=np.float64))
    beams: list[tuple[int, ...]] = [()]
    p_blank, p_label = np.zeros(1), np.full(1, -np.inf)  # (beams,) ending in blank / label
    for frame, lp in zip(probs[:length], logp):
        last = np.array([b[-1] if b else blank for b in beams], dtype=np.int64)
        has_last = last != blank
        total = np.logaddexp(p_blank, p_label)
        # the prefix is unchanged: emit a blank, or repeat its last label
        stay_blank = total + lp[blank]
        stay_label = np.where(has_last, p_label + lp[last], -np.inf)
        # the prefix grows by one token: (beams, classes); a repeat needs a blank first
        grow = total[:, None] + lp[None, :]
        rows = np.flatnonzero(has_last)
        grow[rows, last[rows]] = p_blank[rows] + lp[last[rows]]
        grow[:, blank] = -np.inf
        grow[:, frame < prune] = -np.inf
        if scorer is not None:
            for b, c in zip(*np.nonzero(np.isfinite(grow))):
                grow[b, c] += scorer.score(beams[b], int(c))
        # a grown prefix that is already a beam adds to that beam instead
        index = {prefix: k for k, prefix in enumerate(beams)}
        for k, prefix in enumerate(beams):
            parent = index.get(prefix[:-1]) if prefix else None
            if parent is not None:
                stay_label[k] = np.logaddexp(stay_label[k], grow[parent, prefix[-1]])
                grow[parent, prefix[-1]] = -np.inf
        scores = np.concatenate([np.logaddexp(stay_blank, stay_label), grow.ravel()])
        keep = np.argsort(-scores, kind="stable")[:beam_width]
        keep = keep[np.isfinite(scores[keep])].tolist()
        n, classes = len(beams), grow.shape[1]
        beams = [
            beams[k] if k < n else beams[(k - n) // classes] + ((k - n) % classes,) for k in keep
        ]
        p_blank = np.array([stay_blank[k] if k < n else -np.inf for k in keep])
        p_label = np.array([stay_label[k] if k < n else grow.flat[k - n] for k in keep])
    final = np.logaddexp(p_blank, p_label)
    if scorer is not None:
        final = final + np.array([scorer.final(prefix) for prefix in beams])
    order = np.argsort(-final, kind="stable")
    return [(beams[k], float(final[k])) for k in order if np.isfinite(final[k])]


def keras_beam_search(
    probs: np.ndarray, lengths: Sequence[int] | None = None, beam_width: int = 16
) -> list[list[int]]:
    """Best path of ``keras.ops.ctc_decode(strategy="beam_search")`` for each batch item.

    Keras expects logits; with the TensorFlow backend it moves the blank
    (``mask_index=0``) to the last class and calls ``tf.nn.ctc_beam_search_decoder``,
    which log-softmaxes every frame, so ``log(probs)`` are valid logits
    (``log_softmax(log p) = log p``; its scores are then true log probabilities).
    The result is ``(top_paths, batch, time)`` padded with -1; the padding is
    dropped here. On flat (untrained) outputs the best path can differ from
    :func:`prefix_beam_search`: when TensorFlow pushes a beam out of its full
    list and meets it again as a child of another beam in the same frame, it
    restarts it from that parent alone, losing the rest of its probability.
    """
    import keras  # imported here so that this module does not need TensorFlow

    probs = np.asarray(probs, dtype=np.float32)
    logits = np.log(np.maximum(probs, _KERAS_FLOOR))
    lengths = np.asarray(_lengths(probs, lengths), dtype=np.int32)
    decoded, _ = keras.ops.ctc_decode(
        logits, lengths, strategy="beam_search", beam_width=beam_width, top_paths=1, mask_index=0
    )
    return [[int(i) for i in row if i >= 0] for row in keras.ops.convert_to_numpy(decoded)[0]]


def decode_batch(
    probs: np.ndarray,
    lengths: Sequence[int] | None = None,
    alphabet: Alphabet | None = None,
    beam_width: int = 16,
    method: str = "greedy",
) -> list[str]:
    """Decode ``(batch, time, classes)`` to texts with one of :data:`METHODS`."""
    alphabet = alphabet or Alphabet()
    lengths = _lengths(probs, lengths)
    if method == "greedy":
        ids = greedy_batch(probs, lengths)
    elif method == "beam":
        ids = [_best(prefix_beam_search(p, beam_width, length=n)) for p, n in zip(probs, lengths)]
    elif method == "keras_beam":
        ids = keras_beam_search(probs, lengths, beam_width)
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return [alphabet.decode(i) for i in ids]


def ctc_log_prob(probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> float:
    """Total CTC log probability of ``labels`` under ``(time, classes)`` by the alpha recursion."""
    with np.errstate(divide="ignore"):
        logp = np.log(np.asarray(probs, dtype=np.float64))
    labels = np.asarray(labels, dtype=np.int64)
    ext = np.full(2 * len(labels) + 1, blank)  # blank, l1, blank, l2, ..., blank
    ext[1::2] = labels
    # state s may also be entered from s - 2 when it is a label that differs from s - 2
    skip = np.zeros(len(ext), dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    alpha = np.full(len(ext), -np.inf)
    alpha[:2] = logp[0, ext[:2]]
    for lp in logp[1:]:
        prev = alpha.copy()
        alpha[1:] = np.logaddexp(alpha[1:], prev[:-1])
        alpha[2:] = np.where(skip[2:], np.logaddexp(alpha[2:], prev[:-2]), alpha[2:])
        alpha += lp[ext]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if len(labels) else alpha[-1])


def _lengths(probs: np.ndarray, lengths: Sequence[int] | None) -> list[int]:
    """Per-item frame counts, defaulting to the full time axis of ``(batch, time, classes)``."""
    return [probs.shape[1]] * len(probs) if lengths is None else [int(n) for n in lengths]


def _best(beams: list[tuple[tuple[int, ...], float]]) -> list[int]:
    return list(beams[0][0]) if beams else []
