"""Notebook 08's exercises: the code exercise's check accepts the reference solution and
rejects the usual mistakes in one line each; every exercise has an answer in the key."""

from pathlib import Path

import numpy as np
import pytest
import teacher

from asrlib import audio
from asrlib.checks import nb08

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb08")  # the teacher's KEY and solution_*

CHECKS = [nb08.recording_bytes, nb08.which_decoder, nb08.to_mono_16k]


def _mono(x):
    return x.mean(axis=1) if x.ndim == 2 else x


def test_the_solution_passes(capsys):
    assert nb08.to_mono_16k(answers.solution_to_mono_16k) is True
    assert "✅ Exercise 3 (mono at 16 kHz)" in capsys.readouterr().out


def test_another_band_limited_resampler_passes(capsys):
    from scipy.signal import resample_poly

    def polyphase(x, rate):
        return resample_poly(_mono(x), 16_000, rate).astype(np.float32)

    assert nb08.to_mono_16k(polyphase) is True


@pytest.mark.parametrize(("wrong", "says"), [
    (lambda x, r: _mono(x), "resample"),  # no resampling: the length is wrong
    (lambda x, r: audio.resample(x, r, 16_000), "1-D"),  # resampled the channel axis
    (lambda x, r: _mono(x)[:: max(1, r // 16_000)] if r > 16_000  # slicing: aliasing
     else audio.resample(x, r, 16_000), "band-limited"),
    (lambda x, r: audio.resample(x[:, 0] if x.ndim == 2 else x, r, 16_000), "not keep one"),
    (lambda x, r: audio.resample(x.sum(axis=1) if x.ndim == 2 else x, r, 16_000), "not add"),
    (lambda x, r: answers.solution_to_mono_16k(x, r).astype(np.float64), "float32"),
    (lambda x, r: 1 / 0, "ZeroDivisionError"),  # a function that raises: one line
], ids=["no-resampling", "2-d", "slicing", "left-channel", "sum", "float64", "raises"])
def test_wrong_answers_fail_in_one_line(wrong, says, capsys):
    assert nb08.to_mono_16k(wrong) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Exercise 3 (mono at 16 kHz)") and out.count("\n") == 1
    assert says in out


def test_an_empty_function_is_not_tried_yet(capsys):
    def to_mono_16k(samples, rate):
        ...

    assert nb08.to_mono_16k(to_mono_16k) is False
    assert nb08.to_mono_16k(...) is False
    assert capsys.readouterr().out.count("⏳ Exercise 3 (mono at 16 kHz)") == 2


def test_every_exercise_has_a_key_entry(capsys):
    titles = []
    for check in CHECKS:
        check(...)
        titles.append(capsys.readouterr().out.split("⏳ ", 1)[1].split(":", 1)[0])
    assert titles == list(answers.KEY)
    assert all(len(answer) > 40 for answer in answers.KEY.values())
    assert "solution_to_mono_16k" in answers.KEY["Exercise 3 (mono at 16 kHz)"]
