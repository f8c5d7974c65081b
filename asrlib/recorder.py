"""A microphone and upload widget for notebooks (anywidget): 16 kHz mono PCM into Python.

In the browser, ``getUserMedia`` feeds an ``AudioContext`` that runs at 16 kHz where the
browser allows it (else at its own rate, and Python resamples); an AudioWorklet copies
the samples while a level meter moves; Stop sends them to the kernel as float32 PCM,
with a player to hear them back. Files can be uploaded instead: the browser decodes
them (WAV, MP3, OGG, M4A, WebM: whatever it can play) to 16 kHz mono. Every failure
(microphone denied or missing, page not secure, file too big, too long or undecodable)
is a one-line message in the widget and in :attr:`Recorder.error`, never a traceback.

Works in JupyterLab 4, Notebook 7 and Voilà (anywidget ≥ 0.9)::

    rec = Recorder()
    rec                       # shows the widget
    rec.samples               # the last recording: float32 at 16 kHz (None before one)
    rec.on_audio(callback)    # callback(samples) after every recording or upload
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import numpy as np
import traitlets

from asrlib import SAMPLE_RATE, audio

MAX_SECONDS = 30.0  # one utterance; the model was trained on strings of a few seconds
MAX_UPLOAD_MB = 20.0

STATIC = Path(__file__).resolve().parent / "static"  # the widget's JavaScript and CSS


class Recorder(anywidget.AnyWidget):
    """Record from the microphone or upload a file; ``samples`` is 16 kHz mono float32."""

    _esm = STATIC / "recorder.js"
    _css = STATIC / "recorder.css"
    # binary data arrives as a memoryview, which traitlets.Bytes rejects without from_json
    audio = traitlets.Bytes(b"").tag(sync=True, from_json=lambda v, _: bytes(v or b""))
    rate = traitlets.Int(SAMPLE_RATE).tag(sync=True)  # the rate the browser recorded at
    sample_rate = traitlets.Int(SAMPLE_RATE).tag(sync=True)  # the rate we ask for
    source = traitlets.Unicode("").tag(sync=True)  # "microphone" or "upload NAME"
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    max_seconds = traitlets.Float(MAX_SECONDS).tag(sync=True)
    max_upload_mb = traitlets.Float(MAX_UPLOAD_MB).tag(sync=True)
    # > 0: while recording, also send the audio every stream_ms milliseconds (on_chunk)
    stream_ms = traitlets.Int(0).tag(sync=True)

    @property
    def samples(self) -> np.ndarray | None:
        """The last recording as checked 16 kHz mono float32; ``None`` before the first.

        Raises :class:`asrlib.audio.AudioError` (one line) for a broken buffer.
        """
        if not self.audio:
            return None
        return decode_pcm(self.audio, self.rate, self.source or "recording")

    def on_audio(self, callback, on_error=None) -> None:
        """Call ``callback(samples)`` after every recording or upload; a broken one sets
        :attr:`error` and calls ``on_error(message)`` instead."""

        def changed(_):
            try:
                samples = self.samples
            except audio.AudioError as err:
                self.error = str(err)
                if on_error is not None:
                    on_error(str(err))
                return
            if samples is not None:
                callback(samples)

        self.observe(changed, names="audio")


    def on_chunk(self, callback, on_error=None) -> None:
        """With ``stream_ms`` > 0: call ``callback(samples, end)`` for every chunk of audio
        while recording (16 kHz mono float32; ``end`` is True for the last one, sent when
        the recording stops). A broken chunk calls ``on_error(message)`` instead."""

        def received(_, content, buffers):
            if not isinstance(content, dict) or content.get("type") != "chunk":
                return
            try:
                samples = decode_chunk(bytes(buffers[0]) if buffers else b"",
                                       int(content.get("rate", SAMPLE_RATE)))
            except audio.AudioError as err:
                self.error = str(err)
                if on_error is not None:
                    on_error(str(err))
                return
            callback(samples, bool(content.get("end")))

        self.on_msg(received)


def decode_chunk(data: bytes, rate: int) -> np.ndarray:
    """One streamed chunk (little-endian float32 at ``rate``) → float32 at 16 kHz. Unlike a
    whole recording, a chunk may be short or silent: only its format is checked."""
    if len(data) % 4:
        raise audio.AudioError(f"a streamed chunk of {len(data)} bytes is not whole float32 "
                               "samples; record again")
    if not 8_000 <= rate <= 192_000:
        raise audio.AudioError(f"a streamed chunk at {rate} Hz is not a microphone's rate")
    samples = np.nan_to_num(np.frombuffer(data, "<f4").astype(np.float32))
    if rate != SAMPLE_RATE and len(samples):
        import librosa

        samples = librosa.resample(samples, orig_sr=rate, target_sr=SAMPLE_RATE)
    return np.clip(samples, -1.0, 1.0).astype(np.float32)


def decode_pcm(data: bytes, rate: int, name: str = "recording") -> np.ndarray:
    """Little-endian float32 PCM bytes at ``rate`` → checked mono float32 at 16 kHz."""
    if len(data) % 4:
        raise audio.AudioError(f"{name}: {len(data)} bytes is not whole float32 samples; "
                               "record again")
    if not 8_000 <= rate <= 192_000:
        raise audio.AudioError(f"{name}: sample rate {rate} Hz is not a microphone's; record again")
    return audio.prepare(np.frombuffer(data, "<f4"), rate, name=name)
