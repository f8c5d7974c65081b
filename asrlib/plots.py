"""Plots: the pictures the notebooks draw, small and consistent.

Every function draws on ``ax`` (a new figure when it is None) and returns the
axes, so a notebook can add titles or combine panels. Time runs left to right.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np

from asrlib import SAMPLE_RATE

# The smallest text any figure here draws, in points: legible on a projector from the back of a
# room (the figures are about 8 inches wide, shown about a screen wide). Every size below is at
# least this; tests/test_slides.py checks this file and the notebooks' code cells for smaller ones.
MIN_FONT_PT = 9


def style() -> None:
    """Legible figures at 110 dpi, small enough that notebooks stay small on disk.

    Every text size is set in points, none below ``MIN_FONT_PT``: matplotlib's relative sizes
    ("small", "x-small") would otherwise shrink tick labels or legends below it."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (8, 2.6),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.grid": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": MIN_FONT_PT,
            "axes.titlesize": MIN_FONT_PT + 1,
            "axes.labelsize": MIN_FONT_PT,
            "xtick.labelsize": MIN_FONT_PT,
            "ytick.labelsize": MIN_FONT_PT,
            "legend.fontsize": MIN_FONT_PT,
            "legend.title_fontsize": MIN_FONT_PT,
            "figure.titlesize": MIN_FONT_PT + 2,
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
                  title: str | None = None, keep: str | None = None):
    """Per-frame probabilities ``(time, classes)``, one row per symbol, blank shown as ``_``.

    ``keep`` (a transcript) shows only the blank and that transcript's symbols, in alphabet
    order: the rows worth reading. The returned axes' ``rows`` lists the symbol ids drawn."""
    rows = list(range(probs.shape[1]))
    if keep is not None:
        rows = [0, *sorted({alphabet.symbols.index(c) for c in keep if c in alphabet.symbols}
                           - {0})]
    # a row per symbol, tall enough for its MIN_FONT_PT label (all 28 symbols: 5.5 inches)
    ax = _axes(ax, figsize=(8, max(4.0, 1 + 0.16 * len(rows)) if keep is None
                            else 1 + 0.22 * len(rows)))
    matrix(probs[:, rows], hop_seconds=hop_seconds, ax=ax, title=title, ylabel="symbol",
           cmap="Greys", colorbar="probability")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_label(alphabet, i) for i in rows], fontsize=MIN_FONT_PT)
    ax.rows = rows
    return ax


def _label(alphabet, index: int) -> str:
    symbol = alphabet.symbols[index]
    return "␣" if symbol == " " else symbol


def ctc_lattice(log_alpha: np.ndarray, labels, alphabet, path=None, ax=None,
                title: str | None = None, floor: float | None = None, label: str = "log α",
                colorbar: bool = True):
    """The CTC α lattice ``(time, 2·len(labels)+1)``: rows are the blank-extended labels.

    ``path`` (optional) is a sequence of lattice rows, one per frame, drawn on top
    (e.g. the best alignment). ``floor`` fixes the colour scale to ``[floor, 0]`` (values
    below it drawn in the floor's colour, the colour bar says so), so that lattices drawn
    with the same floor can be compared; ``-inf`` (no path) is always left white.
    """
    ax = _axes(ax, figsize=(8, 3))
    shown = np.where(np.isfinite(log_alpha), log_alpha, np.nan)
    if floor is not None:
        shown = np.maximum(shown, floor)  # NaN (no path) stays NaN
        label = f"{label}, clipped at {floor:g}"
    matrix(shown, hop_seconds=None, ax=ax, title=title, ylabel="extended label",
           cmap="viridis")
    if floor is not None:
        ax.images[-1].set_clim(floor, 0)
    if colorbar:
        ax.figure.colorbar(ax.images[-1], ax=ax, label=label, pad=0.01)
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
            ax.set_title(f"channel {c}", fontsize=MIN_FONT_PT)
            ax.set_xlabel("")
        else:
            ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return axes


def _wrap(line: str, chars: int) -> str:
    """``line`` wrapped at ``chars`` characters, at spaces or after a ``+`` inside a word
    ("(Conv2D+MaxPool)" may break after "+"); a word is never cut."""
    marked = re.sub(r"\+(?=\S)", "+\x1f ", line)  # \x1f: a break that leaves no space
    lines = textwrap.wrap(marked, chars, break_long_words=False) or [""]
    return "\n".join(part.replace("\x1f ", "").replace("\x1f", "") for part in lines)


def flow(stages, ax=None, title: str | None = None, highlight=()):
    """A left-to-right block diagram: one box per stage name, arrows between them.

    Stages whose index is in ``highlight`` are shaded (e.g. the parts that are learned).
    """
    from matplotlib.patches import FancyBboxPatch

    ax = _axes(ax, figsize=(9, 1.4))
    n = len(stages)
    width, gap = 1.0, 0.35
    ax.set_xlim(-0.1, n * (width + gap) - gap + 0.1)
    # characters of MIN_FONT_PT text that fit across one box (about 0.55 em each), so that a
    # long name is wrapped onto more lines instead of running past its box
    box_pt = ax.get_position().width * ax.figure.get_figwidth() * 72 * width / (
        n * (width + gap) - gap + 0.2)
    chars = max(6, int((box_pt - 4) / (0.55 * MIN_FONT_PT)))
    for i, name in enumerate(stages):
        x = i * (width + gap)
        face = "#f6c667" if i in highlight else "#e8eef7"
        ax.add_patch(FancyBboxPatch((x, 0), width, 1, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=face, edgecolor="#445"))
        wrapped = "\n".join(_wrap(line, chars) for line in name.split("\n"))
        ax.text(x + width / 2, 0.5, wrapped, ha="center", va="center", fontsize=MIN_FONT_PT,
                linespacing=1.1)
        if i < n - 1:
            ax.annotate("", xy=(x + width + gap, 0.5), xytext=(x + width, 0.5),
                        arrowprops={"arrowstyle": "->", "color": "#445"})
    ax.set_ylim(-0.15, 1.15)
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left")
    return ax


def waterfall(rows, ax=None, title: str | None = None, goal: float | None = None,
              floor: float | None = None, end_label: str = "end"):
    """A cumulative waterfall of mean WER along a path of recipe changes.

    ``rows`` are the steps in order (``label``, ``mean_wer``; ``worst_wer`` and
    ``train_seconds`` when known). The first bar is the start, full height; each next bar
    floats from where the previous one ended to the step's mean (green down, red up, grey
    when the change is within ``floor``), dotted lines carry the running total from bar to
    bar, and the last bar (``end_label``) is the end, full height again. Each bar is labelled
    with its change and the running total; red markers are the worst voice at each step,
    the dashed line the ``goal``. The returned axes' ``totals`` lists the running totals."""
    from itertools import pairwise

    from matplotlib.patches import Patch

    ax = _axes(ax, figsize=(max(7.0, 1.05 * (len(rows) + 1)), 3.6))
    means = [100 * r["mean_wer"] for r in rows]
    bottoms, heights, colours = [0.0], [means[0]], ["tab:blue"]
    for before, after in pairwise(means):
        change = after - before
        within = floor is not None and abs(change) <= 100 * floor
        bottoms.append(min(before, after))
        heights.append(abs(change))
        colours.append("0.7" if within else "tab:green" if change < 0 else "tab:red")
    bottoms.append(0.0)
    heights.append(means[-1])
    colours.append("tab:blue")
    x = np.arange(len(rows) + 1)
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.62, edgecolor="0.25", lw=0.5)
    totals = [*means, means[-1]]  # the running total after each bar
    for k in range(len(x) - 1):
        ax.plot([k + 0.31, k + 0.69], [totals[k], totals[k]], color="0.25", lw=0.8, ls=":")
    top = max([*means, *[100 * r.get("worst_wer", 0) for r in rows]])
    for k, total in enumerate(totals):
        change = total - totals[k - 1]
        # a change that rounds to the floor gets a second decimal, so its colour reads right
        near = floor is not None and round(abs(change), 1) == round(100 * floor, 1)
        step = "" if k in (0, len(x) - 1) else f"{change:+.{2 if near else 1}f} → "
        ax.text(k, bottoms[k] + heights[k] + 0.015 * top, f"{step}{total:.1f}", ha="center",
                va="bottom", fontsize=MIN_FONT_PT)
    if all("worst_wer" in r for r in rows):
        worst = [100 * r["worst_wer"] for r in rows]
        ax.plot(x, [*worst, worst[-1]], "v", color="tab:red", ms=5, label="worst voice")
    if goal is not None:
        ax.axhline(goal * 100, color="grey", linestyle="--", linewidth=0.8, label="goal")
    labels = [r["label"] + (f"\n{r['train_seconds']:.0f} s/fold" if "train_seconds" in r else "")
              for r in rows] + [end_label]
    labels[0] = "start: " + labels[0]
    ax.set_xticks(x, labels, fontsize=MIN_FONT_PT)
    ax.set(ylabel="mean WER (%)", ylim=(0, top * 1.18), xlim=(-0.6, len(x) - 0.4))
    handles = [Patch(color="tab:green", label="lower"), Patch(color="tab:red", label="higher")]
    if floor is not None:
        handles.append(Patch(color="0.7", label=f"within the noise floor (±{100 * floor:.1f})"))
    extra, _ = ax.get_legend_handles_labels()
    ax.legend(handles=[*extra, *handles], frameon=False, fontsize=MIN_FONT_PT, loc="upper right")
    if title:
        ax.set_title(title)
    ax.totals = totals
    return ax


def lstm_unrolled(ax=None, title: str | None = None):
    """An LSTM unrolled over three frames (t−1, t, t+1), the middle cell opened up: the cell
    state c runs along the top and is changed only by the forget gate (×) and the input gate
    (+); the hidden state h runs along the bottom and leaves, gated by o, as the output."""
    from matplotlib.patches import Circle, FancyBboxPatch

    ax = _axes(ax, figsize=(8.5, 4.0))
    c_y, h_y, gate_y = 3.0, 0.5, 1.5  # heights of the c line, the h line and the gates
    red, blue, grey = "tab:red", "tab:blue", "#333"

    def arrow(x0, y0, x1, y1, color=grey, lw=1.1, head=True):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={
            "arrowstyle": "-|>" if head else "-", "color": color, "lw": lw,
            "shrinkA": 0, "shrinkB": 0})

    def node(x, y, text):
        ax.add_patch(Circle((x, y), 0.2, facecolor="white", edgecolor=grey, zorder=3))
        ax.text(x, y, text, ha="center", va="center", fontsize=11, zorder=4)

    def box(x, y, text, color, width=1.0):
        ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.3), width, 0.6, zorder=3,
                                    facecolor=color, edgecolor=grey,
                                    boxstyle="round,pad=0.02,rounding_size=0.08"))
        ax.text(x, y, text, ha="center", va="center", fontsize=MIN_FONT_PT, zorder=4)

    for x0, t in ((0.0, "t−1"), (9.7, "t+1")):  # the neighbouring frames: the same cell
        ax.add_patch(FancyBboxPatch((x0, 0.1), 1.5, 3.3, boxstyle="round,pad=0.05",
                                    facecolor="#e8eef7", edgecolor="#445"))
        ax.text(x0 + 0.75, 1.75, "LSTM\n(the same\nweights)", ha="center", va="center",
                fontsize=MIN_FONT_PT)
        arrow(x0 + 0.75, -0.5, x0 + 0.75, 0.1)
        ax.text(x0 + 0.75, -0.6, f"x[{t}]", ha="center", va="top", fontsize=9)
        arrow(x0 + 0.75, 3.4, x0 + 0.75, 4.0)
        ax.text(x0 + 0.75, 4.05, f"h[{t}]", ha="center", va="bottom", fontsize=9)
    ax.add_patch(FancyBboxPatch((2.1, 0.1), 7.0, 3.3, boxstyle="round,pad=0.05",
                                facecolor="#fbfbf4", edgecolor="#445"))
    ax.text(7.0, 0.2, "frame t", fontsize=MIN_FONT_PT, va="bottom", color="#445")
    # the cell state: a belt along the top, from frame t−1 through t to t+1
    arrow(1.5, c_y, 3.0, c_y, red, 2)
    node(3.2, c_y, "×")
    arrow(3.4, c_y, 5.0, c_y, red, 2)
    node(5.2, c_y, "+")
    arrow(5.4, c_y, 9.7, c_y, red, 2)
    ax.text(1.6, c_y + 0.1, "c[t−1]", color=red, fontsize=9, va="bottom")
    ax.text(6.6, c_y + 0.1, "c[t]", color=red, fontsize=9, va="bottom")
    # the previous hidden state and this frame's input feed all four gates
    arrow(1.5, h_y, 2.5, h_y, blue, 2)
    ax.text(1.6, h_y + 0.1, "h[t−1]", color=blue, fontsize=9, va="bottom")
    ax.plot([2.5, 7.3], [h_y, h_y], color=grey, lw=1.1)
    arrow(4.0, -0.5, 4.0, h_y, head=False)
    ax.text(4.0, -0.6, "x[t]", ha="center", va="top", fontsize=9)
    for x, text, color in ((3.2, "forget f\nσ", "#f6c667"), (4.6, "input i\nσ", "#f6c667"),
                           (5.8, "new g\ntanh", "#cde5c1"), (7.3, "output o\nσ", "#f6c667")):
        arrow(x, h_y, x, gate_y - 0.3)
        box(x, gate_y, text, color)
    arrow(3.2, gate_y + 0.3, 3.2, c_y - 0.2)  # f: how much of the old c to keep
    node(5.2, 2.3, "×")  # i · g: what to write
    arrow(4.6, gate_y + 0.3, 5.05, 2.17)
    arrow(5.8, gate_y + 0.3, 5.35, 2.17)
    arrow(5.2, 2.5, 5.2, c_y - 0.2)
    box(8.3, 2.3, "tanh", "#cde5c1", width=0.7)  # h = o · tanh(c)
    arrow(8.3, c_y, 8.3, 2.6)
    node(8.3, gate_y, "×")
    arrow(8.3, 2.0, 8.3, gate_y + 0.2)
    arrow(7.8, gate_y, 8.1, gate_y)
    ax.plot([8.3, 8.3], [gate_y - 0.2, h_y], color=blue, lw=2)
    arrow(8.3, h_y, 9.7, h_y, blue, 2)
    ax.text(9.0, h_y + 0.1, "h[t]", color=blue, fontsize=9, va="bottom", ha="right")
    arrow(8.8, h_y, 8.8, 4.0, blue)
    ax.text(8.8, 4.05, "h[t]: the output", ha="center", va="bottom", fontsize=9)
    ax.set_xlim(-0.2, 11.4)
    ax.set_ylim(-1.0, 4.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, loc="left")
    return ax


ALIGNMENT_COLOURS = {"=": "#e8eef7", "S": "#f6c667", "D": "#f08a8a", "I": "#8ec3ea"}
ALIGNMENT_NAMES = {"=": "match", "S": "substitution", "D": "deletion", "I": "insertion"}


def alignment(pairs, ax=None, title: str | None = None, legend: bool = True):
    """An edit-distance alignment (``metrics.align``): reference tokens on the top row,
    hypothesis tokens on the bottom row, one column per pair, coloured and labelled by its
    operation (= match, S substitution, D deletion, I insertion); ``–`` marks a missing side."""
    from matplotlib.patches import Patch, Rectangle

    longest = max([len(str(t)) for p in pairs for t in (p.ref, p.hyp) if t is not None] or [1])
    width = 0.25 + 0.085 * longest  # inches per column: room for the longest token
    ax = _axes(ax, figsize=(min(9, 1.2 + width * max(len(pairs), 1)), 1.3))
    for x, (ref, hyp, op) in enumerate(pairs):
        for y, token in ((1, ref), (0, hyp)):
            ax.add_patch(Rectangle((x - 0.45, y - 0.3), 0.9, 0.6, facecolor=ALIGNMENT_COLOURS[op],
                                   edgecolor="#445", linewidth=0.6,
                                   linestyle="-" if token is not None else ":"))
            shown = "–" if token is None else ("␣" if token == " " else str(token))
            ax.text(x, y, shown, ha="center", va="center", fontsize=MIN_FONT_PT)
        ax.text(x, 0.5, op, ha="center", va="center", fontsize=MIN_FONT_PT, fontweight="bold",
                color="#333" if op == "=" else "#b00")
    ax.set_xlim(-0.6, max(len(pairs), 1) - 0.4)
    ax.set_ylim(-0.4, 1.4)
    ax.set_yticks([0, 1], ["hypothesis", "reference"])
    ax.set_xticks([])
    ax.tick_params(left=False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    if legend:
        used = [op for op in ALIGNMENT_COLOURS if any(p.op == op for p in pairs)]
        ax.legend(handles=[Patch(facecolor=ALIGNMENT_COLOURS[op], edgecolor="#445",
                                 label=f"{op} {ALIGNMENT_NAMES[op]}") for op in used],
                  loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=MIN_FONT_PT)
    if title:
        ax.set_title(title, loc="left", fontsize=MIN_FONT_PT)
    return ax
