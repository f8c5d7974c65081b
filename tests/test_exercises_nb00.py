"""Notebook 00's exercises: the answer key covers every exercise, and what the checks say about
the shipped models is true of their recorded training speakers."""

import importlib.util
import json
import re
from pathlib import Path

from asrlib import checkpoint, runtime
from asrlib.checks import nb00

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "asrlib_teacher_answers_nb00", ROOT / "book" / "teacher" / "answers" / "nb00.py")
answers = importlib.util.module_from_spec(_spec)  # the teacher's KEY and solution_*
_spec.loader.exec_module(answers)

NOTEBOOK = ROOT / "notebooks" / "00_introduction.ipynb"
CHECKS = (nb00.output_frames, nb00.test_speaker, nb00.word_error_rate)


def _heard(name: str) -> set[str]:
    """The voices a shipped model trained or validated on, FSDD names without their prefix."""
    speakers = checkpoint.read_meta(runtime.shipped_model(name))["info"]["speakers"]
    return {s.removeprefix("fsdd:") for s in speakers["train"] + speakers["val"]}


def test_held_out_speaker_praise_is_true_of_the_shipped_models(capsys):
    assert nb00.test_speaker("theo") is True
    praise = capsys.readouterr().out
    assert "digits_no_theo.keras and digits_heldout.keras never heard" in praise
    assert "theo" not in _heard("digits-no-theo") and "theo" not in _heard("digits-heldout")
    assert "theo" in _heard("digits")  # the shipped model: every voice, as the praise says


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
    assert nb00.output_frames(100) and nb00.test_speaker("theo") and nb00.word_error_rate(0.4)
    for title, answer in (("Exercise 1", "**100.**"), ("Exercise 2", "**theo**"),
                          ("Exercise 3", "**0.4.**")):
        assert next(v for k, v in answers.KEY.items() if k.startswith(title)).startswith(answer)
