"""Plots: the pictures the notebooks draw, small and consistent.

Every function draws on ``ax`` (a new figure when it is None) and returns the
axes, so a notebook can add titles or combine panels. Time runs left to right.
"""

from __future__ import annotations

import numpy as np

from asrlib import SAMPLE_RATE


def style() -> None:
    """Small, legible figures (notebooks stay small on disk)."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (8, 2.6),
            "figure.dpi": 72,
            "savefig.dpi": 72,
            "axes.grid": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 9,
            "image.cmap": "magma",
        }
    )


def _axes(ax, figsize=None):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def waveform(samples: np.ndarray, rate: int = SAMPLE_RATE, ax=None, title: str | None = None):
    """Amplitude against time in seconds."""
    ax = _axes(ax)
    t = np.arange(len(samples)) / rate
    ax.plot(t, samples, linewidth=0.6)
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(0, max(t[-1], 1e-3) if len(t) else 1))
    if title:
        ax.set_title(title)
    return ax


def matrix(
    values: np.ndarray,
    hop_seconds: float | None = 0.01,
    ax=None,
    title: str | None = None,
    ylabel: str = "feature",
    colorbar: str | None = None,
    cmap: str | None = None,
):
    """A ``(time, bins)`` array (spectrogram, MFCC, feature map) as an image, time on x."""
    ax = _axes(ax)
    values = np.asarray(values)
    n = values.shape[0]
    extent = None
    xlabel = "frame"
    if hop_seconds:
        extent = (0, n * hop_seconds, -0.5, values.shape[1] - 0.5)
        xlabel = "time (s)"
    im = ax.imshow(values.T, origin="lower", aspect="auto", extent=extent, cmap=cmap,
                   interpolation="nearest")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    if colorbar is not None:
        ax.figure.colorbar(im, ax=ax, label=colorbar, pad=0.01)
    return ax


def posteriorgram(probs: np.ndarray, alphabet, hop_seconds: float | None = None, ax=None,
                  title: str | None = None):
    """Per-frame probabilities ``(time, classes)``, one row per symbol, blank shown as ``_``."""
    ax = _axes(ax, figsize=(8, 4))
    matrix(probs, hop_seconds=hop_seconds, ax=ax, title=title, ylabel="symbol", cmap="Greys",
           colorbar="probability")
    ax.set_yticks(range(probs.shape[1]))
    ax.set_yticklabels([_label(alphabet, i) for i in range(probs.shape[1])], fontsize=6)
    return ax


def _label(alphabet, index: int) -> str:
    symbol = alphabet.symbols[index]
    return "␣" if symbol == " " else symbol


def ctc_lattice(log_alpha: np.ndarray, labels, alphabet, path=None, ax=None,
                title: str | None = None):
    """The CTC α lattice ``(time, 2·len(labels)+1)``: rows are the blank-extended labels.

    ``path`` (optional) is a sequence of lattice rows, one per frame, drawn on top
    (e.g. the best alignment).
    """
    ax = _axes(ax, figsize=(8, 3))
    shown = np.where(np.isfinite(log_alpha), log_alpha, np.nan)
    matrix(shown, hop_seconds=None, ax=ax, title=title, ylabel="extended label",
           cmap="viridis", colorbar="log α")
    extended = [alphabet.blank]
    for label in labels:
        extended += [int(label), alphabet.blank]
    ax.set_yticks(range(len(extended)))
    ax.set_yticklabels([_label(alphabet, i) for i in extended])
    if path is not None:
        ax.plot(range(len(path)), path, color="white", linewidth=1.5, marker="o", markersize=3)
    return ax


def curves(history: dict, keys, ax=None, title: str | None = None, ylabel: str | None = None):
    """Training curves: ``history[key]`` per epoch for each key (missing keys skipped)."""
    ax = _axes(ax, figsize=(5, 3))
    for key in keys:
        if key in history:
            values = history[key]
            ax.plot(range(1, len(values) + 1), values, marker=".", label=key)
    ax.set(xlabel="epoch", ylabel=ylabel or "")
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return ax


def feature_maps(maps: np.ndarray, n: int = 8, hop_seconds: float | None = 0.01,
                 title: str | None = None):
    """The first ``n`` channels of a ``(time, freq, channels)`` activation, one panel each."""
    import matplotlib.pyplot as plt

    n = min(n, maps.shape[-1])
    cols = min(4, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(8, 1.6 * rows), squeeze=False,
                             sharex=True, sharey=True)
    for c, ax in enumerate(axes.flat):
        if c < n:
            matrix(maps[:, :, c], hop_seconds=hop_seconds, ax=ax, ylabel="")
            ax.set_title(f"channel {c}", fontsize=8)
            ax.set_xlabel("")
        else:
            ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return axes


def flow(stages, ax=None, title: str | None = None, highlight=()):
    """A left-to-right block diagram: one box per stage name, arrows between them.

    Stages whose index is in ``highlight`` are shaded (e.g. the parts that are learned).
    """
    from matplotlib.patches import FancyBboxPatch

    ax = _axes(ax, figsize=(9, 1.4))
    n = len(stages)
    width, gap = 1.0, 0.35
    for i, name in enumerate(stages):
        x = i * (width + gap)
        face = "#f6c667" if i in highlight else "#e8eef7"
        ax.add_patch(FancyBboxPatch((x, 0), width, 1, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=face, edgecolor="#445"))
        ax.text(x + width / 2, 0.5, name, ha="center", va="center", fontsize=8, wrap=True)
        if i < n - 1:
            ax.annotate("", xy=(x + width + gap, 0.5), xytext=(x + width, 0.5),
                        arrowprops={"arrowstyle": "->", "color": "#445"})
    ax.set_xlim(-0.1, n * (width + gap) - gap + 0.1)
    ax.set_ylim(-0.15, 1.15)
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left")
    return ax


def waterfall(rows, ax=None, title: str | None = None, goal: float | None = None):
    """Mean WER (bars) and the worst speaker's WER (markers) after each step of a recipe
    change, with each step's training seconds per fold written under its bar."""
    ax = _axes(ax, figsize=(max(8, 1.1 * len(rows)), 3))  # room for each bar's label
    x = np.arange(len(rows))
    means = np.array([r["mean_wer"] for r in rows]) * 100
    worst = np.array([r["worst_wer"] for r in rows]) * 100
    ax.bar(x, means, color="tab:blue", alpha=0.8, label="mean over held-out speakers")
    ax.plot(x, worst, "v", color="tab:red", label="worst speaker")
    for k, mean in enumerate(means):
        ax.annotate(f"{mean:.1f}", (k, mean), ha="center", va="bottom", fontsize=8)
    if goal is not None:
        ax.axhline(goal * 100, color="grey", linestyle="--", linewidth=0.8, label="goal")
    labels = [f"{r['label']}\n{r['train_seconds']:.0f} s/fold" for r in rows]
    ax.set_xticks(x, labels, fontsize=7)
    ax.set(ylabel="WER (%)", ylim=(0, max(worst.max() if len(rows) else 1, 1) * 1.15))
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return ax
