"""Record (or upload), then see and hear what the model does: notebook 08 and its Voilà app.

:class:`TranscribeApp` puts a choice of **modes** and a :class:`asrlib.recorder.Recorder`
above a transcript line and an output area. A :class:`Mode` is what to ask the speaker and
the models that listen: "say a few digits" for the digits model, "spell your name, say your
zip code" for the AN4 model. After every recording the app shows the transcript of each of
the chosen mode's models with a per-word confidence, and the waveform, features and
posteriorgram of the clip; choosing another mode reads the last clip again. Anything wrong
with the audio (silence, too short, a broken buffer) or the model is one line in the
transcript area, never a traceback::

    digits = Transcriber.from_file(runtime.shipped_model("digits"))
    an4 = Transcriber.from_file(runtime.shipped_model("an4"))
    app = TranscribeApp({
        "digits": Mode("say a few digits", {"digits": digits}),
        "spell": Mode("spell your name, say your zip code", {"an4": an4},
                      label="spell (names, zip codes)"),
    })
    app                       # in a notebook or under Voilà

A plain ``{name: transcriber}`` dict is one mode (no choice shown).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets
import numpy as np

from asrlib import SAMPLE_RATE, audio, decoders, features
from asrlib.files import one_line
from asrlib.recorder import Recorder
from asrlib.transcriber import Transcriber, word_confidence

DEFAULT_PROMPT = "say something"  # a single mode's prompt when none is given


@dataclass(frozen=True)
class Mode:
    """One choice of an app: what to ask the speaker, the models that listen (name → model:
    :class:`Transcriber` for :class:`TranscribeApp`, one live transcriber for
    :class:`asrlib.live.LiveApp`), and the button's label (``None``: the mode's key)."""

    prompt: str
    models: dict
    label: str | None = None

    def __post_init__(self):
        if not self.models:
            raise ValueError(f"the mode {self.label or self.prompt!r} needs at least one model")


def as_modes(modes: dict, kind: type) -> dict[str, Mode]:
    """``{key: Mode}`` from what an app was given: modes, or ``{name: model}`` (one mode)."""
    if not modes:
        raise ValueError("an app needs at least one mode with a model")
    if all(isinstance(m, Mode) for m in modes.values()):
        return dict(modes)
    if all(isinstance(m, kind) for m in modes.values()):
        return {"": Mode(DEFAULT_PROMPT, dict(modes))}
    raise TypeError(f"give the app Mode(...) values, or {kind.__name__} values (one mode)")


def mode_picker(modes: dict[str, Mode]) -> ipywidgets.ToggleButtons:
    """The visible choice of mode (hidden when there is only one); class ``asrlib-mode``."""
    picker = ipywidgets.ToggleButtons(
        options=[(m.label or key, key) for key, m in modes.items()], value=next(iter(modes)),
        style={"button_width": "auto"})
    picker.add_class("asrlib-mode")
    if len(modes) == 1:
        picker.layout.display = "none"
    return picker


def prompt_html(prompt: str) -> str:
    return (f'<div class="asrlib-prompt"><b>Press ● Record, {html.escape(prompt)}, then press '
            "■ Stop.</b></div>")


class ModeApp:
    """What the apps share: the choice of modes (buttons, hidden when there is one), the
    chosen mode's prompt, and showing ``widget`` in a notebook or under Voilà. A subclass
    builds ``widget`` and reacts to a newly chosen mode in ``_on_mode``."""

    def __init__(self, modes: dict, kind: type):
        self.modes = as_modes(modes, kind)
        self.picker = mode_picker(self.modes)
        self.prompt = ipywidgets.HTML(prompt_html(self.modes[self.mode].prompt))
        self.picker.observe(self._switched, names="value")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    @property
    def mode(self) -> str:
        """The chosen mode's key; setting it is pressing its button."""
        return self.picker.value

    @mode.setter
    def mode(self, key: str) -> None:
        if key not in self.modes:
            raise ValueError(f"no mode {key!r}; the modes are {list(self.modes)}")
        self.picker.value = key

    def _switched(self, _) -> None:
        self.prompt.value = prompt_html(self.modes[self.mode].prompt)
        self._on_mode()

    def _on_mode(self) -> None:
        raise NotImplementedError


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


class TranscribeApp(ModeApp):
    """A choice of modes, a recorder, the transcripts with confidence, and the plots of the
    last clip. ``modes``: ``{key: Mode}``, or ``{name: Transcriber}`` for one mode. Choosing
    another mode reads the last clip again."""

    def __init__(self, modes: dict, plots: bool = True):
        super().__init__(modes, Transcriber)
        self.recorder = Recorder()
        self.transcript = ipywidgets.HTML("<i>No recording yet.</i>")
        self.transcript.add_class("asrlib-transcript-box")
        self.output = ipywidgets.Output()
        self.plots = plots
        self.clip: np.ndarray | None = None  # the last recording, read again on a mode change
        self.last: dict[str, dict] = {}  # model name → analyse() of the last clip
        self.widget = ipywidgets.VBox([self.picker, self.prompt, self.recorder,
                                       self.transcript, self.output])
        self.recorder.on_audio(self.show, on_error=self.show_error)

    @property
    def transcribers(self) -> dict[str, Transcriber]:
        """The chosen mode's models."""
        return self.modes[self.mode].models

    def _on_mode(self) -> None:
        if self.clip is not None:
            self.show(self.clip)
        else:
            self.transcript.value = "<i>No recording yet.</i>"

    def show_error(self, message: str) -> None:
        """One red line in place of the transcript."""
        self.last = {}
        self.transcript.value = (f'<div class="asrlib-error" style="color:#b00020">'
                                 f"Could not transcribe: {html.escape(message)}</div>")

    def show(self, samples: np.ndarray) -> None:
        """Transcribe ``samples`` with the chosen mode's models and show the result (errors:
        one line)."""
        self.clip = samples
        try:
            self.last = self.read(samples)
            self.transcript.value = self.render(samples, self.last)
            if self.plots and self.last:
                self.draw(samples)
        except Exception as err:  # a widget callback must never end in a traceback
            self.show_error(one_line(err))

    def read(self, samples: np.ndarray, mode: str | None = None) -> dict[str, dict]:
        """:func:`analyse` of ``samples`` by each model of ``mode`` (the chosen one if None);
        ``{}`` for a silent clip."""
        if audio.is_silent(samples):
            return {}
        return {name: analyse(t, samples)
                for name, t in self.modes[mode or self.mode].models.items()}

    def render(self, samples: np.ndarray, results: dict[str, dict],
               mode: str | None = None) -> str:
        """The transcript HTML of :meth:`read`'s ``results``: each model's line has class
        ``asrlib-transcript``, ``data-mode`` (the mode's key) and ``data-model`` (its name)."""
        if not results:
            return ('<div class="asrlib-error" style="color:#b00020">The recording is silent: '
                    "check that the level meter moves when you speak.</div>")
        key = html.escape(mode or self.mode)
        lines = []
        for name, result in results.items():
            main_text, main_words = result["transcripts"][result["main"]]
            lines.append(
                f'<div><b>{html.escape(name)}</b> ({result["main"]}): '
                f'<span class="asrlib-transcript" data-mode="{key}" '
                f'data-model="{html.escape(name)}">{html.escape(main_text)}</span> &nbsp; '
                f"{confidence_html(main_words)}</div>")
            others = [f"{k}: <code>{html.escape(t)}</code>"
                      for k, (t, _) in result["transcripts"].items() if k != result["main"]]
            lines.append(f'<div style="font-size:90%;color:#555">{" · ".join(others)}</div>')
        seconds = len(samples) / SAMPLE_RATE
        lines.append(f'<div style="font-size:85%;color:#777">{seconds:.1f} s of audio from '
                     f"{html.escape(self.recorder.source or 'a clip')}</div>")
        return "\n".join(lines)

    def draw(self, samples: np.ndarray) -> None:
        """Waveform, features and posteriorgram of the last clip for the mode's first model."""
        import matplotlib.pyplot as plt

        from asrlib import plots

        name, result = next(iter(self.last.items()))
        bundle = self.transcribers[name].bundle
        kind = "MFCC" if bundle.features.kind == "mfcc" else "log-mel"
        self.output.clear_output(wait=True)
        with self.output:
            fig, axes = plt.subplots(3, 1, figsize=(8, 6.5))
            plots.waveform(samples, ax=axes[0], title="waveform")
            plots.matrix(result["features"], hop_seconds=bundle.features.hop_ms / 1000,
                         ax=axes[1], title=kind, ylabel="coefficient" if kind == "MFCC"
                         else "mel band")
            heard = result["transcripts"][result["main"]][0]
            plots.posteriorgram(result["probs"], bundle.alphabet,
                                hop_seconds=bundle.features.hop_ms / 1000
                                * bundle.spec.model.time_stride, keep=heard,
                                ax=axes[2], title=f"posteriorgram ({name} model): the blank "
                                "and the transcript's symbols")
            fig.tight_layout()
            plt.show()
