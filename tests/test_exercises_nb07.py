"""Notebook 07's exercises: each check accepts the reference answer, rejects a wrong one, and
treats the untouched `...` (or a function whose body is still `...`) as not tried yet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import teacher

from asrlib import results
from asrlib.checks import nb07

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb07")  # the teacher's KEY and solution_*

CASES = [  # checker, reference answer, a wrong answer
    (nb07.validation_speaker, "nicolas", "lucas"),
    (nb07.times_in_training, 4, 5),
    (nb07.hardest_speaker, "george", "nicolas"),  # the KEY names george: the stored v4 folds agree
    (nb07.mean_and_worst, answers.solution_mean_and_worst,
     lambda d: (max(d.values()), max(d, key=d.get))),  # the worst WER is not the mean
    (nb07.verdict, answers.solution_verdict,
     lambda a, b, floor: results.judge(a[:1], b, floor)),  # the first run of A, not their mean
]


@pytest.mark.parametrize(("check", "right", "wrong"), CASES, ids=[c.__name__ for c, *_ in CASES])
def test_check(check, right, wrong, capsys):
    assert check(right) is True
    assert "✅" in capsys.readouterr().out
    assert check(wrong) is False
    assert "❌" in capsys.readouterr().out
    assert check(...) is False
    assert "⏳" in capsys.readouterr().out


@pytest.mark.parametrize("check", [nb07.mean_and_worst, nb07.verdict])
def test_code_exercises_report_an_empty_body_or_an_error_in_one_line(check, capsys):
    assert check(lambda *args: None) is False
    assert "⏳" in capsys.readouterr().out
    assert check(lambda *args: 1 / 0) is False
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "Traceback" not in out and out.count("\n") == 1


def test_the_reference_rule_is_the_library_rule():
    rng = np.random.default_rng(7)
    for _ in range(200):
        a, b = rng.uniform(0, 0.5, rng.integers(1, 7)), rng.uniform(0, 0.5, rng.integers(1, 7))
        floor = rng.uniform(0.02, 0.06)
        assert answers.solution_verdict(list(a), list(b), floor) == results.judge(a, b, floor)


def test_mean_and_worst_accepts_numpy_floats(capsys):
    assert nb07.mean_and_worst(lambda d: (np.float64(np.mean(list(d.values()))),
                                          max(d, key=d.get))) is True


def test_every_exercise_has_a_key_entry(capsys):
    titles = set()
    for check, right, _ in CASES:
        check(right)
        titles.add(capsys.readouterr().out.split(":")[0].removeprefix("✅ "))
    assert titles == set(answers.KEY)
    assert all(len(answer.split()) >= 10 for answer in answers.KEY.values())
