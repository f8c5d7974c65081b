"""Notebook 04's exercises: the code exercises' checks accept the reference functions, reject
wrong ones, report a raising or empty one in one line; the answer key covers every exercise."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import teacher

from asrlib import ctc
from asrlib.checks import nb04

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb04")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "04_ctc_loss.ipynb"


def _beta_without_skip(log_probs, labels):
    ext = ctc.extend(labels)
    beta = np.full((len(log_probs), len(ext)), -np.inf)
    beta[-1, -2:] = 0.0
    for t in range(len(log_probs) - 2, -1, -1):
        nxt = beta[t + 1] + log_probs[t + 1, ext]
        beta[t] = np.logaddexp(nxt, np.append(nxt[1:], -np.inf))  # stay or advance only
    return beta


def _beta_emits_own_frame(log_probs, labels):
    return ctc.backward(log_probs, labels) + log_probs[:, ctc.extend(labels)]


CASES = [  # check, reference function, wrong functions
    (nb04.beta, answers.solution_beta,
     [_beta_without_skip, _beta_emits_own_frame, lambda lp, lab: ctc.forward(lp, lab)[0]]),
    (nb04.beta, ctc.backward, []),
    (nb04.padded_loss, answers.solution_padded_loss,
     [lambda lp, lab, n: ctc.forward(lp, lab)[1],  # the padding counted
      lambda lp, lab, n: ctc.forward(lp[:n - 1], lab)[1],  # one frame too few
      lambda lp, lab, n: -ctc.forward(lp[:n], lab)[1]]),
]


@pytest.mark.parametrize(("check", "right", "wrongs"), CASES)
def test_code_exercise(check, right, wrongs, capsys):
    assert check(right) is True
    assert "✅" in capsys.readouterr().out
    for wrong in wrongs:
        assert check(wrong) is False
        assert "❌" in capsys.readouterr().out
    assert check(...) is False
    assert "⏳" in capsys.readouterr().out


def test_padding_hint_names_the_mistake(capsys):
    assert nb04.padded_loss(lambda lp, lab, n: ctc.forward(lp, lab)[1]) is False
    assert "padding included" in capsys.readouterr().out


@pytest.mark.parametrize("check", [nb04.beta, nb04.padded_loss])
def test_raising_or_empty_functions(check, capsys):
    def empty(*args):
        ...

    assert check(empty) is False
    assert "⏳" in capsys.readouterr().out
    assert check(lambda *args: 1 / 0) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "ZeroDivisionError" in out


def test_key_covers_every_exercise(capsys):
    checks = (nb04.n_alignments, nb04.min_frames, nb04.collapsed, nb04.beta, nb04.padded_loss)
    for check in checks:
        check(...)
    titles = re.findall(r"⏳ (Exercise \d+ \([^)]*\))", capsys.readouterr().out)
    assert sorted(titles) == sorted(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb04\.(\w+)\(", "".join(c["source"]))}
    assert calls == {c.__name__ for c in checks}
