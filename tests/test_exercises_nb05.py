"""Notebook 05's exercises: the code exercise's check accepts the reference function, rejects
the usual mistakes with a hint that names them, reports a raising or empty function in one
line; the reference equals the loss Keras trains with; the answer key covers every exercise."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import teacher

from asrlib import ctc
from asrlib.checks import nb05

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb05")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "05_training.ipynb"


def _loss(probs, targets, frames, labels, reduce=np.mean):
    return float(reduce([ctc.forward(np.log(np.clip(p[:frames(row)], 1e-12, 1)),
                                     labels(row))[1] for p, row in zip(probs, targets)]))


def _nonzero(row):
    return [int(i) for i in row[1:] if i]


WRONGS = [  # (function, words its hint must contain)
    (lambda p, t: _loss(p, t, lambda row: p.shape[1], _nonzero), "padding included"),
    (lambda p, t: _loss(p, t, lambda row: int(row[0]), _nonzero), "INPUT frames"),
    (lambda p, t: _loss(p, t, lambda row: int(row[0]) // 2, lambda row: list(row[1:])),
     "padding, not blanks"),
    (lambda p, t: _loss(p, t, lambda row: int(row[0]) // 2, _nonzero, np.sum), "the mean"),
    (lambda p, t: [1.0, 2.0], "one number"),
]


def test_batch_loss_accepts_the_reference(capsys):
    assert nb05.batch_loss(answers.solution_batch_loss) is True
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize(("wrong", "hint"), WRONGS)
def test_batch_loss_names_the_mistake(wrong, hint, capsys):
    assert nb05.batch_loss(wrong) is False
    out = capsys.readouterr().out
    assert "❌" in out and hint in out


def test_batch_loss_raising_or_empty(capsys):
    def empty(probs, targets):
        ...

    assert nb05.batch_loss(empty) is False
    assert "⏳" in capsys.readouterr().out
    assert nb05.batch_loss(lambda *args: 1 / 0) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "ZeroDivisionError" in out


def test_the_reference_is_the_loss_keras_trains_with():
    probs, targets = nb05._batch()
    per_utterance = np.asarray(ctc.CTCLoss()(targets, probs))
    assert np.isclose(answers.solution_batch_loss(probs, targets), per_utterance.mean(), rtol=1e-4)


def test_key_covers_every_exercise(capsys, mirror):
    checks = (nb05.steps_per_epoch, nb05.first_epoch_below, nb05.resumed_epoch, nb05.batch_loss)
    for check in checks:
        check(...)
    titles = re.findall(r"⏳ (Exercise \d+ \([^)]*\))", capsys.readouterr().out)
    assert sorted(titles) == sorted(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb05\.(\w+)\(", "".join(c["source"]))}
    assert calls == {c.__name__ for c in checks}
