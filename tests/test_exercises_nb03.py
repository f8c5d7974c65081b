"""Notebook 03's exercises: the code exercise's check accepts the reference function, rejects a
wrong one, reports a raising or empty one in one line; the answer key covers every exercise."""

import json
import re
from pathlib import Path

import pytest
import teacher

from asrlib import ctc
from asrlib.checks import nb03
from asrlib.text import Alphabet

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb03")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "03_model_layer_by_layer.ipynb"


def _ignores_repeats(n_frames, text, stride):
    return len(Alphabet().encode(text)) > n_frames // stride  # forgets the blank in "ee"


def _rounds_up(n_frames, text, stride):
    return ctc.min_frames(Alphabet().encode(text)) > -(-n_frames // stride)


@pytest.mark.parametrize("wrong", [_ignores_repeats, _rounds_up, lambda n, t, s: False])
def test_too_few_frames(wrong, capsys):
    assert nb03.too_few_frames(answers.solution_too_few_frames) is True
    out = capsys.readouterr().out
    assert "✅" in out and "'three' in 0.23 s" in out
    assert nb03.too_few_frames(wrong) is False
    assert "❌" in capsys.readouterr().out
    assert nb03.too_few_frames(...) is False
    assert "⏳" in capsys.readouterr().out


def test_too_few_frames_raising_or_empty(capsys):
    def empty(n_frames, text, stride):
        ...

    assert nb03.too_few_frames(empty) is False
    assert "⏳" in capsys.readouterr().out
    assert nb03.too_few_frames(lambda n, t, s: n / 0) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "ZeroDivisionError" in out


def test_the_cases_include_both_verdicts_at_stride_4():
    verdicts = {answers.solution_too_few_frames(n, t, s)
                for n, t, s in nb03.TOO_FEW_CASES if s == 4}
    assert verdicts == {True, False}


def test_key_covers_every_exercise(capsys):
    for check in (nb03.output_frames, nb03.lstm_params, nb03.sequence_width, nb03.too_few_frames):
        check(...)
    titles = re.findall(r"⏳ (Exercise \d+ \([^)]*\))", capsys.readouterr().out)
    assert sorted(titles) == sorted(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb03\.(\w+)\(", "".join(c["source"]))}
    assert calls == {"output_frames", "lstm_params", "sequence_width", "too_few_frames"}
