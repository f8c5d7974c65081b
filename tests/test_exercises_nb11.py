"""Notebook 11's exercise: the check accepts the reference, rejects a wrong answer, and treats
`...` (or a body that is still `...`) as not tried yet."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from asrlib.checks import nb11

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "asrlib_teacher_answers_nb11", ROOT / "book" / "teacher" / "answers" / "nb11.py")
answers = importlib.util.module_from_spec(_spec)  # the teacher's KEY and solution_*
_spec.loader.exec_module(answers)


def test_within_floor(capsys):
    assert nb11.within_floor(answers.solution_within_floor) is True
    assert "✅" in capsys.readouterr().out
    no_ties = lambda scores, floor: [min(scores, key=scores.get)]  # noqa: E731
    assert nb11.within_floor(no_ties) is False
    assert "❌" in capsys.readouterr().out
    assert nb11.within_floor(lambda scores, floor: sorted(scores, key=scores.get)) is False  # all
    assert "❌" in capsys.readouterr().out
    assert nb11.within_floor(...) is False
    assert "⏳" in capsys.readouterr().out
    assert nb11.within_floor(lambda scores, floor: None) is False
    assert "⏳" in capsys.readouterr().out
    assert nb11.within_floor(lambda scores, floor: scores["missing"]) is False
    out = capsys.readouterr().out
    assert "KeyError" in out and "Traceback" not in out


def test_the_reference_keeps_the_best_and_its_ties_in_order():
    scores = {"a": 0.20, "b": 0.116, "c": 0.13, "d": 0.137}
    assert answers.solution_within_floor(scores, 0.02) == ["b", "c"]
    assert answers.solution_within_floor(scores, 0.1) == ["b", "c", "d", "a"]


def test_every_exercise_has_a_key_entry(capsys):
    nb11.within_floor(answers.solution_within_floor)
    title = capsys.readouterr().out.split(":")[0].removeprefix("✅ ")
    assert set(answers.KEY) == {title}
