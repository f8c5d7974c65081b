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
MAX_CHUNK_SECONDS = 10.0  # one streamed chunk (the live app sends 200 ms)
SLACK_SECONDS = 1.0  # the browser stops a block of samples after the limit, not exactly at it

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
        return decode_pcm(self.audio, self.rate, self.source or "recording",
                          self.max_seconds, SLACK_SECONDS)

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

        received_seconds = [0.0]  # in this recording, so that an endless stream is cut off

        def refuse(message: str) -> None:
            self.error = message
            if on_error is not None:
                on_error(message)

        def received(_, content, buffers):
            if not isinstance(content, dict) or content.get("type") != "chunk":
                return
            end = bool(content.get("end"))
            try:
                samples = decode_chunk(bytes(buffers[0]) if buffers else b"",
                                       int(content.get("rate", SAMPLE_RATE)))
            except (audio.AudioError, TypeError, ValueError) as err:
                refuse(str(err))
                return
            before = received_seconds[0]
            received_seconds[0] = 0.0 if end else before + len(samples) / SAMPLE_RATE
            limit = self.max_seconds + SLACK_SECONDS
            if before + len(samples) / SAMPLE_RATE > limit:
                if before <= limit:  # say it once per recording; what follows is dropped
                    refuse(f"the recording passed the {self.max_seconds:g} s limit; the rest "
                           "was not transcribed (Stop and record again, or raise "
                           "Recorder.max_seconds)")
                if not end:
                    return
                samples = samples[:0]
            callback(samples, end)

        self.on_msg(received)


def decode_chunk(data: bytes, rate: int, max_seconds: float = MAX_CHUNK_SECONDS) -> np.ndarray:
    """One streamed chunk (little-endian float32 at ``rate``) → float32 at 16 kHz. Unlike a
    whole recording, a chunk may be short or silent: only its format and size are checked."""
    if len(data) % 4:
        raise audio.AudioError(f"a streamed chunk of {len(data)} bytes is not whole float32 "
                               "samples; record again")
    if not 8_000 <= rate <= 192_000:
        raise audio.AudioError(f"a streamed chunk at {rate} Hz is not a microphone's rate")
    if len(data) / 4 / rate > max_seconds:
        raise audio.AudioError(f"a streamed chunk of {len(data) / 4 / rate:.1f} s is longer than "
                               f"{max_seconds:g} s; stream in shorter chunks (stream_ms)")
    samples = np.nan_to_num(np.frombuffer(data, "<f4").astype(np.float32))
    if rate != SAMPLE_RATE and len(samples):
        import librosa

        samples = librosa.resample(samples, orig_sr=rate, target_sr=SAMPLE_RATE)
    return np.clip(samples, -1.0, 1.0).astype(np.float32)


def decode_pcm(data: bytes, rate: int, name: str = "recording",
               max_seconds: float = audio.MAX_SECONDS, slack: float = 0.0) -> np.ndarray:
    """Little-endian float32 PCM bytes at ``rate`` → checked mono float32 at 16 kHz; longer
    than ``max_seconds`` (+ ``slack``) is refused before the samples are touched."""
    if len(data) % 4:
        raise audio.AudioError(f"{name}: {len(data)} bytes is not whole float32 samples; "
                               "record again")
    if not 8_000 <= rate <= 192_000:
        raise audio.AudioError(f"{name}: sample rate {rate} Hz is not a microphone's; record again")
    if len(data) / 4 / rate > max_seconds + slack:
        raise audio.AudioError(f"{name}: {len(data) / 4 / rate:.1f} s is longer than the "
                               f"{max_seconds:g} s limit; record a shorter one, or raise the "
                               "limit (Recorder(max_seconds=...))")
    return audio.prepare(np.frombuffer(data, "<f4"), rate, name=name)
