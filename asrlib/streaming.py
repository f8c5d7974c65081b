"""Streaming: transcribe while someone speaks, chunk by chunk, with a causal model.

A bidirectional model needs the whole utterance before its first output frame; a causal one
(:class:`asrlib.model.ModelConfig` ``causal=True``, features with ``causal=True``) does not,
so the audio can go through it as it arrives:

- :class:`StreamingFeatures`: the causal features (:func:`asrlib.features.causal_features`),
  chunk by chunk, with the frame overlap and the running normalisation carried across chunks.
- :class:`StreamingNetwork`: the trained Keras model's weights run in NumPy, one chunk of
  frames at a time, with the convolution's past frames, the pooling's odd frame and each
  LSTM's state (h, c) carried from chunk to chunk.
- :class:`LiveTranscriber`: both, plus a partial transcript that grows as frames arrive
  (greedy letters, and the model's own decoder run as a :class:`asrlib.decoding.PrefixBeam`)
  and an end-of-utterance rule (a stretch of silence) that finalises it.

Streaming the network over chunks gives the posteriors of the whole utterance at once (the
tests check it for several chunk sizes); the final transcript is the offline decoder's.

A whole-utterance model can be live too: :class:`RereadingTranscriber` reads the utterance so
far again after every chunk, each update costing more than the last; :class:`TwoPassTranscriber`
streams a causal model for the partial transcripts and takes the final one from a
whole-utterance model. All are a :class:`Listener` (``push``/``finish``, and the
end-of-utterance rule of :class:`UtteranceEnd`). :mod:`asrlib.latency` measures them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from asrlib import audio, checkpoint, decoders, decoding
from asrlib.features import FeatureConfig, raw_causal_frames, running_normalize


class StreamingFeatures:
    """Causal features of a stream of 16 kHz samples: :meth:`push` returns the frames the new
    samples complete; :meth:`flush` adds the closing silence and returns the last ones. All
    frames together equal :func:`asrlib.features.compute` of the whole recording."""

    def __init__(self, config: FeatureConfig):
        if not config.causal:
            raise ValueError("streaming needs causal features (FeatureConfig(causal=True)): "
                             "this model normalises over the whole utterance")
        self.config = config
        # frame t covers samples [t·hop, t·hop + n_fft) of the stream after its left padding:
        # half a window of zeros (as the whole-utterance frames), then the leading silence
        self.buffer = np.zeros(config.n_fft // 2 + config.pad_samples, np.float32)
        self.start = 0  # stream position of buffer[0]
        self.next_frame = 0
        self.sums = None  # running normalisation: (count, Σx, Σx²)

    def push(self, samples: np.ndarray) -> np.ndarray:
        self.buffer = np.concatenate([self.buffer, np.asarray(samples, np.float32)])
        return self._frames()

    def flush(self) -> np.ndarray:
        c = self.config
        return self.push(np.zeros(c.pad_samples + c.n_fft // 2, np.float32))

    def _frames(self) -> np.ndarray:
        c = self.config
        hop, n_fft = c.hop_length, c.n_fft
        end = self.start + len(self.buffer)
        n = max(0, (end - n_fft - self.next_frame * hop) // hop + 1)
        if n == 0:
            return np.zeros((0, c.n_features), np.float32)
        first = self.next_frame * hop - self.start
        idx = first + np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]
        raw = raw_causal_frames(self.buffer[idx], c)
        self.next_frame += n
        keep = self.next_frame * hop - self.start  # the next frame's first sample onwards
        self.buffer, self.start = self.buffer[keep:], self.start + keep
        if not c.normalize:
            return raw
        out, self.sums = running_normalize(raw, c, self.sums)
        return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), without overflow


class StreamingNetwork:
    """A causal model's forward pass in NumPy, fed chunk by chunk: :meth:`push` takes
    ``(frames, n_features)`` and returns the output frames they complete,
    ``(frames', n_classes)`` probabilities (the 2×2 pool emits one for every two inputs).

    The state it carries is what each layer needs from the past: two input frames per
    Conv2D (its 3×3 kernel reaches two frames back), the odd frame waiting for its pooling
    partner, and each LSTM's hidden and cell vectors (h, c)."""

    def __init__(self, model, config):
        if not config.causal:
            raise ValueError("only a causal model can stream (ModelConfig(causal=True)); a "
                             "bidirectional LSTM needs the whole utterance first")
        self.config = config
        self.convs = [model.get_layer(f"conv{i + 1}").get_weights()
                      for i in range(config.conv_layers)]
        self.lstms = [model.get_layer(f"lstm{i + 1}").get_weights()
                      for i in range(config.lstm_layers)]
        self.dense = model.get_layer("softmax").get_weights()
        self.reset()

    def reset(self) -> None:
        """Forget the past: the next frame starts a new utterance."""
        c = self.config
        self.history = [np.zeros((2, c.n_features, 1 if i == 0 else c.filters), np.float32)
                        for i in range(c.conv_layers)]
        self.pending = None  # a conv frame waiting for its pooling partner
        self.state = [(np.zeros(c.units), np.zeros(c.units)) for _ in range(c.lstm_layers)]

    def push(self, frames: np.ndarray) -> np.ndarray:
        c = self.config
        x = np.asarray(frames, np.float32)[:, :, None]  # (time, freq, channels)
        for i, (kernel, bias) in enumerate(self.convs):
            x = self._conv(i, x, kernel, bias)
        if c.pool:
            x = self._pool(x)
        if len(x) == 0:  # one frame waiting for its pooling partner
            return np.zeros((0, c.n_classes), np.float32)
        x = x.reshape(len(x), -1).astype(np.float64)  # (time, freq · channels), as Keras
        for i, (w, u, b) in enumerate(self.lstms):
            x = self._lstm(i, x, w, u, b)
        logits = x @ self.dense[0] + self.dense[1]
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)

    def _conv(self, i: int, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
        past = np.concatenate([self.history[i], x])  # two frames of the last chunk first
        self.history[i] = past[-2:]
        padded = np.pad(past, ((0, 0), (1, 1), (0, 0)))  # one zero bin each side ('same')
        n, freq = len(x), x.shape[1]
        patches = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(0, 1))
        patches = patches[:n, :freq]  # (time, freq, in, 3, 3)
        out = np.einsum("tfcij,ijco->tfo", patches, kernel) + bias
        return np.maximum(out, 0.0).astype(np.float32)

    def _pool(self, x: np.ndarray) -> np.ndarray:
        if self.pending is not None:
            x = np.concatenate([self.pending[None], x])
        even = len(x) // 2 * 2
        self.pending = x[even] if len(x) % 2 else None
        freq = x.shape[1] // 2 * 2
        pairs = x[:even, :freq].reshape(even // 2, 2, freq // 2, 2, x.shape[2])
        return pairs.max(axis=(1, 3))

    def _lstm(self, i: int, x: np.ndarray, w, u, b) -> np.ndarray:
        h, c = self.state[i]
        gates_in = x @ w + b  # the input's share of every gate, for the whole chunk at once
        out = np.empty((len(x), len(h)))
        for t, g in enumerate(gates_in):
            z = g + h @ u
            i_gate, f_gate, cell, o_gate = np.split(z, 4)
            c = _sigmoid(f_gate) * c + _sigmoid(i_gate) * np.tanh(cell)
            h = _sigmoid(o_gate) * np.tanh(c)
            out[t] = h
        self.state[i] = (h, c)
        return out


@dataclass
class Update:
    """What the listener shows after a chunk: the transcript so far, and whether it is final."""

    text: str  # the model's own decoder's partial (or final) transcript
    greedy: str  # greedy letters so far
    final: bool = False
    audio_seconds: float = 0.0  # of this utterance, up to the end of the chunk
    compute_seconds: float = 0.0  # this chunk: features, network and decoding
    words: list[str] = field(default_factory=list)
    note: str = ""  # why an utterance ended early (the length cap), else empty


class UtteranceEnd:
    """The end-of-utterance rule of live transcription: ``end_ms`` of silence after speech.
    A 10 ms hop is silent when it is ``silence_db`` quieter than the loudest hop so far (or
    digitally silent); :attr:`reached` once the silence at the end lasts ``end_ms``."""

    def __init__(self, config: FeatureConfig, end_ms: float = 600.0, silence_db: float = 30.0):
        self.hop = config.hop_length
        self.end_samples = round(end_ms / 1000 * config.sample_rate)
        self.silence = 10 ** (-silence_db / 20)  # an amplitude ratio
        self.reset()

    def reset(self) -> None:
        self.loudest = 0.0  # rms of the loudest hop so far (0: no speech yet)
        self.quiet = 0  # samples of silence at the end

    def listen(self, samples: np.ndarray) -> None:
        """Track the loudest 10 ms so far and how long it has been quiet."""
        hop = self.hop
        for k in range(0, len(samples), hop):
            rms = float(np.sqrt(np.mean(samples[k:k + hop] ** 2)))
            self.loudest = max(self.loudest, rms if rms > 1e-3 else 0.0)
            quiet = rms <= self.silence * self.loudest
            self.quiet = self.quiet + min(hop, len(samples) - k) if quiet else 0

    @property
    def heard(self) -> bool:
        """Whether speech has been heard: a 10 ms hop above -60 dBFS rms."""
        return self.loudest > 0

    @property
    def reached(self) -> bool:
        return self.heard and self.quiet >= self.end_samples


class Listener:
    """Audio chunks in, a growing transcript out: what the live transcribers share.
    :meth:`push` takes the next chunk and returns an :class:`Update`; ``end_ms`` of silence
    after speech (:class:`UtteranceEnd`), :meth:`finish`, or ``max_seconds`` of audio (if
    set) end an utterance with its final transcript, and the next chunk starts a new one.
    A subclass takes a chunk in with ``_hear(samples)``, and ``_read(final)`` returns the
    decoder's transcript and the greedy letters of the utterance so far."""

    def __init__(self, bundle: checkpoint.Bundle, end_ms: float = 600.0,
                 silence_db: float = 30.0, max_seconds: float | None = None):
        if max_seconds is not None and max_seconds <= 0:
            raise ValueError(f"max_seconds must be positive (or None), got {max_seconds}")
        self.bundle = bundle
        self.decoder = decoders.build(bundle.spec.decoder, bundle.alphabet)
        self.end = UtteranceEnd(bundle.features, end_ms, silence_db)
        self.rate = bundle.features.sample_rate
        self.max_seconds = max_seconds
        self.max_samples = None if max_seconds is None else round(max_seconds * self.rate)
        self.reset()

    @classmethod
    def from_file(cls, path, **kwargs):
        return cls(checkpoint.load(path), **kwargs)

    def reset(self) -> None:
        """Forget the utterance in progress: the next chunk starts a new one."""
        self.end.reset()
        self.samples = 0  # of this utterance

    def push(self, samples: np.ndarray) -> Update:
        """Feed the next chunk; the transcript so far (final once the speaker has stopped)."""
        t0 = time.perf_counter()
        samples = np.asarray(samples, np.float32)
        room = len(samples) if self.max_samples is None else self.max_samples - self.samples
        self._take(samples[:room])
        if self.max_samples is not None and self.samples >= self.max_samples:
            update = self._finish(t0, f"{self.max_seconds:g} s is the longest utterance "
                                      "read at once: it was ended there")
            self._take(samples[room:][:self.max_samples])  # the rest starts the next one
            return update
        if self.end.reached:
            return self._finish(t0)
        return self._update(False, t0)

    def finish(self) -> Update:
        """End the utterance now, with its final transcript; the next chunk starts a new one."""
        return self._finish(time.perf_counter())

    def _take(self, samples: np.ndarray) -> None:
        self.end.listen(samples)
        self._hear(samples)
        self.samples += len(samples)

    def _finish(self, t0: float, note: str = "") -> Update:
        update = self._update(True, t0, note)
        self.reset()
        return update

    def _update(self, final: bool, t0: float, note: str = "") -> Update:
        text, greedy = self._read(final)
        return Update(text, greedy, final, self.samples / self.rate,
                      time.perf_counter() - t0, text.split(), note)


class LiveTranscriber(Listener):
    """A causal model, streamed: each chunk goes once through the streaming features and
    network, and the model's decoder advances as a prefix beam over the new frames. The final
    transcript runs the decoder over all the utterance's frames (the offline one's). An
    utterance that never pauses ends after ``max_seconds`` (the longest recording the library
    reads at once), so an endless or noisy recording keeps memory bounded."""

    def __init__(self, bundle: checkpoint.Bundle, end_ms: float = 600.0,
                 silence_db: float = 30.0, max_seconds: float | None = audio.MAX_SECONDS):
        self.network = StreamingNetwork(bundle.model, bundle.spec.model)
        super().__init__(bundle, end_ms, silence_db, max_seconds)

    def reset(self) -> None:
        super().reset()
        self.features = StreamingFeatures(self.bundle.features)
        self.network.reset()
        self.beam = self.decoder.search()
        self.probs: list[np.ndarray] = []

    def _hear(self, samples: np.ndarray) -> None:
        self._advance(self.features.push(samples))

    def _advance(self, frames: np.ndarray) -> None:
        if len(frames):
            probs = self.network.push(frames)
            if len(probs):
                self.probs.append(probs)
                if self.beam is not None:
                    self.beam.advance(probs)

    def _read(self, final: bool) -> tuple[str, str]:
        alphabet = self.bundle.alphabet
        if final:
            self._advance(self.features.flush())  # the closing frames
        probs = np.concatenate(self.probs) if self.probs else np.zeros((0, alphabet.size))
        greedy = alphabet.decode(decoding.greedy(probs))
        if final:
            text = self.decoder(probs) if len(probs) else ""
        else:
            text = alphabet.decode(self.beam.best()) if self.beam is not None else greedy
        return text, greedy


class TwoPassTranscriber(LiveTranscriber):
    """The partial transcripts of a causal model streamed (:class:`LiveTranscriber`), the final
    one from a whole-utterance model (a bidirectional LSTM) reading the utterance once when it
    ends. The causal model answers while the speaker talks; the final transcript is then as
    good as offline, for one reading of the utterance after its end (about 80 ms on one core for
    a few seconds of speech). The utterance's audio is kept for that reading, at most
    ``max_seconds`` of it."""

    def __init__(self, bundle: checkpoint.Bundle, final: checkpoint.Bundle,
                 end_ms: float = 600.0, silence_db: float = 30.0,
                 max_seconds: float | None = audio.MAX_SECONDS):
        from asrlib.transcriber import Transcriber

        if final.features.sample_rate != bundle.features.sample_rate:
            raise ValueError(f"the final model reads {final.features.sample_rate} Hz audio, the "
                             f"streaming one {bundle.features.sample_rate} Hz: they must agree")
        if final.alphabet != bundle.alphabet:
            raise ValueError("the final model writes another alphabet than the streaming one")
        self.reader = Transcriber(final)
        super().__init__(bundle, end_ms, silence_db, max_seconds)
        for seconds in (0.5, 1.0):  # Keras traces the network for a first and a second length
            self.reader.probs(np.zeros(round(seconds * self.rate), np.float32))

    def reset(self) -> None:
        super().reset()
        self.chunks: list[np.ndarray] = []  # the utterance so far, for the final reading

    def _hear(self, samples: np.ndarray) -> None:
        super()._hear(samples)
        self.chunks.append(np.asarray(samples, np.float32))

    def _read(self, final: bool) -> tuple[str, str]:
        text, greedy = super()._read(final)
        if not final:
            return text, greedy
        samples = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)
        if not self.end.heard or len(samples) < audio.MIN_SECONDS * self.rate:
            return "", ""  # no speech: nothing to read (offline, silence reads "")
        probs = self.reader.probs(samples)
        return self.reader.decode(probs), self.bundle.alphabet.decode(decoding.greedy(probs))


class RereadingTranscriber(Listener):
    """Live transcription with a whole-utterance model (a bidirectional LSTM, which cannot
    stream): it keeps the utterance's audio and, after every chunk (or once ``every_ms`` of
    new audio has come), reads all of it again, features, network and the model's own
    decoder, for the partial transcript. The final one is the offline transcript of the whole
    utterance (:meth:`asrlib.transcriber.Transcriber.transcribe`); an utterance without speech
    (:attr:`UtteranceEnd.heard`) reads as "". Each re-reading costs more as the utterance
    grows, so an utterance ends after ``max_seconds``."""

    def __init__(self, bundle: checkpoint.Bundle, end_ms: float = 600.0,
                 silence_db: float = 30.0, max_seconds: float | None = 30.0,
                 every_ms: float = 0.0):
        from asrlib.transcriber import Transcriber

        self.reader = Transcriber(bundle)
        self.every = round(every_ms / 1000 * bundle.features.sample_rate)
        super().__init__(bundle, end_ms, silence_db, max_seconds)
        # Keras traces the network for a first and a second length (seconds): not mid-recording
        for seconds in (0.5, 1.0):
            self.reader.probs(np.zeros(round(seconds * self.rate), np.float32))

    def reset(self) -> None:
        super().reset()
        self.chunks: list[np.ndarray] = []  # the utterance so far
        self.read_at = -1  # self.samples at the last reading
        self.last = ("", "")  # its (transcript, greedy letters)

    def _hear(self, samples: np.ndarray) -> None:
        self.chunks.append(samples)

    def _read(self, final: bool) -> tuple[str, str]:
        due = self.samples - max(self.read_at, 0) >= self.every
        if self.read_at == self.samples or not (final or due):
            return self.last  # nothing new heard, or not yet time to read again
        self.chunks = [np.concatenate(self.chunks)] if self.chunks else []
        samples = self.chunks[0] if self.chunks else np.zeros(0, np.float32)
        if not self.end.heard or len(samples) < audio.MIN_SECONDS * self.rate:
            self.last = ("", "")  # no speech yet: nothing to read (offline, silence reads "")
        else:
            probs = self.reader.probs(samples)
            alphabet = self.bundle.alphabet
            self.last = (self.reader.decode(probs), alphabet.decode(decoding.greedy(probs)))
        self.read_at = self.samples
        return self.last


def stream(bundle_or_live, samples: np.ndarray, chunk_ms: float = 200.0) -> list[Update]:
    """Every update of a recording fed in chunks of ``chunk_ms``, ended by :meth:`finish`."""
    live = (bundle_or_live if isinstance(bundle_or_live, Listener)
            else LiveTranscriber(bundle_or_live, end_ms=1e9))
    step = max(1, round(chunk_ms / 1000 * live.bundle.features.sample_rate))
    updates = [live.push(samples[k:k + step]) for k in range(0, len(samples), step)]
    return [*updates, live.finish()]
