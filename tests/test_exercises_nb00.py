"""Notebook 00's exercise: the answer key covers it, the notebook calls its check, and the key's
answer passes."""

import json
import re
from pathlib import Path

import teacher

from asrlib.checks import nb00

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb00")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "00_introduction.ipynb"
CHECKS = (nb00.word_error_rate,)


def test_key_covers_every_exercise(capsys):
    for check in CHECKS:
        check(...)
    titles = re.findall(r"⏳ (Exercise \d+ \([^)]*\))", capsys.readouterr().out)
    assert sorted(titles) == sorted(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb00\.(\w+)\(", "".join(c["source"]))}
    assert calls == {check.__name__ for check in CHECKS}


def test_key_answers_pass_their_checks(capsys):
    assert nb00.word_error_rate(0.4)
    assert nb00.word_error_rate(0.2) is False
    assert answers.KEY["Exercise 1 (word error rate)"].startswith("**0.4.**")
