"""Live transcription in a notebook or Voilà app (notebook 10): speak, and watch the words.

:class:`LiveApp` puts a :class:`asrlib.recorder.Recorder` that streams its audio while
recording (``stream_ms``) above a transcript line. Every chunk goes through a
:class:`asrlib.streaming.LiveTranscriber`; the line shows the partial transcript as it
grows (class ``asrlib-partial``) and, when the speaker pauses or presses Stop, the final one
(class ``asrlib-final``). Errors are one line, never a traceback::

    app = LiveApp(streaming.LiveTranscriber.from_file("data/digits_streaming.keras"))
    app                       # in a notebook or under Voilà
"""

from __future__ import annotations

import html
import time

import ipywidgets
import numpy as np

from asrlib.files import one_line
from asrlib.recorder import Recorder
from asrlib.streaming import LiveTranscriber, Update


class LiveApp:
    """A streaming recorder and the transcript it grows; ``timeline`` keeps every update."""

    def __init__(self, live: LiveTranscriber, chunk_ms: int = 200):
        self.live = live
        self.recorder = Recorder(stream_ms=chunk_ms)
        self.line = ipywidgets.HTML("<i>Press Record and say some digits.</i>")
        self.line.add_class("asrlib-live-box")
        self.finals: list[str] = []  # utterances finished in this recording
        self.timeline: list[tuple[float, Update]] = []  # (wall clock, update)
        self.widget = ipywidgets.VBox([self.recorder, self.line])
        self.recorder.on_chunk(self.receive, on_error=self.show_error)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def receive(self, samples: np.ndarray, end: bool) -> None:
        """One chunk from the browser: transcribe it and show the transcript so far."""
        try:
            update = self.live.push(samples) if len(samples) else None
            if update is not None and update.final and update.text:
                self.finals.append(update.text)  # a pause ended an utterance
            if end and (update is None or not update.final):
                update = self.live.finish()
                if update.text:
                    self.finals.append(update.text)
        except Exception as err:  # a widget callback must never end in a traceback
            self.show_error(one_line(err))
            return
        self.timeline.append((time.monotonic(), update))
        self.line.value = self.render(update, end)
        if end:
            self.finals = []

    def render(self, update: Update, end: bool) -> str:
        done = " · ".join(html.escape(t) for t in self.finals)
        if update.final:
            return (f'<div><span class="asrlib-final">{done}</span> '
                    f'<span style="color:#777;font-size:85%">(final'
                    f'{"" if end else "; listening"})</span></div>')
        partial = html.escape(update.text) or "…"
        before = f'<span class="asrlib-final">{done}</span> · ' if done else ""
        return (f'<div>{before}<span class="asrlib-partial" style="color:#1565c0">{partial}'
                f'</span> <span style="color:#777;font-size:85%">({update.audio_seconds:.1f} s, '
                f"{1000 * update.compute_seconds:.0f} ms for the last chunk)</span></div>")

    def show_error(self, message: str) -> None:
        self.line.value = (f'<div class="asrlib-error" style="color:#b00020">'
                           f"Could not transcribe: {html.escape(message)}</div>")
