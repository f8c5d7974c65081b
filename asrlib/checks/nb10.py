"""Exercise checks for notebook 10 (live transcription)."""

from __future__ import annotations

import numpy as np

from asrlib import checks


def running_mean(answer) -> bool:
    """Exercise 1 (code): ``answer(x)`` (a function; one that returns None is not tried yet)
    returns, for each row ``t`` of ``x`` ``(time,)``, the
    mean of ``x[0..t]``: what a streaming model may know of an utterance's mean at frame t."""
    name = "Exercise 1 (a running mean)"
    if checks.untried(name, answer):
        return False
    x = np.random.default_rng(10).normal(-200, 40, size=57)
    expected = np.cumsum(x) / np.arange(1, len(x) + 1)
    try:
        got = answer(x)
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if got is None:  # the body is still `...`
        return checks.untried(name, None) and False
    return checks.report(
        name, checks.close(got, expected, 1e-6),
        hint="np.cumsum(x) adds up the frames so far; divide by how many there are (1, 2, 3 …).",
        praise="frame t is normalised with frames 0..t only: nothing from the future.",
    )


def frames_per_chunk(answer, chunk_ms: float = 300.0, hop_ms: float = 10.0,
                     stride: int = 2) -> bool:
    """Exercise 2: output frames (posteriorgram rows) a chunk of ``chunk_ms`` gives."""
    name = "Exercise 2 (output frames per chunk)"
    if checks.untried(name, answer):
        return False
    expected = chunk_ms / hop_ms / stride
    return checks.report(
        name, checks.close(answer, expected, 1e-6),
        hint="one feature frame every 10 ms; the 2×2 max-pool keeps one output frame in two.",
        praise=f"{expected:g} rows for the decoder per chunk; the partial transcript can change "
        f"at most every {chunk_ms:g} ms.",
    )


def lstm_step(answer, units: int = 4, width: int = 3) -> bool:
    """Exercise 3 (code): ``answer(x, h, c, W, U, b)`` is one LSTM step (Keras's gate order
    i, f, c, o) → ``(h, c)``; checked against :class:`asrlib.streaming.StreamingNetwork`'s."""
    name = "Exercise 3 (one LSTM step)"
    if checks.untried(name, answer):
        return False
    rng = np.random.default_rng(3)
    x, h, c = rng.normal(size=width), rng.normal(size=units), rng.normal(size=units)
    w, u, b = (rng.normal(size=(width, 4 * units)), rng.normal(size=(units, 4 * units)),
               rng.normal(size=4 * units))
    sigmoid = 1 / (1 + np.exp(-(x @ w + h @ u + b)))
    i, f, _, o = np.split(sigmoid, 4)
    cell = np.tanh(np.split(x @ w + h @ u + b, 4)[2])
    c_new = f * c + i * cell
    h_new = o * np.tanh(c_new)
    try:
        got = answer(x, h, c, w, u, b)
    except Exception as err:
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if got is None:  # the body is still `...`
        return checks.untried(name, None) and False
    ok = isinstance(got, tuple) and len(got) == 2 and checks.close(got[0], h_new, 1e-6) \
        and checks.close(got[1], c_new, 1e-6)
    return checks.report(
        name, ok,
        hint="z = x @ W + h @ U + b; split z in four (i, f, c, o); c' = σ(f)·c + σ(i)·tanh(c̃); "
        "h' = σ(o)·tanh(c'). Return (h', c').",
        praise="that is all the state a streaming LSTM carries from one chunk to the next.",
    )


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


def reread_samples(answer) -> bool:
    """Exercise 4 (code): ``answer(n, chunk)`` (a function) returns how many samples spell mode
    reads in all for an utterance of ``n`` samples sent in chunks of ``chunk`` samples, when
    each update reads the whole utterance so far (the last chunk may be shorter)."""
    name = "Exercise 4 (what re-reading costs)"
    if checks.untried(name, answer):
        return False
    cases = [(48_000, 3_200), (46_500, 3_200), (480_000, 3_200), (16_000, 4_800), (1_600, 3_200)]
    try:
        got = [answer(n, chunk) for n, chunk in cases]
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if any(g is None for g in got):  # the body is still `...`
        return checks.untried(name, None) and False
    expected = [solution_reread_samples(n, chunk) for n, chunk in cases]
    return checks.report(
        name, checks.close(got, expected, 1e-9),
        hint="update k (k = 1, 2, …) reads min(k · chunk, n) samples; there are as many "
        "updates as chunks, n / chunk rounded up.",
        praise="a 30 s utterance in 200 ms chunks is read 150 times, 2,265 s of audio in all: "
        "75 times its length. Twice the utterance, about four times the reading.",
    )


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
    "Exercise 2 (output frames per chunk)": (
        "**15.** A 300 ms chunk holds 30 feature frames (one every 10 ms), and the 2×2 max-pool "
        "keeps one frame in two: 15 rows for the decoder, one per 20 ms."
    ),
    "Exercise 3 (one LSTM step)": (
        "`solution_lstm_step` computes z = x·W + h·U + b, splits it into four gates in Keras's "
        "order (input, forget, cell, output), then c′ = σ(f)·c + σ(i)·tanh(g) and "
        "h′ = σ(o)·tanh(c′). The pair (h′, c′) is all the state the LSTM carries from one chunk "
        "to the next."
    ),
    "Exercise 4 (what re-reading costs)": (
        "`solution_reread_samples`: with c chunks (n / chunk rounded up), update k reads "
        "min(k · chunk, n) samples, so the total is chunk · c(c + 1) / 2 when n is a whole "
        "number of chunks: it grows with the square of the utterance. A 30 s utterance in "
        "200 ms chunks is read 150 times, 2,265 s of audio in all; the causal model of the "
        "digits mode reads each sample once."
    ),
}
