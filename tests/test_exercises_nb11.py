"""Notebook 11's exercise: the check accepts the reference, rejects a wrong answer, and treats
`...` (or a body that is still `...`) as not tried yet; the names the exercise tells the student
to try it on hold the values the text says."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import teacher

from asrlib.checks import nb11

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb11")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "11_appendix_experiments.ipynb"


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


def _bound(tree) -> list[str]:
    """The names a cell binds at the notebook's top level (not inside a function, a class or a
    comprehension, whose names stay local)."""
    names = []

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            return
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                             ast.GeneratorExp)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name).split(".")[0] for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def test_the_exercise_reads_section_7s_scores_and_section_1s_floor():
    """The names Exercise 1 tells the student to try their function on are each set by one cell
    before it and never rebound (a later cell reusing `scores` for another table once handed
    the exercise the wrong dictionary)."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    exercise = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                    and "within_floor(scores, floor)" in "".join(c["source"]))
    text = "".join(cells[exercise]["source"])
    assert "`scores`" in text and '`six_folds["task"]`' in text
    for name in ("scores", "six_folds"):
        binders = [i for i, c in enumerate(cells[:exercise]) if c["cell_type"] == "code"
                   and name in _bound(ast.parse("".join(c["source"])))]
        assert len(binders) == 1, f"{name!r} is set in cells {binders} before the exercise"
