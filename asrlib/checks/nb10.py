"""Exercise checks for notebook 10 (live transcription)."""

from __future__ import annotations

import math

import numpy as np

from asrlib import SAMPLE_RATE, checks
from asrlib.streaming import StreamingNetwork

# Exercise 3's expected totals on its hidden cases, kept as their checks.digest only
REREAD_DIGEST = "dcd70fe6688d65434653bcffdb02a8400f401c43d4816df40fee602971f46ec7"


def running_mean(answer) -> bool:
    """Exercise 1 (code): ``answer(x)`` (a function; one that returns None is not tried yet)
    returns, for each row ``t`` of ``x`` ``(time,)``, the
    mean of ``x[0..t]``: what a streaming model may know of an utterance's mean at frame t."""
    name = "Exercise 1 (a running mean)"
    if checks.untried(name, answer):
        return False
    x = np.random.default_rng(10).normal(-200, 40, size=57)
    expected = np.array([x[:t + 1].mean() for t in range(len(x))])  # the definition, frame by frame
    try:
        got = answer(x)
    except Exception as err:  # the student's function: say what went wrong, no traceback
        return checks.report(name, False, hint=f"your function raised {type(err).__name__}: "
                             f"{err}")
    if got is None:  # the body is still `...`
        return checks.untried(name, None) and False
    return checks.report(
        name, checks.close(got, expected, 1e-6),
        hint="frame t gets the mean of x[0] … x[t] (t + 1 frames, never a later one); NumPy "
        "can add up all the running sums at once.",
        praise="frame t is normalised with frames 0..t only: nothing from the future.",
    )


def lstm_step(answer, units: int = 4, width: int = 3) -> bool:
    """Exercise 2 (code): ``answer(x, h, c, W, U, b)`` is one LSTM step (Keras's gate order
    i, f, c, o) → ``(h, c)``; checked against :class:`asrlib.streaming.StreamingNetwork`'s."""
    name = "Exercise 2 (one LSTM step)"
    if checks.untried(name, answer):
        return False
    rng = np.random.default_rng(3)
    x, h, c = rng.normal(size=width), rng.normal(size=units), rng.normal(size=units)
    w, u, b = (rng.normal(size=(width, 4 * units)), rng.normal(size=(units, 4 * units)),
               rng.normal(size=4 * units))
    h_new, c_new = _library_step(x, h, c, w, u, b)
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
        hint="z = x @ W + h @ U + b, split in four, gives the gates (i, f, c̃, o) in Keras's "
        "order; the forget gate weighs the old cell, the input gate the candidate, the output "
        "gate the new cell's tanh (the gates through σ, the candidate through tanh). Return "
        "(h', c').",
        praise="that is all the state a streaming LSTM carries from one chunk to the next.",
    )


def _library_step(x, h, c, w, u, b) -> tuple[np.ndarray, np.ndarray]:
    """One step of :class:`asrlib.streaming.StreamingNetwork`'s LSTM from the state ``(h, c)``:
    the new ``(h, c)``."""
    network = StreamingNetwork.__new__(StreamingNetwork)  # its LSTM only: no model to load
    network.state = [(np.asarray(h, np.float64), np.asarray(c, np.float64))]
    network._lstm(0, np.asarray(x, np.float64)[None], w, u, b)
    return network.state[0]


def reread_samples(answer) -> bool:
    """Exercise 3 (code): ``answer(n, chunk)`` (a function) returns how many samples spell mode
    reads in all for an utterance of ``n`` samples sent in chunks of ``chunk`` samples, when
    each update reads the whole utterance so far (the last chunk may be shorter)."""
    name = "Exercise 3 (what re-reading costs)"
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
    ok = checks.digest(got) == REREAD_DIGEST
    (n, chunk), total = cases[2], got[2]  # 30 s in 200 ms chunks: the figure the notebook asks
    seconds, read = n / SAMPLE_RATE, float(total) / SAMPLE_RATE if ok else 0.0
    return checks.report(
        name, ok,
        hint="after k chunks the model has heard k · chunk samples (all n after the last, "
        "shorter chunk) and reads them all again; there is one update per chunk. Add up what "
        "every update reads.",
        praise=f"a {seconds:g} s utterance in {1000 * chunk / SAMPLE_RATE:g} ms chunks is read "
        f"{math.ceil(n / chunk)} times, {read:,.0f} s of audio in all: {read // seconds:.0f} "
        "times its length. Twice the utterance, about four times the reading.",
    )
