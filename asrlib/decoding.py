"""CTC decoding of per-frame probabilities: greedy, prefix beam search, Keras beam search.

Inputs are the softmax outputs of the model, ``(time, classes)`` for one
utterance or ``(batch, time, classes)`` for a batch, with the CTC blank at
index 0. :class:`DecoderSpec` says which decoder a model uses and with what parameters; it
travels in the model's :class:`asrlib.config.Spec`, and :func:`asrlib.decoders.build` is the
one factory that turns it into a decoder (batch, streaming and the command line alike). The
CTC rules themselves (the collapse, the α recursion) live in :mod:`asrlib.ctc`. Everything
except :func:`keras_beam_search` is plain NumPy, so this module imports without TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Protocol

import numpy as np

from asrlib import ctc
from asrlib.ctc import collapse  # the CTC rule, re-exported: notebooks call decoding.collapse

# What a DecoderSpec can say: best path, our prefix beam search, Keras's beam search, and our
# beam search over words: "lexicon" only spells words of its LM's vocabulary (scored by the LM
# with weight alpha; alpha = 0 is the lexicon alone), "lm" fuses the LM without a lexicon.
KINDS = ("greedy", "beam", "keras_beam", "lexicon", "lm")
_NEEDS_LM = ("lexicon", "lm")
MAX_BEAM_WIDTH = 1024  # wider searches the same hypotheses again, and memory grows with it
_KERAS_FLOOR = 1e-30  # smallest probability passed to Keras, so that its logits stay finite


@dataclass(frozen=True)
class DecoderSpec:
    """Which decoder, with which parameters: one of :data:`KINDS`, saved in every model file.

    ``lm`` is the word LM's record (:meth:`asrlib.lm.NGramLM.to_dict`) for the kinds that
    read one (``lexicon``: its vocabulary is the lexicon); ``alpha`` weighs it, ``beta`` is
    the word insertion bonus, ``prune`` drops tokens below that frame probability.
    """

    kind: str = "greedy"
    beam_width: int = 16
    alpha: float = 0.0
    beta: float = 0.0
    prune: float = 0.0
    lm: dict | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"decoder kind must be one of {KINDS}, got {self.kind!r}")
        if not 1 <= self.beam_width <= MAX_BEAM_WIDTH:
            raise ValueError(f"beam_width must be from 1 to {MAX_BEAM_WIDTH}, got "
                             f"{self.beam_width}")
        if not 0 <= self.prune < 1:
            raise ValueError(f"prune must be in [0, 1), got {self.prune}")
        if self.kind in _NEEDS_LM and not isinstance(self.lm, dict):
            raise ValueError(f"a {self.kind} decoder needs its word LM (lm=NGramLM.to_dict())")

    @property
    def has_lm(self) -> bool:
        return self.lm is not None

    def switch(self, kind: str | None = None, beam_width: int | None = None) -> DecoderSpec:
        """This decoder as another kind and/or beam width, keeping its LM and weights: what
        ``transcribe --decoder greedy`` asks of a model whose own decoder is a lexicon."""
        kind = kind or self.kind
        if kind in _NEEDS_LM and not self.has_lm:
            raise ValueError(f"this model has no word LM saved with it, so it cannot decode with "
                             f"'{kind}': use greedy or beam")
        return replace(self, kind=kind, beam_width=beam_width or self.beam_width)

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["lm"] is None:
            del data["lm"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> DecoderSpec:
        """Read :meth:`to_dict`'s record, or the ``{"config", "lm"}`` record that model files
        carried in ``info["decoder"]`` before decoders were part of the spec."""
        if "config" in data and "lm" in data:  # the older record: a lexicon/LM decoder
            c = data["config"]
            return cls("lexicon" if c.get("lexicon", True) else "lm", c.get("beam_width", 8),
                       c.get("alpha", 0.5), c.get("beta", 1.0), c.get("prune", 1e-3),
                       data["lm"])
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown decoder field(s) {sorted(unknown)}")
        return cls(**data)


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
    probability zero. :class:`PrefixBeam` is the same search, fed frame by frame.
    """
    search = PrefixBeam(beam_width, blank, scorer, prune)
    search.advance(probs[:length])
    return search.result()


class PrefixBeam:
    """:func:`prefix_beam_search` as a running search: :meth:`advance` takes the frames that
    have arrived, :meth:`best` is the transcript so far (a partial one, while someone is still
    speaking) and :meth:`result` ends the search. Feeding all frames at once or chunk by chunk
    gives the same beams."""

    def __init__(self, beam_width: int = 16, blank: int = 0, scorer: Scorer | None = None,
                 prune: float = 0.0):
        self.beam_width, self.blank, self.scorer, self.prune = beam_width, blank, scorer, prune
        self.beams: list[tuple[int, ...]] = [()]
        self.p_blank, self.p_label = np.zeros(1), np.full(1, -np.inf)  # ending in blank / label

    def advance(self, probs: np.ndarray) -> PrefixBeam:
        """Extend the beams by the frames of ``probs`` ``(time, classes)``."""
        with np.errstate(divide="ignore"):  # log(0) = -inf is a valid log probability
            logp = np.log(np.asarray(probs, dtype=np.float64))
        for frame, lp in zip(probs, logp):
            self._step(frame, lp)
        return self

    def _step(self, frame: np.ndarray, lp: np.ndarray) -> None:
        beams, blank, p_blank, p_label = self.beams, self.blank, self.p_blank, self.p_label
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
        grow[:, frame < self.prune] = -np.inf
        if self.scorer is not None:
            for b, c in zip(*np.nonzero(np.isfinite(grow))):
                grow[b, c] += self.scorer.score(beams[b], int(c))
        # a grown prefix that is already a beam adds to that beam instead
        index = {prefix: k for k, prefix in enumerate(beams)}
        for k, prefix in enumerate(beams):
            parent = index.get(prefix[:-1]) if prefix else None
            if parent is not None:
                stay_label[k] = np.logaddexp(stay_label[k], grow[parent, prefix[-1]])
                grow[parent, prefix[-1]] = -np.inf
        scores = np.concatenate([np.logaddexp(stay_blank, stay_label), grow.ravel()])
        keep = np.argsort(-scores, kind="stable")[: self.beam_width]
        keep = keep[np.isfinite(scores[keep])].tolist()
        n, classes = len(beams), grow.shape[1]
        self.beams = [
            beams[k] if k < n else beams[(k - n) // classes] + ((k - n) % classes,) for k in keep
        ]
        self.p_blank = np.array([stay_blank[k] if k < n else -np.inf for k in keep])
        self.p_label = np.array([stay_label[k] if k < n else grow.flat[k - n] for k in keep])

    def best(self) -> tuple[int, ...]:
        """The most probable prefix so far (no end-of-utterance bonus): a partial transcript."""
        if not self.beams:
            return ()
        return self.beams[int(np.argmax(np.logaddexp(self.p_blank, self.p_label)))]

    def result(self) -> list[tuple[tuple[int, ...], float]]:
        """``(prefix, log_prob)`` pairs, best first, with the scorer's end bonus."""
        final = np.logaddexp(self.p_blank, self.p_label)
        if self.scorer is not None:
            final = final + np.array([self.scorer.final(prefix) for prefix in self.beams])
        order = np.argsort(-final, kind="stable")
        return [(self.beams[k], float(final[k])) for k in order if np.isfinite(final[k])]


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


def ctc_log_prob(probs: np.ndarray, labels: Sequence[int], blank: int = 0) -> float:
    """Total CTC log probability of ``labels`` under ``(time, classes)`` probabilities.

    The α recursion of :func:`asrlib.ctc.forward` on ``log(probs)``; ``-inf`` when no
    path fits.
    """
    with np.errstate(divide="ignore"):  # log(0) = -inf is a valid log probability
        log_probs = np.log(np.asarray(probs, dtype=np.float64))
    return -ctc.forward(log_probs, labels, blank)[1]


def _lengths(probs: np.ndarray, lengths: Sequence[int] | None) -> list[int]:
    """Per-item frame counts, defaulting to the full time axis of ``(batch, time, classes)``."""
    return [probs.shape[1]] * len(probs) if lengths is None else [int(n) for n in lengths]


def _best(beams: list[tuple[tuple[int, ...], float]]) -> list[int]:
    return list(beams[0][0]) if beams else []
