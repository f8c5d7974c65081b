"""Notebook 01's exercises: the code exercises' checks accept the reference functions, reject
wrong ones, report a raising or empty one in one line; the answer key covers every exercise."""

import json
import math
import re
from pathlib import Path

import librosa
import numpy as np
import pytest
import teacher

from asrlib import features
from asrlib.checks import nb01

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb01")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "01_audio_and_mfcc.ipynb"
CHECKS = (nb01.frames, nb01.mel_filter, nb01.mfcc_shape, nb01.frame_signal, nb01.hz_to_mel)


def _no_padding(samples, n_fft, hop):
    n = 1 + (len(samples) - n_fft) // hop
    return np.stack([samples[t * hop:t * hop + n_fft] for t in range(max(n, 0))])


def _pads_a_whole_window(samples, n_fft, hop):
    padded = np.pad(samples, n_fft)
    return np.stack([padded[t * hop:t * hop + n_fft] for t in range(1 + len(samples) // hop)])


@pytest.mark.parametrize("wrong", [_no_padding, _pads_a_whole_window,
                                   lambda s, n, h: np.zeros((1 + len(s) // h, n))])
def test_frame_signal(wrong, capsys):
    assert nb01.frame_signal(answers.solution_frame_signal) is True
    assert "✅" in capsys.readouterr().out
    assert nb01.frame_signal(wrong) is False
    out = capsys.readouterr().out
    assert "❌" in out and out.count("\n") == 1
    assert nb01.frame_signal(...) is False
    assert "⏳" in capsys.readouterr().out


def test_the_hidden_frames_are_librosas():
    for length, n_fft, hop in nb01.SIGNAL_CASES:
        samples = np.random.default_rng(length).uniform(-1, 1, length).astype(np.float32)
        ours = features.frame_signal(samples, n_fft, hop)
        theirs = librosa.util.frame(np.pad(samples, n_fft // 2), frame_length=n_fft,
                                    hop_length=hop, axis=0)
        assert np.array_equal(ours, theirs) and len(ours) == 1 + length // hop


def _htk(hz):
    return 2595 * np.log10(1 + np.asarray(hz) / 700)


def _scalar_slaney(hz):  # `if` on one number: the check tries it frequency by frequency
    return hz / (200 / 3) if hz < 1000 else 15 + math.log(hz / 1000) / (math.log(6.4) / 27)


def test_hz_to_mel(capsys):
    assert nb01.hz_to_mel(answers.solution_hz_to_mel) is True
    assert nb01.hz_to_mel(_scalar_slaney) is True
    assert capsys.readouterr().out.count("✅") == 2
    assert nb01.hz_to_mel(_htk) is False
    assert "HTK" in capsys.readouterr().out
    assert nb01.hz_to_mel(lambda hz: np.asarray(hz) / (200 / 3)) is False  # linear everywhere
    assert "1500 Hz" in capsys.readouterr().out
    assert nb01.hz_to_mel(lambda hz: "mel") is False and nb01.hz_to_mel(lambda hz: [1.0]) is False
    assert capsys.readouterr().out.count("❌") == 2


def test_the_mel_solution_is_librosas_everywhere():
    hz = np.linspace(0, 8000, 801)
    assert np.allclose(answers.solution_hz_to_mel(hz), librosa.hz_to_mel(hz), atol=1e-9)


def test_code_exercises_raising_or_empty(capsys):
    def empty(*args):
        ...

    assert nb01.frame_signal(empty) is False and nb01.hz_to_mel(empty) is False
    assert capsys.readouterr().out.count("⏳") == 2
    assert nb01.frame_signal(lambda s, n, h: [][0]) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "IndexError" in out
    assert nb01.hz_to_mel(lambda hz: 1 / 0) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "ZeroDivisionError" in out


def test_key_covers_every_exercise(capsys):
    for check in CHECKS:
        check(...)
    titles = re.findall(r"⏳ (Exercise \d+ \([^)]*\))", capsys.readouterr().out)
    assert sorted(titles) == sorted(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb01\.(\w+)\(", "".join(c["source"]))}
    assert calls == {check.__name__ for check in CHECKS}
