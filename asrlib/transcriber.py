"""Transcriber: a saved model + decoding options → text for audio arrays and files."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from asrlib import audio, checkpoint, decoders, features


@dataclass
class Result:
    """One file's outcome: a transcript, or an error message naming the file."""

    path: str
    text: str | None = None
    error: str | None = None
    note: str | None = None  # e.g. "silent: no speech found"
    audio_seconds: float = 0.0
    compute_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class Transcriber:
    """Turns 16 kHz audio into text with a model saved by :func:`asrlib.checkpoint.save`."""

    def __init__(
        self, bundle: checkpoint.Bundle, decoder: str | None = None,
        beam_width: int | None = None, max_seconds: float = audio.MAX_SECONDS,
    ):
        """``decoder=None`` uses the model's own (its spec's :class:`DecoderSpec`); a kind from
        :data:`asrlib.decoding.KINDS` switches to that one, with the model's LM if it needs
        one. ``beam_width=None`` keeps the spec's width. A file longer than ``max_seconds`` is
        refused by :meth:`transcribe_file` before it is read."""
        if beam_width is not None and beam_width < 1:
            raise ValueError(f"beam width must be at least 1, got {beam_width}")
        if not max_seconds > 0:
            raise ValueError(f"max_seconds must be a positive number of seconds, got {max_seconds}")
        self.max_seconds = float(max_seconds)
        spec = bundle.spec.decoder
        if decoder is not None or beam_width is not None:
            spec = spec.switch(decoder, beam_width)
        self.bundle = bundle
        self.decoder = decoders.build(spec, bundle.alphabet)

    @property
    def kind(self) -> str:
        """The name of the decoder in use (``greedy``, ``lexicon``, …)."""
        return self.decoder.kind

    @classmethod
    def from_file(cls, path, decoder: str | None = None, beam_width: int | None = None,
                  max_seconds: float = audio.MAX_SECONDS):
        """Load a ``.keras`` model file, or a ``.tflite`` one made by ``python -m asrlib
        export``; :class:`checkpoint.ModelFileError` if it is not one."""
        if str(path).endswith(".tflite"):
            from asrlib import tflite

            return cls(tflite.load_bundle(path), decoder, beam_width, max_seconds)
        return cls(checkpoint.load(path), decoder, beam_width, max_seconds)

    def probs(self, samples: np.ndarray) -> np.ndarray:
        """Per-frame probabilities ``(time', n_classes)`` for mono 16 kHz ``samples``."""
        b = self.bundle
        feats = features.compute(samples, b.features)
        return self._forward(feats[None])[0]

    def _forward(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.bundle.model.predict_on_batch(x))

    def decode(self, probs: np.ndarray) -> str:
        """Text for one ``(time', n_classes)`` probability matrix with this decoder."""
        return self.decoder(probs)

    def transcribe(self, samples: np.ndarray) -> str:
        """Text for mono 16 kHz ``samples`` (empty for silence)."""
        if audio.is_silent(samples):
            return ""
        return self.decode(self.probs(samples))

    def transcribe_file(self, path) -> Result:
        """Load, check and transcribe one file; a bad file gives a Result with ``error``.

        ``compute_seconds`` covers reading, resampling, features, model and decoding.
        """
        start = time.perf_counter()
        try:
            samples = audio.load(path, self.bundle.features.sample_rate, self.max_seconds)
        except audio.AudioError as err:
            return Result(str(path), error=str(err))
        seconds = len(samples) / self.bundle.features.sample_rate
        if audio.is_silent(samples):
            return Result(str(path), "", note="silent: no speech found", audio_seconds=seconds)
        text = self.decode(self.probs(samples))
        return Result(
            str(path), text, audio_seconds=seconds, compute_seconds=time.perf_counter() - start
        )


def word_confidence(probs: np.ndarray, text: str, alphabet) -> list[tuple[str, float]]:
    """How sure the model is of each word of ``text``: the mean probability of the letters
    on their frames of the forced alignment (notebook 06). 1.0 = certain; an empty
    ``text`` gives ``[]``. Words the frames cannot fit (too short) get 0.0."""
    from asrlib import ctc

    words = text.split()
    if not words:
        return []
    text = " ".join(words)  # a decoder may write leading, trailing or double spaces
    labels = alphabet.encode(text)
    try:
        path = ctc.forced_align(np.log(np.maximum(probs, 1e-12)), labels)
    except ValueError:  # more letters than frames
        return [(w, 0.0) for w in words]
    word_of_letter = np.cumsum([c == " " for c in text])
    per_word: list[list[float]] = [[] for _ in words]
    for t, row in enumerate(path.rows):
        if row % 2 == 1 and text[(row - 1) // 2] != " ":
            per_word[word_of_letter[(row - 1) // 2]].append(float(probs[t, path.ids[t]]))
    return [(w, float(np.mean(p)) if p else 0.0) for w, p in zip(words, per_word)]
