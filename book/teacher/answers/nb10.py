"""Notebook 10 (live transcription): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb10`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

import numpy as np


def solution_running_mean(x):
    """The mean of frames 0..t for every frame t: cumulative sum ÷ frames so far."""
    x = np.asarray(x, dtype=np.float64)
    return np.cumsum(x) / np.arange(1, len(x) + 1)


def solution_lstm_step(x, h, c, W, U, b):
    """One LSTM step in Keras's gate order (input, forget, cell, output) → ``(h, c)``."""

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    z = x @ W + h @ U + b
    i, f, g, o = np.split(z, 4)  # input, forget, cell candidate, output
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def solution_reread_samples(n: int, chunk: int) -> int:
    """Samples read in all when every update re-reads the utterance so far."""
    updates = -(-n // chunk)  # chunks, rounded up
    return sum(min(k * chunk, n) for k in range(1, updates + 1))


KEY: dict[str, str] = {
    "Exercise 1 (a running mean)": (
        "`solution_running_mean` divides the cumulative sum by the number of frames so far, "
        "`np.cumsum(x) / np.arange(1, len(x) + 1)`, so frame *t* uses frames 0 … *t* only: "
        "what a streaming model can know when frame *t* arrives. The streaming features also "
        "start from a prior worth one second of frames (section 3)."
    ),
    "Exercise 2 (one LSTM step)": (
        "`solution_lstm_step` computes z = x·W + h·U + b, splits it into four gates in Keras's "
        "order (input, forget, cell, output), then c′ = σ(f)·c + σ(i)·tanh(g) and "
        "h′ = σ(o)·tanh(c′). The pair (h′, c′) is all the state the LSTM carries from one chunk "
        "to the next."
    ),
    "Exercise 3 (what re-reading costs)": (
        "`solution_reread_samples`: with c chunks (n / chunk rounded up), update k reads "
        "min(k · chunk, n) samples, so the total is chunk · c(c + 1) / 2 when n is a whole "
        "number of chunks: it grows with the square of the utterance. A 30 s utterance in "
        "200 ms chunks is read 150 times, 2,265 s of audio in all; the causal model of the "
        "digits mode reads each sample once."
    ),
}
