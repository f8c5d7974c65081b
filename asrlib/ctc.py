"""CTC loss: the Keras loss used for training, and the same loss from scratch in NumPy.

Training uses :class:`CTCLoss`, with per-utterance lengths travelling in the targets.
The NumPy functions below (notebook 04) compute, for one utterance, what it hides:
the collapse rule, the alignments, the α/β recursions, the gradient, the feasibility
rule (:func:`min_frames`) and the forced alignment; the tests check them against
``tf.nn.ctc_loss``. They are the package's one home for CTC arithmetic:
:mod:`asrlib.decoding` builds on them, never the other way round.

Targets are packed into one int32 tensor so that plain ``model.fit`` (and
``tf.distribute``) can carry them: ``targets[:, 0]`` is each utterance's number
of INPUT frames and ``targets[:, 1:]`` its label ids padded with 0. Label id 0 is
the blank, which never occurs in a label, so padding can never reach the loss.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from asrlib.model import ModelConfig, output_lengths


def pack_targets(input_frames, labels) -> np.ndarray:
    """``(batch,)`` input frame counts + list of label arrays → int32 ``(batch, 1 + max_label)``."""
    width = max((len(lab) for lab in labels), default=0)
    packed = np.zeros((len(labels), 1 + width), dtype=np.int32)
    for row, (frames, lab) in enumerate(zip(input_frames, labels)):
        packed[row, 0] = frames
        packed[row, 1 : 1 + len(lab)] = lab
    return packed


def unpack_targets(targets):
    """Split packed targets into ``(input_frames (batch,), labels (batch, max_label))``."""
    return targets[:, 0], targets[:, 1:]


class CTCLoss:
    """Keras loss: ``CTCLoss(model_config)(targets, softmax_probs)`` → per-utterance loss.

    ``fast=True`` uses ``tf.nn.ctc_loss`` on sparse labels (measured ~3× faster
    per step on CPU); ``fast=False`` uses ``keras.ops.ctc_loss`` on dense labels,
    which runs on any Keras backend.
    """

    def __init__(self, config: ModelConfig = ModelConfig(), fast: bool = True):
        self.config = config
        self.fast = fast
        self.__name__ = "ctc_loss"  # Keras names the logged metric after the function

    def __call__(self, targets, probs):
        from keras import ops

        frames, labels = unpack_targets(ops.cast(targets, "int32"))
        logit_lengths = output_lengths(frames, self.config)  # the one length function
        label_lengths = ops.sum(ops.cast(ops.not_equal(labels, 0), "int32"), axis=1)
        log_probs = ops.log(ops.clip(ops.cast(probs, "float32"), 1e-12, 1.0))
        if self.fast:
            import tensorflow as tf

            return tf.nn.ctc_loss(
                labels=tf.sparse.from_dense(labels),  # drops the 0 padding
                logits=log_probs,
                label_length=None,
                logit_length=logit_lengths,
                logits_time_major=False,
                blank_index=0,
            )
        return ops.ctc_loss(labels, log_probs, label_lengths, logit_lengths, mask_index=0)


# --- CTC from scratch, in NumPy (notebook 04) ----------------------------------------------
#
# One utterance at a time: ``log_probs`` is ``(time, classes)`` of log softmax outputs with the
# blank at index 0, ``labels`` the label ids ``(L,)`` (never the blank). The lattice has one
# row per symbol of the blank-extended labels ``_ l1 _ l2 … lL _`` (2L+1 rows) and one column
# per frame. Everything is in log space: a product of a few hundred probabilities underflows.


class Alignment(NamedTuple):
    """The best path through the lattice: ``rows`` and ``ids`` are ``(time,)``."""

    rows: np.ndarray  # lattice row (index into extend(labels)) at each frame
    ids: np.ndarray  # the symbol emitted at each frame (blank = 0)
    log_prob: float  # log probability of this one path


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log probabilities ``(time, classes)`` from logits: ``logits − log Σ_k exp(logits)``."""
    logits = np.asarray(logits, dtype=np.float64)
    return logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)


def extend(labels: Sequence[int], blank: int = 0) -> np.ndarray:
    """Blank-extended labels ``(2L+1,)``: ``_ l1 _ l2 … lL _``, the lattice's rows."""
    ext = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    ext[1::2] = np.asarray(labels, dtype=np.int64)
    return ext


def collapse(ids: Sequence[int], blank: int = 0) -> list[int]:
    """The CTC collapse rule: merge repeated ids, then drop blanks (``aa_a`` → ``aa``)."""
    out, previous = [], None
    for i in ids:
        i = int(i)
        if i != previous and i != blank:
            out.append(i)
        previous = i
    return out


def min_frames(labels: Sequence[int]) -> int:
    """Fewest frames that can emit ``labels``: one per label plus a blank between equal
    neighbours ("ll" in "hello" needs ``l _ l``), so ``len + adjacent repeats``.

    These are OUTPUT frames; :func:`asrlib.model.output_lengths` says how many a number
    of input frames gives."""
    ids = np.asarray(labels)
    return int(len(ids) + np.sum(ids[1:] == ids[:-1]))


def alignments(labels: Sequence[int], n_frames: int, blank: int = 0) -> list[tuple[int, ...]]:
    """Every frame-level path ``(n_frames,)`` that collapses to ``labels``, by brute force.

    Tries all ``k ** n_frames`` paths over the ``k`` symbols that can occur (the blank and
    the labels' own symbols; any other symbol would survive the collapse), in
    lexicographic order. For toy sizes only.
    """
    target = [int(i) for i in labels]
    symbols = sorted({blank, *target})
    return [
        path
        for path in itertools.product(symbols, repeat=n_frames)
        if collapse(path, blank) == target
    ]


def path_log_prob(log_probs: np.ndarray, path: Sequence[int]) -> float:
    """Log probability of one frame-level path: the sum of its ``(time, classes)`` entries."""
    return float(np.sum(np.asarray(log_probs)[np.arange(len(path)), list(path)]))


def brute_force_loss(log_probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> float:
    """CTC loss ``-log Σ_paths p(path)`` over :func:`alignments`; ``inf`` when there is none."""
    scores = [path_log_prob(log_probs, p) for p in alignments(labels, len(log_probs), blank)]
    return -float(np.logaddexp.reduce(scores)) if scores else np.inf


def forward(
    log_probs: np.ndarray, labels: Sequence[int], blank: int = 0
) -> tuple[np.ndarray, float]:
    """The log α lattice ``(time, 2L+1)`` and the CTC loss ``-log p(labels)`` read from it.

    ``α[t, s]`` is the log probability of all path prefixes that emit frames ``0..t`` and
    are in row ``s`` at frame ``t``. A path enters row ``s`` by one of three moves: stay
    in ``s``, advance from ``s-1``, or skip from ``s-2`` over a blank, allowed only into a
    label that differs from the one two rows up (``a _ a`` needs its blank). A path starts
    in row 0 or 1 and ends in one of the last two rows. The loss is ``inf`` when no path
    fits (fewer frames than :func:`min_frames`).
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    ext = extend(labels, blank)
    skip = _skip_allowed(ext, blank)
    alpha = np.full((len(log_probs), len(ext)), -np.inf)
    alpha[0, :2] = log_probs[0, ext[:2]]
    for t in range(1, len(log_probs)):
        prev = alpha[t - 1]
        stay, advance, jump = prev, _down(prev, 1), np.where(skip, _down(prev, 2), -np.inf)
        alpha[t] = np.logaddexp(np.logaddexp(stay, advance), jump) + log_probs[t, ext]
    return alpha, -float(np.logaddexp.reduce(alpha[-1, -2:]))


def backward(log_probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> np.ndarray:
    """The log β lattice ``(time, 2L+1)``: the paths' rest AFTER frame ``t`` from row ``s``.

    Frame ``t``'s own emission is counted in α, not β, so ``α[t, s] + β[t, s]`` is the log
    probability of all complete paths through row ``s`` at frame ``t``.
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    ext = extend(labels, blank)
    skip = _skip_allowed(ext, blank)
    beta = np.full((len(log_probs), len(ext)), -np.inf)
    beta[-1, -2:] = 0.0  # log 1: a path may end in the last label or the final blank
    for t in range(len(log_probs) - 2, -1, -1):
        nxt = beta[t + 1] + log_probs[t + 1, ext]  # enter row s' at frame t + 1, then finish
        stay, advance, jump = nxt, _up(nxt, 1), _up(np.where(skip, nxt, -np.inf), 2)
        beta[t] = np.logaddexp(np.logaddexp(stay, advance), jump)
    return beta


def gradient(logits: np.ndarray, labels: Sequence[int], blank: int = 0) -> np.ndarray:
    """d loss / d logits ``(time, classes)`` = softmax − (1/p) Σ_{s: ext[s]=k} α_t(s)·β_t(s).

    The second term is the share of all label paths that emit class ``k`` at frame ``t``.
    Raises ``ValueError`` when no path fits (the loss is ``inf``: nothing to learn from).
    """
    log_probs = log_softmax(logits)
    alpha, loss = forward(log_probs, labels, blank)
    if not np.isfinite(loss):
        raise ValueError(
            f"no CTC path: {len(log_probs)} frames < {min_frames(labels)} needed for the labels"
        )
    occupancy = np.exp(alpha + backward(log_probs, labels, blank) + loss)  # (time, 2L+1)
    target = np.zeros_like(log_probs)
    np.add.at(target.T, extend(labels, blank), occupancy.T)  # sum the rows of each class
    return np.exp(log_probs) - target


def forced_align(log_probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> Alignment:
    """The single best lattice path (Viterbi): :func:`forward` with max instead of sum.

    Raises ``ValueError`` when no path fits.
    """
    log_probs = np.asarray(log_probs, dtype=np.float64)
    ext = extend(labels, blank)
    skip = _skip_allowed(ext, blank)
    n_frames, n_rows = len(log_probs), len(ext)
    score = np.full((n_frames, n_rows), -np.inf)
    came_from = np.zeros((n_frames, n_rows), dtype=np.int64)  # rows moved back: 0, 1 or 2
    score[0, :2] = log_probs[0, ext[:2]]
    for t in range(1, n_frames):
        prev = score[t - 1]
        options = np.stack([prev, _down(prev, 1), np.where(skip, _down(prev, 2), -np.inf)])
        came_from[t] = np.argmax(options, axis=0)
        score[t] = options.max(axis=0) + log_probs[t, ext]
    last = n_rows - 2 + int(np.argmax(score[-1, -2:])) if n_rows > 1 else 0
    if not np.isfinite(score[-1, last]):
        raise ValueError(f"no CTC path: {n_frames} frames < {min_frames(labels)} needed")
    rows = np.empty(n_frames, dtype=np.int64)
    rows[-1] = last
    for t in range(n_frames - 1, 0, -1):
        rows[t - 1] = rows[t] - came_from[t, rows[t]]
    return Alignment(rows, ext[rows], float(score[-1, last]))


def _skip_allowed(ext: np.ndarray, blank: int) -> np.ndarray:
    """``(2L+1,)``: row ``s`` may be entered from ``s-2`` (a label unlike the one before)."""
    skip = np.zeros(len(ext), dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    return skip


def _down(row: np.ndarray, k: int) -> np.ndarray:
    """``row`` moved ``k`` places to higher indices (``out[s] = row[s - k]``), -inf filled."""
    return np.concatenate([np.full(k, -np.inf), row])[: len(row)]


def _up(row: np.ndarray, k: int) -> np.ndarray:
    """``row`` moved ``k`` places to lower indices (``out[s] = row[s + k]``), -inf filled."""
    return np.concatenate([row, np.full(k, -np.inf)])[k:]
