"""Notebook 09's exercises: the answers in the key pass the checks, every exercise has one, and
the notebook calls exactly these checks."""

import json
import re
from pathlib import Path

import teacher

from asrlib.checks import nb09

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb09")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "09_scaling_up.ipynb"
CHECKS = (nb09.per_replica_batch, nb09.scaled_learning_rate, nb09.warmup_schedule)


def test_every_exercise_has_a_key_entry(capsys):
    titles = []
    for check in CHECKS:
        check(...)
        titles.append(capsys.readouterr().out.split("⏳ ", 1)[1].split(":", 1)[0])
    assert titles == list(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb09\.(\w+)\(", "".join(c["source"]))}
    assert calls == {check.__name__ for check in CHECKS}


def test_the_keys_answers_pass(capsys):
    assert nb09.per_replica_batch(32) and "**32.**" in answers.KEY["Exercise 1 (per-replica batch)"]
    assert nb09.scaled_learning_rate(0.008)
    assert "**0.008.**" in answers.KEY["Exercise 2 (learning rate for a bigger batch)"]


def test_warmup_schedule_accepts_the_solution_and_rejects_slips(capsys):
    assert nb09.warmup_schedule(answers.solution_warmup_schedule)
    assert not nb09.warmup_schedule(lambda step, batch, warm: 1e-3 * batch / 32)  # no warm-up
    assert not nb09.warmup_schedule(lambda step, batch, warm: 1e-3 * min(1, step / warm))
    assert not nb09.warmup_schedule(lambda step, batch, warm: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out

    def empty(step, batch, warm):
        ...

    assert not nb09.warmup_schedule(empty)
    assert "⏳" in capsys.readouterr().out
