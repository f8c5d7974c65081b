"""Exercise checks for notebook 08 (record your voice)."""

from __future__ import annotations

import numpy as np

from asrlib import audio, checks

# Exercise 2's answer, kept as its checks.digest only: no text that could be read as the answer
DECODER_DIGEST = "0c9766979c98ce3caf5d081d6a1ec49a50e3b9f8e2794ebd1af210ae71db5179"


def recording_bytes(answer, seconds: float = 3.0, rate: int = 16_000) -> bool:
    """Exercise 1: bytes the recorder sends for ``seconds`` of float32 mono audio at ``rate``."""
    name = "Exercise 1 (bytes of a recording)"
    if checks.untried(name, answer):
        return False
    expected = round(seconds * rate) * np.dtype(np.float32).itemsize  # one channel
    return checks.report(
        name, checks.close(answer, expected, 1e-9),
        hint="samples per second × seconds × 4 bytes per float32 sample (one channel).",
        praise=f"{expected:,} bytes: small enough to send to the kernel in one message.",
    )


def which_decoder(answer) -> bool:
    """Exercise 2: which of the app's decoders can only ever write digit words."""
    name = "Exercise 2 (which decoder)"
    if checks.untried(name, answer):
        return False
    ok = isinstance(answer, str) and checks.digest(answer) == DECODER_DIGEST
    return checks.report(
        name, ok,
        hint="greedy and beam spell letter by letter; one decoder has a lexicon (notebook 06).",
        praise=f"the {checks.normalise(answer)} decoder: its lexicon holds the ten digit words "
        "only." if ok else "",
    )


def _stereo_and_mono_clips() -> list[tuple[np.ndarray, int, str]]:
    """The hidden inputs of :func:`to_mono_16k`: two stereo clips above 16 kHz whose channels
    differ and hold tones at 9–10 kHz (lost, not folded down, by a band-limited resampler),
    and one mono clip at 8 kHz."""
    rng = np.random.default_rng(8)
    clips = []
    for rate, seconds in ((48_000, 0.4), (44_100, 0.3), (8_000, 0.5)):
        t = np.arange(int(rate * seconds)) / rate
        left = 0.3 * np.sin(2 * np.pi * 300 * t) + 0.02 * rng.normal(size=t.size)
        if rate == 8_000:
            clips.append((left.astype(np.float32), rate, f"a {seconds} s mono clip at {rate} Hz"))
            continue
        left += 0.2 * np.sin(2 * np.pi * 10_000 * t)
        right = 0.2 * np.sin(2 * np.pi * 1_200 * t + 1) - 0.15 * np.sin(2 * np.pi * 9_000 * t)
        clips.append((np.stack([left, right], axis=1).astype(np.float32), rate,
                      f"a {seconds} s stereo clip at {rate} Hz"))
    return clips


def _mono_problem(got, expected: np.ndarray, samples: np.ndarray, rate: int) -> str | None:
    """What is wrong with ``got`` (one line), or None when it matches ``expected``."""
    try:
        got = np.asarray(got)
    except (TypeError, ValueError):
        return "return a NumPy array of samples."
    if got.ndim != 1:
        return (f"it returned shape {got.shape}: one channel means a 1-D array; average the "
                "columns of a (time, channels) array with .mean(axis=1).")
    if abs(len(got) - len(expected)) > 1:
        return (f"{len(samples)} samples at {rate} Hz are {len(samples) / rate:.2f} s, about "
                f"{len(expected)} samples at 16 kHz; it returned {len(got)}: resample.")
    if got.dtype != np.float32:
        return f"it returned {got.dtype}: return float32, as the recorder does (.astype)."
    n, edge = min(len(got), len(expected)), 160  # the first and last 10 ms may differ
    a, b = got[edge:n - edge].astype(np.float64), expected[edge:n - edge].astype(np.float64)
    if not np.all(np.isfinite(a)) or np.sqrt(np.mean((a - b) ** 2)) > 0.05 * np.sqrt(np.mean(b**2)):
        return ("the samples differ from asrlib.audio's: average the channels (not add them, not "
                "keep one), then resample band-limited with audio.resample(x, rate, 16_000); "
                "slicing or np.interp folds the sounds above 8 kHz down into the speech band.")
    return None


def to_mono_16k(answer) -> bool:
    """Exercise 3 (code): ``answer(samples, rate)`` (a function; one that returns None is not
    tried yet) turns ``(time,)`` or ``(time, channels)`` samples at ``rate`` Hz into mono float32
    at 16 kHz; checked against :func:`asrlib.audio.prepare` on hidden clips (within 5 % RMS,
    so any good band-limited resampler passes; the first and last 10 ms are not compared)."""
    name = "Exercise 3 (mono at 16 kHz)"
    if checks.untried(name, answer):
        return False
    for samples, rate, what in _stereo_and_mono_clips():
        try:
            got = answer(samples.copy(), rate)
        except Exception as err:  # the student's function: say what went wrong, no traceback
            return checks.report(name, False, hint=f"on {what} your function raised "
                                 f"{type(err).__name__}: {err}")
        if got is None:  # the body is still `...`
            return checks.untried(name, None) and False
        problem = _mono_problem(got, audio.prepare(samples, rate), samples, rate)
        if problem:
            return checks.report(name, False, hint=f"on {what}, {problem}")
    return checks.report(
        name, True,
        praise="one channel at 16 kHz, as the model's features expect: what the recorder and "
        "asrlib.audio.load do to every clip before the model hears it.",
    )
