"""Record (or upload), then see and hear what the model does: notebook 08 and its Voilà app.

:class:`TranscribeApp` puts a :class:`asrlib.recorder.Recorder` above a transcript line
and an output area. After every recording it shows the transcript of each decoder with
a per-word confidence, and the waveform, MFCC and posteriorgram of the clip. Anything
wrong with the audio (silence, too short, a broken buffer) or the model is one line in
the transcript area, never a traceback::

    app = TranscribeApp({"digits": Transcriber.from_file("data/digits_model.keras")})
    app                       # in a notebook or under Voilà
"""

from __future__ import annotations

import html

import ipywidgets
import numpy as np

from asrlib import SAMPLE_RATE, audio, decoders, features
from asrlib.files import one_line
from asrlib.recorder import Recorder
from asrlib.transcriber import Transcriber, word_confidence


def analyse(transcriber: Transcriber, samples: np.ndarray) -> dict:
    """Everything the app shows for one clip: features, probabilities and transcripts.

    ``transcripts`` maps a decoder name (greedy, beam and the transcriber's own, e.g. its
    lexicon) to ``(text, [(word, confidence), ...])``; ``main`` is the transcriber's.
    """
    b = transcriber.bundle
    feats = features.compute(samples, b.features)
    probs = transcriber.probs(samples)
    main = transcriber.kind
    texts = {m: transcriber.decode(probs) if m == main else decoders.decode(probs, m, b.alphabet)
             for m in dict.fromkeys(("greedy", "beam", main))}
    return {
        "features": feats, "probs": probs, "main": main,
        "transcripts": {k: (t, word_confidence(probs, t, b.alphabet)) for k, t in texts.items()},
    }


def confidence_html(words: list[tuple[str, float]]) -> str:
    """Words coloured by confidence (green sure, orange unsure, red doubtful), with a tooltip."""
    if not words:
        return "<i>(nothing recognised)</i>"
    spans = []
    for word, conf in words:
        color = "#2e7d32" if conf >= 0.8 else "#e65100" if conf >= 0.5 else "#b00020"
        spans.append(f'<span style="color:{color}" title="confidence {conf:.0%}">'
                     f"{html.escape(word)}</span>")
    return " ".join(spans)


class TranscribeApp:
    """A recorder, the transcripts with confidence, and the plots of the last clip."""

    def __init__(self, transcribers: dict[str, Transcriber], plots: bool = True):
        if not transcribers:
            raise ValueError("TranscribeApp needs at least one model")
        self.transcribers = transcribers
        self.recorder = Recorder()
        self.transcript = ipywidgets.HTML("<i>No recording yet.</i>")
        self.transcript.add_class("asrlib-transcript-box")
        self.output = ipywidgets.Output()
        self.plots = plots
        self.last: dict[str, dict] = {}  # model name → analyse() of the last clip
        self.widget = ipywidgets.VBox([self.recorder, self.transcript, self.output])
        self.recorder.on_audio(self.show, on_error=self.show_error)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def show_error(self, message: str) -> None:
        """One red line in place of the transcript."""
        self.transcript.value = (f'<div class="asrlib-error" style="color:#b00020">'
                                 f"Could not transcribe: {html.escape(message)}</div>")

    def show(self, samples: np.ndarray) -> None:
        """Transcribe ``samples`` with every model and show the result (errors: one line)."""
        try:
            self.transcript.value = self.render(samples)
        except Exception as err:  # a widget callback must never end in a traceback
            self.show_error(one_line(err))
            return
        if self.plots:
            self.draw(samples)

    def render(self, samples: np.ndarray) -> str:
        """The transcript HTML for ``samples``; the main line has class ``asrlib-transcript``."""
        if audio.is_silent(samples):
            self.last = {}
            return ('<div class="asrlib-error" style="color:#b00020">The recording is silent: '
                    "check that the level meter moves when you speak.</div>")
        self.last = {name: analyse(t, samples) for name, t in self.transcribers.items()}
        lines = []
        for name, result in self.last.items():
            main_text, main_words = result["transcripts"][result["main"]]
            lines.append(
                f'<div><b>{html.escape(name)}</b> ({result["main"]}): '
                f'<span class="asrlib-transcript" data-model="{html.escape(name)}">'
                f"{html.escape(main_text)}</span> &nbsp; {confidence_html(main_words)}</div>")
            others = [f"{k}: <code>{html.escape(t)}</code>"
                      for k, (t, _) in result["transcripts"].items() if k != result["main"]]
            lines.append(f'<div style="font-size:90%;color:#555">{" · ".join(others)}</div>')
        seconds = len(samples) / SAMPLE_RATE
        lines.append(f'<div style="font-size:85%;color:#777">{seconds:.1f} s of audio from '
                     f"{html.escape(self.recorder.source or 'a clip')}</div>")
        return "\n".join(lines)

    def draw(self, samples: np.ndarray) -> None:
        """Waveform, MFCC and posteriorgram of the last clip for the first model."""
        import matplotlib.pyplot as plt

        from asrlib import plots

        name, result = next(iter(self.last.items()))
        bundle = self.transcribers[name].bundle
        self.output.clear_output(wait=True)
        with self.output:
            fig, axes = plt.subplots(3, 1, figsize=(8, 6.5))
            plots.waveform(samples, ax=axes[0], title="waveform")
            plots.matrix(result["features"], hop_seconds=bundle.features.hop_ms / 1000,
                         ax=axes[1], title="MFCC", ylabel="coefficient")
            heard = result["transcripts"][result["main"]][0]
            plots.posteriorgram(result["probs"], bundle.alphabet,
                                hop_seconds=bundle.features.hop_ms / 1000
                                * bundle.spec.model.time_stride, keep=heard,
                                ax=axes[2], title=f"posteriorgram ({name} model): the blank "
                                "and the transcript's symbols")
            fig.tight_layout()
            plt.show()
