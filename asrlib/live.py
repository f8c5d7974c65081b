"""Live transcription in a notebook or Voilà app (notebook 10): speak, and watch the words.

:class:`LiveApp` puts a choice of modes and a :class:`asrlib.recorder.Recorder` that streams
its audio while recording (``stream_ms``) above a transcript line. Each mode is a prompt and
one live transcriber (:class:`asrlib.streaming.Listener`): a causal model streamed chunk by
chunk (:class:`asrlib.streaming.LiveTranscriber`), or a whole-utterance model that reads the
utterance so far again after every chunk (:class:`asrlib.streaming.RereadingTranscriber`).
Every chunk goes through the chosen mode's transcriber; the line shows the partial
transcript as it grows (class ``asrlib-partial``) and, when the speaker pauses or presses
Stop, the final one (class ``asrlib-final``). Errors are one line, never a traceback::

    app = LiveApp({
        "digits": Mode("say a few digits", {"digits": LiveTranscriber(causal)},
                       label="digits (streaming)"),
        "spell": Mode("spell your name, say your zip code", {"an4": RereadingTranscriber(an4)},
                      label="spell (names, zip codes)"),
    })
    app                       # in a notebook or under Voilà

A single transcriber (``LiveApp(LiveTranscriber(causal))``) is one mode, no choice shown.
"""

from __future__ import annotations

import html
import time
from collections import deque

import ipywidgets
import numpy as np

from asrlib.app import Mode, ModeApp
from asrlib.files import one_line
from asrlib.recorder import Recorder
from asrlib.streaming import Listener, Update

WAITING = "<i>Nothing heard yet.</i>"
MAX_TIMELINE = 10_000  # updates kept for analysis: 33 minutes of 200 ms chunks
MAX_FINALS = 50  # finished utterances shown on the line of one recording


class LiveApp(ModeApp):
    """A choice of modes, a streaming recorder and the transcript it grows; ``timeline``
    keeps every update since the mode was chosen. Choosing another mode starts afresh: an
    utterance in progress is dropped."""

    def __init__(self, modes: dict[str, Mode] | Listener, chunk_ms: int = 200):
        super().__init__({"live": modes} if isinstance(modes, Listener) else modes, Listener)
        for key, mode in self.modes.items():
            if len(mode.models) != 1:
                raise ValueError(f"a live mode has one transcriber; {key!r} has "
                                 f"{len(mode.models)}")
        self.recorder = Recorder(stream_ms=chunk_ms)
        self.line = ipywidgets.HTML(WAITING)
        self.line.add_class("asrlib-live-box")
        self.finals: deque[str] = deque(maxlen=MAX_FINALS)  # utterances of this recording
        # (wall clock, update); the most recent MAX_TIMELINE, so an endless stream stays bounded
        self.timeline: deque[tuple[float, Update]] = deque(maxlen=MAX_TIMELINE)
        self.widget = ipywidgets.VBox([self.picker, self.prompt, self.recorder, self.line])
        self.recorder.on_chunk(self.receive, on_error=self.show_error)

    @property
    def live(self) -> Listener:
        """The chosen mode's live transcriber."""
        return next(iter(self.modes[self.mode].models.values()))

    def _on_mode(self) -> None:
        self.live.reset()
        self.finals.clear()
        self.timeline.clear()
        self.line.value = WAITING

    def receive(self, samples: np.ndarray, end: bool) -> None:
        """One chunk from the browser: transcribe it and show the transcript so far."""
        try:
            live = self.live
            update = live.push(samples) if len(samples) else None
            if update is not None and update.final and update.text:
                self.finals.append(update.text)  # a pause ended an utterance
            if end and (update is None or not update.final):
                update = live.finish()
                if update.text:
                    self.finals.append(update.text)
        except Exception as err:  # a widget callback must never end in a traceback
            self.show_error(one_line(err))
            return
        if update is None:  # an empty chunk while recording: nothing new to show
            return
        self.timeline.append((time.monotonic(), update))
        self.line.value = self.render(update, end)
        if end:
            self.finals.clear()

    def render(self, update: Update, end: bool) -> str:
        name = html.escape(next(iter(self.modes[self.mode].models)))
        tags = f'data-mode="{html.escape(self.mode)}" data-model="{name}"'
        done = " · ".join(html.escape(t) for t in self.finals)
        note = f"; {html.escape(update.note)}" if update.note else ""
        if update.final:
            return (f'<div {tags}><span class="asrlib-final">{done}</span> '
                    f'<span style="color:#777;font-size:85%">(final'
                    f'{"" if end else "; listening"}{note})</span></div>')
        partial = html.escape(update.text) or "…"
        before = f'<span class="asrlib-final">{done}</span> · ' if done else ""
        return (f'<div {tags}>{before}<span class="asrlib-partial" style="color:#1565c0">'
                f'{partial}</span> <span style="color:#777;font-size:85%">'
                f"({update.audio_seconds:.1f} s, {1000 * update.compute_seconds:.0f} ms for "
                "the last chunk)</span></div>")

    def show_error(self, message: str) -> None:
        self.line.value = (f'<div class="asrlib-error" style="color:#b00020">'
                           f"Could not transcribe: {html.escape(message)}</div>")
