"""Decoders: the one factory that turns a :class:`~asrlib.decoding.DecoderSpec` into a decoder.

:func:`build` gives a :class:`Decoder` for any kind; the transcriber, the streaming
transcriber, the app and the command line all get theirs here, so a new kind is a new branch
of :meth:`Decoder.__call__` (and its name in :data:`asrlib.decoding.KINDS`), and swapping a
model's default decoder is writing another spec into its file
(:func:`asrlib.checkpoint.set_decoder`).
"""

from __future__ import annotations

import numpy as np

from asrlib import decoding
from asrlib.decoding import DecoderSpec
from asrlib.text import Alphabet


class Decoder:
    """Per-frame probabilities ``(time, classes)`` → text, as its spec says. :meth:`search`
    is the same decoder fed chunk by chunk (streaming): its ``best()`` is a partial
    transcript; the final one is :meth:`__call__` on all frames."""

    def __init__(self, spec: DecoderSpec, alphabet: Alphabet = Alphabet()):
        from asrlib.lm import LexiconDecoder

        self.spec, self.alphabet = spec, alphabet
        # the word LM only for the kinds that use it: a lexicon model decoded greedily, or with
        # a plain beam, builds none, and its streaming partials are not LM-scored either
        uses_lm = spec.kind in ("lexicon", "lm")
        self.words = LexiconDecoder.from_spec(spec, alphabet) if uses_lm else None

    @property
    def kind(self) -> str:
        return self.spec.kind

    def __call__(self, probs: np.ndarray, length: int | None = None) -> str:
        """The transcript of one utterance's ``(time, classes)`` probabilities."""
        probs = probs[:length]
        kind, width = self.spec.kind, self.spec.beam_width
        if kind == "greedy":
            return self.alphabet.decode(decoding.greedy(probs))
        if kind == "beam":
            beams = decoding.prefix_beam_search(probs, width)
            return self.alphabet.decode(beams[0][0] if beams else [])
        if kind == "keras_beam":
            return self.alphabet.decode(decoding.keras_beam_search(probs[None], [len(probs)],
                                                                   width)[0])
        return self.words(probs, beam_width=width)

    def search(self) -> decoding.PrefixBeam | None:
        """A running prefix beam search for streaming partials (None for greedy: its
        partial is the argmax so far); with a word LM, the LM scores the partials too. It
        prunes no token: a partial may still be revised by the frames to come."""
        if self.spec.kind == "greedy":
            return None
        scorer = self.words.scorer if self.words is not None else None
        return decoding.PrefixBeam(self.spec.beam_width, scorer=scorer)


def build(spec: DecoderSpec, alphabet: Alphabet = Alphabet()) -> Decoder:
    """The decoder ``spec`` describes, for ``alphabet``."""
    return Decoder(spec, alphabet)


def decode(probs: np.ndarray, kind: str = "greedy", alphabet: Alphabet = Alphabet(),
           beam_width: int = 16) -> str:
    """One utterance with a decoder that needs no LM, by kind (``greedy``, ``beam``,
    ``keras_beam``): the notebooks' quick comparison."""
    return build(DecoderSpec(kind, beam_width), alphabet)(probs)
